package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

func TestHelpListsCommands(t *testing.T) {
	for _, arg := range []string{"help", "--help", "-h", "-help"} {
		t.Run(arg, func(t *testing.T) {
			var out, errOut bytes.Buffer
			require.NoError(t, run(context.Background(), []string{arg}, &out, &errOut))
			for _, c := range []string{"[serve]", "simulator", "check-config", "keys", "users forget", "webhooks", "conformance"} {
				require.Contains(t, out.String(), "idbridge "+c, "the command list, not serve's flags")
			}
			require.NotContains(t, out.String(), "-config string", "serve's flag list")
			require.Empty(t, errOut.String())
		})
	}
	var errOut bytes.Buffer
	require.ErrorContains(t, run(context.Background(), []string{"bogus"}, io.Discard, &errOut), `unknown command "bogus"`)
}

func TestCheckConfig(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"check-config", "--config", "../../configs/dev.yaml"}, &out, io.Discard))
	require.Contains(t, out.String(), "configuration OK")

	err := run(context.Background(), []string{"check-config", "--config", "../../configs/production.example.yaml"}, io.Discard, io.Discard)
	require.Error(t, err, "production example needs its environment")
	require.Contains(t, err.Error(), "IDBRIDGE_ISSUER is not set")
	require.Contains(t, err.Error(), "/run/secrets/", "file secrets are reported too")
	require.NotContains(t, err.Error(), "${NAME}", "references in comments are documentation")
}

// TestProductionExampleLoadsWithItsSecrets: the configuration the compose
// file runs passes check-config once the environment and secret files the
// compose file provides are there (the secrets directory moved to a
// temporary one).
func TestProductionExampleLoadsWithItsSecrets(t *testing.T) {
	raw, err := os.ReadFile("../../configs/production.example.yaml")
	require.NoError(t, err)
	dir := t.TempDir()
	key := func() string {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		return base64.StdEncoding.EncodeToString(b)
	}
	for name, v := range map[string]string{
		"redis_password": "redis-pass", "onekosmos_license_key": "license-0123456789", "onekosmos_private_key": key(),
		"crypto_key": key(), "session_hash_key": key(), "session_block_key": key(),
		"personal_data_key": "k1:" + key(), "personal_data_hash_key": key(),
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(v+"\n"), 0o600))
	}
	cfg := filepath.Join(dir, "production.yaml")
	require.NoError(t, os.WriteFile(cfg, bytes.ReplaceAll(raw, []byte("/run/secrets/"), []byte(dir+"/")), 0o600))
	hash := "sha256:" + strings.Repeat("ab", 32)
	for k, v := range map[string]string{"IDBRIDGE_ISSUER": "https://idv.example.com", "ONEKOSMOS_TENANT_DNS": "acme.1kosmos.net",
		"ONEKOSMOS_DVC_ID": "dvc-1", "DESCOPE_IDV_SECRET_HASH": hash, "DESCOPE_LIVEID_SECRET_HASH": hash} {
		t.Setenv(k, v)
	}
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"check-config", "--config", cfg}, &out, io.Discard))
	require.Contains(t, out.String(), "configuration OK")
}

var (
	verifyLinkRE = regexp.MustCompile(`id="verify-link"[^>]*href="([^"]+)"`)
	statusURLRE  = regexp.MustCompile(`data-status-url="([^"]+)"`)
)

// TestDemoLoginOnEmbeddedDefaults starts the real application on the
// embedded dev configuration (memory store, in-process simulator reached
// by the 1Kosmos client over HTTP) and signs in through /demo.
func TestDemoLoginOnEmbeddedDefaults(t *testing.T) {
	issuer, a := startApp(t)

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	get := func(u string) string {
		resp, err := browser.Get(u)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
		return string(b)
	}
	for _, p := range []string{"/healthz", "/readyz", "/.well-known/openid-configuration", "/jwks", "/demo"} {
		get(issuer + p)
	}

	wait := get(issuer + "/demo/login?journey=idv")
	hop := html.UnescapeString(verifyLinkRE.FindStringSubmatch(wait)[1])
	require.True(t, strings.HasPrefix(hop, issuer+"/login/handoff?h="), hop)
	noFollow := &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(hop)
	require.NoError(t, err)
	resp.Body.Close()
	link := resp.Header.Get("Location")
	require.True(t, strings.HasPrefix(link, issuer+"/simulator/"), "the starting browser goes on to the hosted page: %s", link)
	require.NoError(t, a.sim.Complete(link[strings.LastIndex(link, "/")+1:], simulator.CompleteOptions{}))

	statusURL := issuer + html.UnescapeString(statusURLRE.FindStringSubmatch(wait)[1])
	var next string
	for deadline := time.Now().Add(15 * time.Second); next == "" && time.Now().Before(deadline); {
		var st struct{ State, Next string }
		require.NoError(t, json.Unmarshal([]byte(get(statusURL)), &st))
		next = st.Next
		if next == "" {
			time.Sleep(500 * time.Millisecond)
		}
	}
	require.NotEmpty(t, next, "verification never completed")
	claims := get(issuer + next)
	require.Contains(t, claims, `id="id-token-claims"`)
	require.Contains(t, claims, "ial_level")
	require.Contains(t, claims, "verified_claims")
	require.Contains(t, claims, simulator.Fixtures()[0].Person.FamilyName)
}
