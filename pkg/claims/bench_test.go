package claims

import (
	"os"
	"path/filepath"
	"testing"
)

func benchRequest(b *testing.B) string {
	raw, err := os.ReadFile(filepath.Join(sharedDir(b), "examples", "request", "id_token.json"))
	if err != nil {
		b.Fatal(err)
	}
	return string(raw)
}

func BenchmarkParseRequest(b *testing.B) {
	raw := benchRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRequest(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuild(b *testing.B) {
	r, err := ParseRequest(benchRequest(b))
	if err != nil {
		b.Fatal(err)
	}
	id := fixture()
	opt := Options{Now: now, Scopes: []string{"openid", "profile"}, FlatMirrors: true}
	b.ReportAllocs()
	for b.Loop() {
		if out := Build(id, r, IDToken, opt); out["verified_claims"] == nil {
			b.Fatal("no verified_claims")
		}
	}
}
