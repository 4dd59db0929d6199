package policy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/idbridge/idbridge/pkg/stepup"
)

// Render writes per-signal rules as a policy document without conditions:
// global as the defaults, and a section with its own defaults per client
// of clients. It is how the configuration's risk rules become the first
// stored version.
func Render(global stepup.Rules, clients map[string]stepup.Rules) []byte {
	var b strings.Builder
	b.WriteString("# The configuration's risk rules (risk.rules, clients[].risk).\n# Add rules with conditions: see docs/policy.md.\n")
	b.WriteString("defaults:\n")
	writeDefaults(&b, global, "  ")
	if len(clients) > 0 {
		b.WriteString("clients:\n")
		ids := make([]string, 0, len(clients))
		for id := range clients {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			fmt.Fprintf(&b, "  %s:\n    defaults:\n", strconv.Quote(id))
			writeDefaults(&b, clients[id], "      ")
		}
	}
	return []byte(b.String())
}

func writeDefaults(b *strings.Builder, r stepup.Rules, indent string) {
	fmt.Fprintf(b, "%snew_device: %s\n", indent, r.NewDevice)
	fmt.Fprintf(b, "%sunfamiliar_network: %s\n", indent, r.UnfamiliarNetwork)
	fmt.Fprintf(b, "%scountry_change: %s\n", indent, r.CountryChange)
	fmt.Fprintf(b, "%simpossible_travel: %s\n", indent, r.ImpossibleTravel)
	fmt.Fprintf(b, "%simpossible_travel_kmh: %s\n", indent, strconv.FormatFloat(r.ImpossibleTravelKmh, 'g', -1, 64))
	fmt.Fprintf(b, "%simpossible_travel_min_km: %s\n", indent, strconv.FormatFloat(r.ImpossibleTravelMinKm, 'g', -1, 64))
	quoted := make([]string, len(r.DenyCountries))
	for i, c := range r.DenyCountries {
		quoted[i] = strconv.Quote(c)
	}
	fmt.Fprintf(b, "%sdeny_countries: [%s]\n", indent, strings.Join(quoted, ", "))
}
