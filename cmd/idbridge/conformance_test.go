package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/conformance"
)

// TestConformanceAgainstEmbeddedDefaults runs every conformance check
// against the real application on the embedded dev configuration, through
// the command as an operator would, and requires each one to pass.
func TestConformanceAgainstEmbeddedDefaults(t *testing.T) {
	issuer, _ := startApp(t)

	var out, errOut bytes.Buffer
	err := conformanceCommand(context.Background(), []string{"-issuer", issuer, "-plan", "all", "-json"}, &out, &errOut)
	var rep conformance.Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep), out.String())
	for _, r := range rep.Results {
		t.Run(r.Name, func(t *testing.T) {
			require.Equal(t, conformance.Pass, r.Status, r.Detail)
		})
	}
	require.NoError(t, err, errOut.String())
	require.Equal(t, issuer, rep.Issuer)
	require.Len(t, rep.Results, len(conformance.Checks(conformance.AllPlans...)), "every check ran")
	require.Zero(t, rep.Failed)
}

// TestConformanceCommandFailsAndTable: a wrong secret fails the token
// checks, the command reports it as an error, and the table says FAIL.
func TestConformanceCommandFailsAndTable(t *testing.T) {
	issuer, _ := startApp(t)

	var out bytes.Buffer
	err := conformanceCommand(context.Background(), []string{"-issuer", issuer, "-plan", "basic", "-run", "^oidcc-server$", "-secret", "wrong"}, &out, io.Discard)
	require.ErrorContains(t, err, "1 of 1 conformance checks failed")
	require.Contains(t, out.String(), "oidcc-server")
	require.Contains(t, out.String(), "FAIL")
	require.Contains(t, out.String(), "invalid_client")

	out.Reset()
	require.NoError(t, conformanceCommand(context.Background(), []string{"-issuer", issuer, "-plan", "config"}, &out, io.Discard))
	require.Contains(t, out.String(), "PASS: 5 passed, 0 failed")

	require.ErrorIs(t, conformanceCommand(context.Background(), []string{"-plan", "bogus"}, io.Discard, io.Discard), conformance.ErrUnknownPlan)
	out.Reset()
	require.NoError(t, conformanceCommand(context.Background(), []string{"-list", "-plan", "ekyc"}, &out, io.Discard))
	require.Contains(t, out.String(), "ekyc-server-happypath")
}
