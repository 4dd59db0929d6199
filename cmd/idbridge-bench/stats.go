package main

import (
	"math"
	"slices"
	"time"
)

// percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// sorted durations: the smallest value with at least p% of the values at
// or below it. It returns 0 for no values.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// recorder keeps the latencies one virtual user measured, per step; each
// user has its own, merged at the end, so recording takes no lock.
type recorder struct {
	steps map[string][]time.Duration
	order []string
}

func newRecorder() *recorder { return &recorder{steps: map[string][]time.Duration{}} }

func (r *recorder) add(step string, d time.Duration) {
	if _, ok := r.steps[step]; !ok {
		r.order = append(r.order, step)
	}
	r.steps[step] = append(r.steps[step], d)
}

// merge folds other into r, keeping the order in which steps first appeared.
func (r *recorder) merge(other *recorder) {
	for _, s := range other.order {
		if _, ok := r.steps[s]; !ok {
			r.order = append(r.order, s)
		}
		r.steps[s] = append(r.steps[s], other.steps[s]...)
	}
}

// stepStats summarises one step; times are in milliseconds.
type stepStats struct {
	Step   string  `json:"step"`
	Count  int     `json:"count"`
	MeanMS float64 `json:"mean_ms"`
	P50MS  float64 `json:"p50_ms"`
	P95MS  float64 `json:"p95_ms"`
	P99MS  float64 `json:"p99_ms"`
	MaxMS  float64 `json:"max_ms"`
}

func summarise(step string, ds []time.Duration) stepStats {
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	var sum time.Duration
	for _, d := range sorted {
		sum += d
	}
	s := stepStats{Step: step, Count: len(sorted)}
	if len(sorted) > 0 {
		s.MeanMS = ms(sum / time.Duration(len(sorted)))
		s.P50MS, s.P95MS, s.P99MS = ms(percentile(sorted, 50)), ms(percentile(sorted, 95)), ms(percentile(sorted, 99))
		s.MaxMS = ms(sorted[len(sorted)-1])
	}
	return s
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

func (r *recorder) summary() []stepStats {
	out := make([]stepStats, 0, len(r.order))
	for _, s := range r.order {
		out = append(out, summarise(s, r.steps[s]))
	}
	return out
}
