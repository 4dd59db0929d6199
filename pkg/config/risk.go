package config

// Risk configures risk-based step-up.
type Risk struct{}

// problems reports every problem of the risk section with field paths.
func (r Risk) problems() []string { return nil }

// applyDefaults fills unset fields.
func (r *Risk) applyDefaults() {}
