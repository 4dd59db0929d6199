package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/idbridge/idbridge/pkg/api"
	"github.com/idbridge/idbridge/pkg/storage"
)

const webhooksUsage = `usage: idbridge webhooks dead | replay EVENT_ID [--config FILE]
  dead             list deliveries that failed every attempt (the dead-letter list)
  replay EVENT_ID  send a stored event again to every endpoint it was addressed to
                   (also those that acknowledged it); removes its dead letters
`

// webhooksCommand is the operators' view of the outbound webhook outbox in
// the shared store st.
func webhooksCommand(ctx context.Context, st storage.Store, args []string, stdout, stderr io.Writer) error {
	switch {
	case len(args) == 1 && args[0] == "dead":
		dead, err := api.DeadLetters(ctx, st)
		if err != nil {
			return fmt.Errorf("webhooks dead: %w", err)
		}
		if len(dead) == 0 {
			fmt.Fprintln(stdout, "no dead letters")
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "EVENT\tTYPE\tENDPOINT\tATTEMPTS\tDIED\tLAST ERROR")
		for _, d := range dead {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", d.EventID, d.Type, d.Endpoint, d.Attempts, d.DiedAt.UTC().Format(time.RFC3339), d.LastError)
		}
		return tw.Flush()
	case len(args) == 2 && args[0] == "replay":
		n, err := api.Replay(ctx, st, args[1])
		if errors.Is(err, api.ErrEventNotFound) {
			return fmt.Errorf("webhooks replay: no stored event %q (events are kept for api.webhooks.event_ttl and erased with their person)", args[1])
		}
		if err != nil {
			return fmt.Errorf("webhooks replay: %w", err)
		}
		fmt.Fprintf(stdout, "queued %s for %d endpoint(s); a running idbridge delivers it\n", args[1], n)
		return nil
	}
	fmt.Fprint(stderr, webhooksUsage)
	return errors.New("webhooks: say dead or replay EVENT_ID")
}
