package config

// API configures the connector API (Descope HTTP connector nodes) and
// webhooks.
type API struct{}

// problems reports every problem of the API section with field paths.
func (a API) problems() []string { return nil }

// applyDefaults fills unset fields.
func (a *API) applyDefaults() {}
