// Package delivery sends webhook deliveries: it leases due ones from the
// database, POSTs each signed with the webhook package, and records the
// result. Several instances can run it on one PostgreSQL: a lease makes
// each attempt one instance's, and an expired lease (a killed instance)
// makes the delivery due again. Delivery is at least once; receivers use
// the event id to drop duplicates.
package delivery

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/disputed/disputed/webhook"
	"github.com/disputed/disputed/workflows"
)

// Worker delivers webhooks.
type Worker struct {
	Service     *workflows.Service
	Client      *http.Client
	Log         *slog.Logger
	Batch       int           // deliveries leased per round
	Lease       time.Duration // longer than Client.Timeout
	MaxAttempts int           // then the delivery is dead, listed for support
	Backoff     time.Duration // first retry delay; doubles up to BackoffMax
	BackoffMax  time.Duration
	Now         func() time.Time // signing clock
	OnFailure   func()           // counts failed attempts, for metrics; may be nil
}

// Run sends one round of due deliveries and returns how many it attempted.
// The POSTs run in parallel; the round returns when all are recorded.
func (w *Worker) Run(ctx context.Context) (int, error) {
	attempts, err := w.Service.ClaimDeliveries(ctx, w.Batch, w.Lease)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(attempts))
	for _, at := range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sendErr := w.send(ctx, at)
			if sendErr != nil && w.OnFailure != nil {
				w.OnFailure()
			}
			if sendErr != nil {
				w.Log.Warn("webhook delivery failed", "delivery", at.Delivery.ID, "url", at.URL,
					"attempt", at.Delivery.Attempts+1, "err", sendErr)
			}
			errs <- w.Service.FinishDelivery(ctx, at, sendErr, w.MaxAttempts, w.Backoff, w.BackoffMax)
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		if e != nil {
			err = e
		}
	}
	return len(attempts), err
}

func (w *Worker) send(ctx context.Context, at workflows.Attempt) error {
	body := []byte(at.Delivery.Payload)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, at.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	now := w.Now()
	sigs := make([]string, len(at.Secrets))
	for i, secret := range at.Secrets {
		sigs[i] = webhook.Sign(secret, now, body)
		if i > 0 { // one t=, then every v1=
			_, sigs[i], _ = strings.Cut(sigs[i], ",")
		}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "disputed-webhooks/1")
	req.Header.Set(webhook.Header, strings.Join(sigs, ","))
	req.Header.Set("Disputed-Event-Id", at.Delivery.EventID)
	req.Header.Set("Disputed-Event-Type", at.Delivery.EventType)
	resp, err := w.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		if loc := resp.Header.Get("Location"); loc != "" {
			return fmt.Errorf("receiver answered %s to %s: redirects are not followed, register the final URL", resp.Status, loc)
		}
		return fmt.Errorf("receiver answered %s", resp.Status)
	}
	return nil
}

// NewClient is the HTTP client deliveries need: it never follows a
// redirect, which would turn the POST into a bodiless GET that "succeeds"
// and send the signature to another host.
func NewClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}
