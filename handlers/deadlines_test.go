package handlers_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/disputed/disputed/policies"
	"github.com/disputed/disputed/workflows"
)

// Two instances sweeping deadlines on one database: each passed deadline
// fires exactly once.
func TestDeadlinesFireOnceAcrossInstances(t *testing.T) {
	h := newHarness(t)
	p := h.project()
	const cases = 12
	for i := 0; i < cases; i++ {
		h.file(fl, 10, h.heldMilestone(p.ID, 100).ID)
	}
	h.clock.Advance(15 * 24 * time.Hour)
	authz, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	instances := []*workflows.Service{h.svc, workflows.New(h.db, authz, workflows.Options{Rules: workflows.DefaultRules(), Now: h.clock.Now})}
	var wg sync.WaitGroup
	fired := make([]int, len(instances))
	for i, svc := range instances {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 0; round < 3; round++ {
				n, err := svc.RunDeadlines(context.Background())
				if err != nil {
					t.Error(err)
				}
				fired[i] += n
			}
		}()
	}
	wg.Wait()
	if fired[0]+fired[1] != cases {
		t.Fatalf("fired %v, want %d in all", fired, cases)
	}
	var events int64
	h.db.Raw("SELECT COUNT(*) FROM dispute_events WHERE kind = 'deadline_passed'").Scan(&events)
	if events != cases {
		t.Fatalf("%d deadline events, want %d", events, cases)
	}
}
