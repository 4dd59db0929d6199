package ratelimit

import "github.com/idbridge/idbridge/pkg/storage"

// Keyspaces are the records this package owns: counters per client
// address or caller and window, naming nobody.
var Keyspaces = []storage.Keyspace{{Prefix: "ratelimit:", Owner: "ratelimit"}}
