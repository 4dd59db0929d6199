package config

// simulatorFaults checks idv.simulator.faults: rates are probabilities and
// the latency is not negative. Faults are simulator-only, so setting them
// for a real tenant is a mistake worth reporting rather than ignoring.
func simulatorFaults(add func(string, string, ...any), idv IDV) {
	f := idv.Simulator.Faults
	for _, r := range []struct {
		field string
		v     float64
	}{
		{"error_rate", f.ErrorRate}, {"garbage_rate", f.GarbageRate}, {"drop_rate", f.DropRate},
	} {
		if r.v < 0 || r.v > 1 || r.v != r.v {
			add("idv.simulator.faults."+r.field, "%v is not a probability between 0 and 1", r.v)
		}
	}
	if f.Latency < 0 {
		add("idv.simulator.faults.latency", "%s is negative", f.Latency)
	}
	if idv.Type == "onekosmos" && f.Any() {
		add("idv.simulator.faults", "simulator-only: has no effect when idv.type is onekosmos; remove it")
	}
}
