package journey

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/idbridge/idbridge/pkg/users"
)

// Resolve finds the person a subject or an identifier names, for erasure
// and administration: sub first, then the identifier. ErrUnknownPerson
// when neither names anyone.
func (c *Core) Resolve(ctx context.Context, sub string, id users.Identifier) (*users.User, error) {
	if sub != "" {
		u, err := c.users.Get(ctx, sub)
		if !errors.Is(err, users.ErrNotFound) {
			return u, err
		}
	}
	u, err := c.find(ctx, id)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, ErrUnknownPerson
	}
	return u, nil
}

// Forget erases the person sub everywhere: every registered owner's
// records (SSO sessions, tokens and grants, connector sessions and queued
// events) first, so nothing issued for the person works once it returns,
// then the person record with its identifiers, document index and face.
// by names who asked (an API caller, "cli"), for the audit line. A person
// already gone is not an error; an owner's failure stops the erasure and is
// returned, so it can be run again.
func (c *Core) Forget(ctx context.Context, sub, by string) error {
	if sub == "" {
		return ErrUnknownPerson
	}
	for _, e := range c.erasers {
		if err := e.e.ForgetSubject(ctx, sub); err != nil {
			return fmt.Errorf("forgetting %s records: %w", e.name, err)
		}
	}
	if err := c.users.Forget(ctx, sub); err != nil && !errors.Is(err, users.ErrNotFound) {
		return err
	}
	c.log.LogAttrs(ctx, slog.LevelInfo, "audit", slog.String("audit", "users.forget"), c.audit(ctx), slog.String("sub", sub), slog.String("by", by))
	return nil
}
