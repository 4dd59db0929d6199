package policy

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idbridge/idbridge/pkg/stepup"
	"github.com/idbridge/idbridge/pkg/storage/memory"
)

// twentyRules is a 20-rule policy of the kinds administrators write, none
// of which matches benchSignals: a decision evaluates all twenty.
func twentyRules() []byte {
	conds := []string{
		`country in ["KP", "IR", "SY", "CU"]`,
		`impossible_travel && travel_kmh > 2000.0`,
		`new_device && unfamiliar_network && country_changed`,
		`client_id == "descope-liveid" && !has_session`,
		`verified && verification_age > duration("17520h")`,
		`ial_level < 1 && user_known`,
		`risk_score >= 90`,
		`hour >= 1 && hour < 5 && new_device && country != "FR"`,
		`"urn:example:acr:high" in acr_requested`,
		`weekday == 0 && client_id == "payroll"`,
		`distance_km > 15000.0`,
		`first_login && country == "BR"`,
		`journey == "idv" && enrolled && !verified`,
		`since_last_login > duration("8760h")`,
		`session_age > duration("720h")`,
		`required_ial > 2`,
		`prompt_login && new_device && risk_level == "high"`,
		`last_country == "RU" && country_changed`,
		`client_id.startsWith("legacy-") && unfamiliar_network`,
		`now < timestamp("2020-01-01T00:00:00Z")`,
	}
	var b strings.Builder
	b.WriteString("defaults:\n  new_device: liveid\nrules:\n")
	for i, c := range conds {
		fmt.Fprintf(&b, "  - name: rule-%02d\n    when: '%s'\n    action: %s\n    reason: rule_%02d\n", i, c, []string{"deny", "idv", "liveid"}[i%3], i)
	}
	return []byte(b.String())
}

var benchNow = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func benchContext() Context {
	paris := stepup.Location{Country: "FR", Lat: 48.8566, Lon: 2.3522, HasCoords: true}
	return Context{ClientID: "demo", UserKnown: true, Signals: stepup.Signals{
		Now: benchNow, Enrolled: true, Verified: true, VerifiedAt: benchNow.AddDate(0, -2, 0), IAL: 2,
		DeviceKnown: false, Network: "203.0.113.0/24", NetworkKnown: true, Location: paris,
		Last:            &stepup.Sighting{At: benchNow.Add(-3 * time.Hour), Network: "203.0.113.0/24", Location: paris},
		SessionAuthTime: benchNow.Add(-5 * time.Minute), ClientDefault: "auto",
		RequestedACR: []string{stepup.DefaultLiveIDACR},
	}}
}

// BenchmarkDecide20Rules is one decision under a 20-rule policy that
// evaluates every rule (none matches) and then the defaults.
func BenchmarkDecide20Rules(b *testing.B) {
	p, err := Parse(twentyRules(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	c := benchContext()
	if d := p.Decide(c); d.Rule != Defaults || d.Decision != stepup.LiveID {
		b.Fatalf("benchmark context decided %s by %s", d.Decision, d.Rule)
	}
	b.ReportAllocs()
	for b.Loop() {
		p.Decide(c)
	}
}

// BenchmarkDecideDuringReload times every decision of one goroutine while
// another stores and loads a new 20-rule version every millisecond (500
// times the default refresh rate; each reload parses, type-checks and
// compiles the whole policy), and reports the median, p99 and worst
// decision: a reload never makes a decision wait. Compare with
// BenchmarkDecideNoReload.
func BenchmarkDecideDuringReload(b *testing.B) { benchLatency(b, true) }

// BenchmarkDecideNoReload is BenchmarkDecideDuringReload without reloads.
func BenchmarkDecideNoReload(b *testing.B) { benchLatency(b, false) }

func benchLatency(b *testing.B, reload bool) {
	st := memory.New()
	defer st.Close()
	ctx := context.Background()
	store := NewStore(st, Options{}, quiet())
	v, err := store.Seed(ctx, twentyRules())
	if err != nil {
		b.Fatal(err)
	}
	first, err := store.Compile(v)
	if err != nil {
		b.Fatal(err)
	}
	live := NewLive(store, first, time.Millisecond, quiet())
	stop, done := make(chan struct{}), make(chan struct{})
	reloads := 0
	go func() {
		defer close(done)
		for i := 0; reload; i++ {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			src := append(twentyRules(), fmt.Sprintf("# %d\n", i)...)
			if _, err := store.Apply(ctx, src, "bench", ""); err != nil {
				b.Error(err)
				return
			}
			if changed, err := live.Refresh(ctx); err != nil || !changed {
				b.Errorf("refresh: %v %v", changed, err)
				return
			}
			reloads++
		}
	}()
	c := benchContext()
	took := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		live.Current().Decide(c)
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	close(stop)
	<-done
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(took[len(took)*99/100].Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(took[len(took)-1].Nanoseconds()), "max-ns")
	if reload {
		b.ReportMetric(float64(reloads), "reloads")
	}
}
