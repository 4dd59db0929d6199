package main

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// report is the result of a run.
type report struct {
	Mode        string      `json:"mode"`
	Issuer      string      `json:"issuer"`
	Concurrency int         `json:"concurrency"`
	Seconds     float64     `json:"seconds"`
	Operations  int64       `json:"operations"`
	Errors      int64       `json:"errors"`
	PerSecond   float64     `json:"per_second"`
	Unit        string      `json:"unit"`
	Steps       []stepStats `json:"steps"`
	FirstError  string      `json:"first_error,omitempty"`
	// Minted is the number of codes made before a token run.
	Minted int `json:"minted,omitempty"`
	// MintErrors counts the logins that failed while minting, with the
	// first one's error: they leave fewer codes than asked for.
	MintErrors     int64  `json:"mint_errors,omitempty"`
	FirstMintError string `json:"first_mint_error,omitempty"`
}

func (r *report) writeTable(w io.Writer) {
	fmt.Fprintf(w, "mode %s  issuer %s  concurrency %d  %.1fs\n", r.Mode, r.Issuer, r.Concurrency, r.Seconds)
	if r.Minted > 0 {
		fmt.Fprintf(w, "minted %d codes first (not timed)\n", r.Minted)
		if r.MintErrors > 0 {
			fmt.Fprintf(w, "%d logins failed while minting; first: %s\n", r.MintErrors, r.FirstMintError)
		}
	}
	fmt.Fprintf(w, "%d %s, %d errors: %.1f %s/s\n\n", r.Operations, r.Unit, r.Errors, r.PerSecond, r.Unit)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "step\tcount\tmean ms\tp50 ms\tp95 ms\tp99 ms\tmax ms\t")
	for _, s := range r.Steps {
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t\n", s.Step, s.Count, s.MeanMS, s.P50MS, s.P95MS, s.P99MS, s.MaxMS)
	}
	_ = tw.Flush()
	if r.FirstError != "" {
		fmt.Fprintf(w, "\nfirst error: %s\n", r.FirstError)
	}
}
