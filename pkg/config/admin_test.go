package config

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAdminValidation(t *testing.T) {
	base := "dev: true\nissuer: http://localhost:8080\nclients:\n  - id: adm\n    secret: s\n    redirect_uris: [http://localhost:8080/admin/callback]\n  - id: other\n    secret: s\n    redirect_uris: [http://localhost:8080/cb]\n  - id: hashed\n    secret_hash: sha256:" + strings.Repeat("ab", 32) + "\n    redirect_uris: [http://localhost:8080/admin/callback]\n"
	for _, tt := range []struct {
		name, admin string
		problems    []string
	}{
		{"off by default", "", nil},
		{"nobody can sign in", "admin:\n  enabled: true\n", []string{"admin.enabled: set token"}},
		{"short token", "admin:\n  enabled: true\n  token: short\n", []string{"admin.token: must be at least 16"}},
		{"bad hash", "admin:\n  enabled: true\n  token_hash: md5:x\n", []string{"admin.token_hash: want"}},
		{"token", "admin:\n  enabled: true\n  token: 0123456789abcdef\n", nil},
		{"client", "admin:\n  enabled: true\n  client_id: adm\n  subjects: [u_1]\n", nil},
		{"unknown client", "admin:\n  enabled: true\n  client_id: nope\n  subjects: [u_1]\n", []string{`admin.client_id: "nope" is not a configured client`}},
		{"client without the callback", "admin:\n  enabled: true\n  client_id: other\n  subjects: [u_1]\n", []string{"must have the redirect URI http://localhost:8080/admin/callback"}},
		{"client without a secret in clear", "admin:\n  enabled: true\n  client_id: hashed\n  subjects: [u_1]\n", []string{"needs a secret in clear"}},
		{"client without subjects", "admin:\n  enabled: true\n  client_id: adm\n", []string{"admin.subjects: list the subjects"}},
		{"policy refresh too fast", "risk:\n  policy_refresh: 1ms\n", []string{"risk.policy_refresh: at least 100ms"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(base+tt.admin))
			if tt.problems == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			require.Len(t, err.(*Error).Problems, len(tt.problems), err.Error())
			for _, p := range tt.problems {
				require.Contains(t, err.Error(), p)
			}
		})
	}
}

func TestAdminCheckToken(t *testing.T) {
	sum := sha256.Sum256([]byte("the-admin-token!"))
	for _, a := range []Admin{{Token: "the-admin-token!"}, {TokenHash: "sha256:" + hex.EncodeToString(sum[:])}} {
		require.True(t, a.CheckToken("the-admin-token!"))
		require.False(t, a.CheckToken("the-admin-token"))
		require.False(t, a.CheckToken(""))
	}
	require.False(t, Admin{}.CheckToken(""), "no token configured never matches")
	require.False(t, Admin{}.CheckToken("x"))
}
