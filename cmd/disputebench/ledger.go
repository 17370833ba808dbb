package main

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// ledgerAcker stands in for an external ledger service when the server runs
// with DISPUTED_LEDGER=external: it reads the instruction feed and
// acknowledges the instructions of this run's projects, and no one else's.
type ledgerAcker struct {
	api      *apiClient
	token    string
	rec      *recorder
	poll     time.Duration
	after    string // the feed's head when the run began
	projects sync.Map
	auto     bool        // start when the server's ledger seems absent
	answered atomic.Bool // some ledger answered an instruction of this run
	once     sync.Once
	started  atomic.Bool
	wg       sync.WaitGroup
}

func (l *ledgerAcker) own(projectID string) { l.projects.Store(projectID, true) }

// stalled is told how long a lifecycle has waited for the ledger. A wait
// past externalAfter with not one instruction of this run answered means
// the server runs no ledger (DISPUTED_LEDGER=external); a slow answer alone
// would only mean the embedded ledger lags, and acknowledging behind its
// back would leave its journal without the entries.
func (l *ledgerAcker) stalled(ctx context.Context, waited time.Duration) {
	if l.auto && waited > externalAfter && !l.answered.Load() {
		l.start(ctx)
	}
}

// start runs the acker until ctx ends; only the first call does anything.
func (l *ledgerAcker) start(ctx context.Context) {
	l.once.Do(func() {
		l.started.Store(true)
		l.wg.Go(func() { l.run(ctx) })
	})
}

func (l *ledgerAcker) run(ctx context.Context) {
	for ctx.Err() == nil {
		feed, err := l.page(ctx, l.rec, l.after, 200)
		if err != nil || len(feed.Items) == 0 {
			sleep(ctx, l.poll)
			continue
		}
		for _, ins := range feed.Items {
			if _, ours := l.projects.Load(ins.ProjectID); !ours || ins.Status != "pending" {
				continue
			}
			// A failed ack is counted; the lifecycle waiting on it gives up in time.
			_ = l.api.do(ctx, l.rec, call{method: http.MethodPost, route: "/v1/ledger/instructions/{id}/ack",
				args: []string{ins.ID}, token: l.token, body: map[string]string{"reference": "bench-" + ins.ID}}, nil)
		}
		l.after = feed.NextAfter
	}
}

type feed struct {
	Items     []instruction `json:"items"`
	NextAfter string        `json:"next_after"`
}

func (l *ledgerAcker) page(ctx context.Context, rec *recorder, after string, limit int) (*feed, error) {
	var f feed
	q := url.Values{"after": {after}, "limit": {strconv.Itoa(limit)}}
	err := l.api.do(ctx, rec, call{method: http.MethodGet, route: "/v1/ledger/instructions", query: q, token: l.token}, &f)
	return &f, err
}

// findHead sets the acker's cursor to the feed's last position, so that it
// never acknowledges the history of earlier runs. Cursors are opaque, so
// the head is found by reading the feed to its end.
func (l *ledgerAcker) findHead(ctx context.Context) error {
	for {
		f, err := l.page(ctx, nil, l.after, 200)
		if err != nil || len(f.Items) == 0 {
			return err
		}
		l.after = f.NextAfter
	}
}
