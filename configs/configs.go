// Package configs holds the example configuration files. dev.yaml is
// embedded: it is what idbridge runs with when no file is given.
package configs

import _ "embed"

// Dev is configs/dev.yaml: memory storage, the in-process 1Kosmos
// simulator and the demo, Descope and conformance-suite clients.
//
//go:embed dev.yaml
var Dev []byte
