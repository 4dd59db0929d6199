package onekosmos

import (
	"context"
	"errors"
	"net/http"
)

// signedCall runs a call that needs the service keys n. If the service
// answers 401 and a bootstrap refresh shows that its key changed (1Kosmos
// rotated it), the call is made once more with the new key; the first
// attempt was refused, so even a create may be repeated.
func (c *Client) signedCall(ctx context.Context, n need, run func(t *tenant) error) error {
	t, err := c.boot.get(ctx, n)
	if err != nil {
		return err
	}
	err = run(t)
	var se *ServiceError
	if !errors.As(err, &se) || se.Status != http.StatusUnauthorized {
		return err
	}
	t2, changed, rerr := c.boot.refresh(ctx, t, n)
	if rerr != nil || !changed {
		return err
	}
	c.log.InfoContext(ctx, "1kosmos service key changed; call repeated", slogOp(se.Op))
	return run(t2)
}
