package storage

import "strings"

// Keyspace is one kind of record in the shared store and the package that
// owns it: the only one that names its keys and reads and writes them.
// Owners list their keyspaces so that a test can prove every stored key has
// an owner, and that every record naming a person is erased when the
// person is forgotten.
type Keyspace struct {
	// Prefix is how every key of the kind begins, e.g. "user:" for
	// "user:{u_...}".
	Prefix string
	// Owner names the owning package, as it registers its eraser with the
	// journey core.
	Owner string
	// Personal: the records name a person (in the key or the value). The
	// owner erases them when the person is forgotten, unless Transient
	// says why they are left to expire.
	Personal bool
	// Transient explains a personal record that erasure leaves to expire
	// (and why it is harmless meanwhile).
	Transient string
}

// KeyspaceOf returns the keyspace key belongs to: the one with the longest
// matching prefix; false when no keyspace owns the key.
func KeyspaceOf(spaces []Keyspace, key string) (Keyspace, bool) {
	var best Keyspace
	found := false
	for _, s := range spaces {
		if strings.HasPrefix(key, s.Prefix) && (!found || len(s.Prefix) > len(best.Prefix)) {
			best, found = s, true
		}
	}
	return best, found
}
