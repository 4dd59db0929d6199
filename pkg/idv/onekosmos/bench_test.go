package onekosmos

import (
	"context"
	"os"
	"testing"
)

// BenchmarkIDVResult measures one signed result poll over loopback:
// headers and body sealed, answer opened and normalised.
func BenchmarkIDVResult(b *testing.B) {
	f := newFake(b)
	c := f.client(nil)
	ctx := context.Background()
	if _, err := c.IDVResult(ctx, "s-1"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.IDVResult(ctx, "s-1"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNormalizeResult measures normalising a completed result.
func BenchmarkNormalizeResult(b *testing.B) {
	raw, err := os.ReadFile("../simulator/testdata/golden/result_v3_success.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := normalizeResult(raw, testNow); err != nil {
			b.Fatal(err)
		}
	}
}
