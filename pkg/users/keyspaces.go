package users

import "github.com/idbridge/idbridge/pkg/storage"

// Keyspaces are the records this package owns; Forget erases them all.
var Keyspaces = []storage.Keyspace{
	{Prefix: "user:", Owner: "users", Personal: true},
	{Prefix: "ident:", Owner: "users", Personal: true},
	{Prefix: "doc:", Owner: "users", Personal: true},
}
