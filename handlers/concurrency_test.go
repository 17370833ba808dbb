package handlers_test

import (
	"sync"
	"testing"
)

// Many releases at once on one milestone: each either succeeds or is
// refused cleanly (never "database is locked", never over the amount).
func TestConcurrentReleasesNeverOverspend(t *testing.T) {
	h := newHarness(t)
	m := h.heldMilestone(h.project().ID, 1000)
	const workers = 16
	statuses := make(chan int, workers*4)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 4; j++ {
				r := h.do(req{method: "POST", path: "/v1/milestones/" + m.ID + "/release", token: h.token(emp), body: map[string]any{"amount": 20}})
				statuses <- r.Status
			}
		}()
	}
	wg.Wait()
	close(statuses)
	ok := 0
	for s := range statuses {
		switch s {
		case 200:
			ok++
		case 409, 422:
		default:
			t.Fatalf("unexpected status %d", s)
		}
	}
	h.runLedger()
	got := h.milestone(m.ID)
	if ok != 50 || got.ReleasedAmount != 1000 || got.State != "released" {
		t.Fatalf("%d releases succeeded, milestone %+v; want 50 and 1000 released", ok, got)
	}
}
