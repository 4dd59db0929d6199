package conformance

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func sampleReport() *Report {
	r := &Report{Issuer: "https://id.example"}
	r.add(Result{Plan: PlanConfig, Name: "oidcc-discovery-issuer-matches", Status: Pass, Detail: "issuer https://id.example", Duration: time.Millisecond})
	r.add(Result{Plan: PlanBasic, Name: "oidcc-codereuse", Status: Fail, Detail: "second redemption:\texpected invalid_grant\n" + strings.Repeat("x", 300)})
	r.add(Result{Plan: PlanBasic, Name: "oidcc-refresh-token", Status: Skip, Detail: "discovery does not list refresh_token"})
	return r
}

func TestWriteTable(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, sampleReport().WriteTable(&out))
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	require.Len(t, lines, 6, out.String())
	require.Regexp(t, `^PLAN\s+CHECK\s+RESULT\s+DETAIL$`, lines[0])
	require.Regexp(t, `^config\s+oidcc-discovery-issuer-matches\s+PASS\s+issuer https://id.example$`, lines[1])
	require.Regexp(t, `^basic\s+oidcc-codereuse\s+FAIL\s+second redemption: expected invalid_grant x+…$`, lines[2], "tabs and newlines are flattened, long details cut")
	require.Regexp(t, `^basic\s+oidcc-refresh-token\s+SKIP\s+discovery`, lines[3])
	require.Equal(t, "", lines[4])
	require.Equal(t, "FAIL: 1 passed, 1 failed, 1 skipped against https://id.example", lines[5])
	require.Equal(t, strings.Index(lines[1], "PASS"), strings.Index(lines[2], "FAIL"), "columns are aligned")
	require.LessOrEqual(t, len([]rune(lines[2])), 240)
}

func TestWriteTableAllPassed(t *testing.T) {
	r := &Report{Issuer: "https://id.example"}
	r.add(Result{Plan: PlanBasic, Name: "oidcc-server", Status: Pass})
	var out bytes.Buffer
	require.NoError(t, r.WriteTable(&out))
	require.Contains(t, out.String(), "PASS: 1 passed, 0 failed, 0 skipped")
	require.True(t, r.OK())
	require.False(t, (&Report{}).OK(), "a run with no checks is not a pass")
}

func TestWriteJSON(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, sampleReport().WriteJSON(&out))
	var got struct {
		Issuer  string `json:"issuer"`
		Failed  int    `json:"failed"`
		Passed  int    `json:"passed"`
		Skipped int    `json:"skipped"`
		Results []struct {
			Plan, Name, Status, Detail string
			Duration                   int64 `json:"duration_ns"`
		} `json:"results"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &got))
	require.Equal(t, "https://id.example", got.Issuer)
	require.Equal(t, []int{1, 1, 1}, []int{got.Passed, got.Failed, got.Skipped})
	require.Len(t, got.Results, 3)
	require.Equal(t, "FAIL", got.Results[1].Status)
	require.Contains(t, got.Results[1].Detail, strings.Repeat("x", 300), "JSON keeps the whole detail")
	require.Equal(t, int64(time.Millisecond), got.Results[0].Duration)
}

func TestParsePlans(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []Plan
		err  bool
	}{
		{"", AllPlans, false},
		{"all", AllPlans, false},
		{"basic", []Plan{PlanBasic}, false},
		{"config, ekyc", []Plan{PlanConfig, PlanEKYC}, false},
		{"basic,bogus", nil, true},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePlans(tt.in)
			if tt.err {
				require.ErrorIs(t, err, ErrUnknownPlan)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestChecksAreNamedUniquelyPerPlan(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Checks(AllPlans...) {
		require.False(t, seen[c.Name], "duplicate check %s", c.Name)
		seen[c.Name] = true
		require.NotEmpty(t, c.Summary, c.Name)
		require.NotNil(t, c.run, c.Name)
	}
	require.Len(t, Checks(PlanConfig), 5)
	require.Equal(t, PlanConfig, Checks(PlanEKYC, PlanConfig)[0].Plan, "plans run in a fixed order")
}
