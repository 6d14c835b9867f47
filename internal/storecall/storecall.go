// Package storecall holds what the network stores (redisstore, pgstore)
// do around each call to their server: bound it by the store's timeout as
// well as the request's context, and say why a call that ran out of time
// failed.
package storecall

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Bound returns ctx with a deadline timeout from now, unless ctx ends
// sooner or timeout is not positive; cancel must be called.
func Bound(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if d, ok := ctx.Deadline(); timeout > 0 && (!ok || time.Until(d) > timeout) {
		return context.WithTimeout(ctx, timeout)
	}
	return ctx, func() {}
}

// Cause is err with ctx's error in front when ctx has ended: a socket
// deadline taken from ctx fails as an i/o timeout, which does not say
// why. errors.Is finds both.
func Cause(ctx context.Context, err error) error {
	if cerr := contextErr(ctx); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w: %w", cerr, err)
	}
	return err
}

// contextErr is ctx.Err(), also when the deadline has passed but ctx's
// timer has not fired yet (the socket's deadline can come first).
func contextErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return nil
}
