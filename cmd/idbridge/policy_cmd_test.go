package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/storage/redistest"
)

const closeDemo = `rules:
  - name: close-demo
    when: client_id == "demo" || client_id == "descope-connector"
    action: deny
    reason: closed_for_maintenance
`

// redisConfig writes a configuration file on the redis-server at addr.
func redisConfig(t *testing.T, addr string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "idbridge.yaml")
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	require.NoError(t, os.WriteFile(path, []byte("dev: true\nstorage:\n  type: redis\n  redis:\n    addrs: [\""+addr+"\"]\n    key_prefix: \"idb:\"\n"+
		"personal_data:\n  keys: [\"k1:"+key+"\"]\n  hash_key: "+key+"\n"), 0o600))
	return path
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
	return p
}

// sharedKeys gives a replica the keys every replica shares in
// production (and redisConfig's).
func sharedKeys(c *config.Config) {
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	c.PersonData.Keys, c.PersonData.HashKey = []string{"k1:" + key}, key
	c.Keys.CryptoKey, c.Session.HashKey, c.Session.BlockKey = key, key, key
}

// policyCLI runs `idbridge policy args...` and returns what it printed
// (logs aside).
func policyCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"policy"}, args...), &out, io.Discard)
	return out.String(), err
}

// Two replicas on one real redis-server, and the policy command as a
// third process: what the command applies, both replicas decide by within
// risk.policy_refresh, at both front doors; a rollback likewise; a bad
// policy is refused and leaves both on the version they run.
func TestPolicyReachesEveryReplica(t *testing.T) {
	srv := redistest.Start(t)
	refresh := 250 * time.Millisecond
	fast := func(c *config.Config) { c.Risk.PolicyRefresh = refresh }
	replicas := []*doors{startDoors(t, srv.Addr(), sharedKeys, fast), startDoors(t, srv.Addr(), sharedKeys, fast)}
	for _, d := range replicas {
		go d.a.policy.Run(t.Context())
	}
	cfgPath := redisConfig(t, srv.Addr())
	evaluate := func(d *doors) map[string]any {
		status, out := d.api("POST", "/v1/risk/evaluate", map[string]any{"user_identifier": "p@example.com"})
		require.Equal(t, 200, status, "%v", out)
		return out
	}
	// waitVersion waits until every replica decides by version v at the
	// connector door, and returns how long the slowest took.
	waitVersion := func(v int, since time.Time) time.Duration {
		t.Helper()
		for _, d := range replicas {
			for evaluate(d)["policy_version"] != float64(v) {
				require.Less(t, time.Since(since), 10*time.Second, "a replica never loaded version %d", v)
				time.Sleep(20 * time.Millisecond)
			}
		}
		return time.Since(since)
	}
	waitVersion(1, time.Now())
	for _, d := range replicas {
		require.Equal(t, "defaults", evaluate(d)["rule"])
		c := d.browser()
		require.Equal(t, "idv", journeyOf(d.authorize(c, "demo")), "the seeded policy lets the login proceed")
	}

	out, err := policyCLI(t, "apply", writeFile(t, "close.yaml", closeDemo), "--comment", "maintenance", "--config", cfgPath)
	require.NoError(t, err, out)
	require.Contains(t, out, "stored version 2")
	took := waitVersion(2, time.Now())
	t.Logf("both replicas decided by version 2 within %s (policy_refresh %s)", took, refresh)
	require.Less(t, took, refresh+2*time.Second, "within the documented delay")
	for _, d := range replicas {
		ans := evaluate(d)
		require.Equal(t, "deny", ans["decision"])
		require.Equal(t, "close-demo", ans["rule"])
		back := d.authorize(d.browser(), "demo")
		require.NotNil(t, back.back, "the OIDC door decides by the same version: %s", back.body)
		require.Equal(t, "access_denied", back.back.Query().Get("error"))
	}

	out, err = policyCLI(t, "apply", writeFile(t, "bad.yaml", "rules:\n  - when: country > 3\n    action: stepup\n"), "--config", cfgPath)
	require.Error(t, err, out)
	require.NotContains(t, out, "stored version")
	require.Contains(t, err.Error(), `line 2: rules[0]: action "stepup" is not one of allow, liveid, idv, deny`)
	require.Contains(t, err.Error(), "line 2: rules[0]: `country > 3`: found no matching overload")
	time.Sleep(2 * refresh)
	for _, d := range replicas {
		require.Equal(t, float64(2), evaluate(d)["policy_version"], "a refused policy changes nothing")
	}

	out, err = policyCLI(t, "rollback", "1", "--config", cfgPath)
	require.NoError(t, err, out)
	require.Contains(t, out, "stored version 3 with the text of version 1")
	waitVersion(3, time.Now())
	for _, d := range replicas {
		require.Equal(t, "defaults", evaluate(d)["rule"])
		require.Equal(t, "idv", journeyOf(d.authorize(d.browser(), "demo")))
	}

	out, err = policyCLI(t, "list", "--config", cfgPath)
	require.NoError(t, err, out)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 4, out)
	require.Regexp(t, `^3 \(active\)\s+\S+\s+cli\S*\s+rollback to version 1$`, lines[1])
	require.Regexp(t, `^2\s+\S+\s+cli\S*\s+maintenance$`, lines[2])
	require.Regexp(t, `^1\s+\S+\s+configuration\s+initial version`, lines[3])
	out, err = policyCLI(t, "show", "2", "--config", cfgPath)
	require.NoError(t, err, out)
	require.Contains(t, out, "# version 2")
	require.Contains(t, out, closeDemo)
	out, err = policyCLI(t, "diff", "2", "3", "--config", cfgPath)
	require.NoError(t, err, out)
	require.Contains(t, out, "-   - name: close-demo")
	require.Contains(t, out, "+ defaults:")
}

func TestPolicyCommandErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "say apply, list"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"apply"}, "wrong number of arguments"},
		{[]string{"diff", "1"}, "wrong number of arguments"},
		{[]string{"rollback", "latest"}, `"latest" is not a version number`},
		{[]string{"apply", "/nonexistent/policy.yaml"}, "no such file"},
		{[]string{"show", "7"}, "no such version 7"},
		{[]string{"test", "/nonexistent/policy.yaml", "cases.yaml"}, "no such file"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := policyCLI(t, tt.args...)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

// The shipped example policy passes its shipped cases, and a failing case
// is reported readably and fails the command.
func TestPolicyTestCommand(t *testing.T) {
	out, err := policyCLI(t, "test", "../../configs/policy.example.yaml", "../../configs/policy_cases.yaml")
	require.NoError(t, err, out)
	require.Contains(t, out, "PASS  a sanctioned country is refused: deny by sanctioned-countries (sanctioned_country)")
	require.Contains(t, out, "cases hold")

	cases := writeFile(t, "cases.yaml", "cases:\n  - name: demo open\n    facts: {client_id: demo}\n    expect: allow\n")
	out, err = policyCLI(t, "test", writeFile(t, "p.yaml", closeDemo), cases)
	require.ErrorContains(t, err, "1 of 1 cases do not hold")
	require.Contains(t, out, "FAIL  demo open: deny by close-demo (closed_for_maintenance)\n      decision deny, want allow")
}
