package handlers_test

import (
	"sync"
	"testing"

	"github.com/disputed/disputed/workflows"
)

func TestListDisputesByRelationAndStage(t *testing.T) {
	h := newHarness(t)
	h.get(h.as(arb), "/v1/disputes").ok(200, nil)
	p := h.project()
	var ids []string
	for i := 0; i < 3; i++ {
		ids = append(ids, h.file(fl, 10, h.heldMilestone(p.ID, 100).ID).ID)
	}
	h.act(emp, "/v1/disputes/"+ids[1]+"/offers", map[string]any{"release_amount": 5})
	type page struct {
		Items      []workflows.DisputeSummary `json:"items"`
		NextCursor *string                    `json:"next_cursor"`
	}
	list := func(token, query string) page {
		t.Helper()
		var pg page
		h.get(token, "/v1/disputes"+query).ok(200, &pg)
		return pg
	}
	if got := list(h.token(emp), ""); len(got.Items) != 3 || got.Items[0].ID != ids[2] {
		t.Fatalf("newest first: %+v", got.Items)
	}
	if got := list(h.token(fl), "?stage=negotiation"); len(got.Items) != 1 || got.Items[0].ID != ids[1] {
		t.Fatalf("stage filter: %+v", got.Items)
	}
	first := list(h.token(fl), "?limit=2")
	if len(first.Items) != 2 || first.NextCursor == nil {
		t.Fatalf("first page %+v", first)
	}
	if rest := list(h.token(fl), "?limit=2&cursor="+*first.NextCursor); len(rest.Items) != 1 || rest.Items[0].ID != ids[0] || rest.NextCursor != nil {
		t.Fatalf("second page %+v", rest)
	}
	if got := list(h.token("stranger"), ""); len(got.Items) != 0 {
		t.Fatalf("stranger sees %+v", got.Items)
	}
	if got := list(h.as(arb), ""); len(got.Items) != 0 {
		t.Fatalf("unassigned arbitrator sees %+v", got.Items)
	}
	if got := list(h.as("sup"), "?stage=awaiting_response"); len(got.Items) != 2 {
		t.Fatalf("support sees %+v", got.Items)
	}
	h.get("", "/v1/disputes").problem(401, "unauthorized")
	h.do(req{method: "GET", path: "/v1/disputes?stage=closed", token: h.token(emp), bad: true}).problem(422, "validation_failed")
	h.do(req{method: "GET", path: "/v1/disputes?limit=0", token: h.token(emp), bad: true}).problem(422, "validation_failed")
}

// Editing a stored event behind the service's back breaks verification.
func TestTimelineTamperingIsDetected(t *testing.T) {
	h := newHarness(t)
	m := h.heldMilestone(h.project().ID, 1000)
	d := h.file(fl, 800, m.ID)
	h.act(emp, "/v1/disputes/"+d.ID+"/offers", map[string]any{"release_amount": 100})
	var v workflows.Verification
	h.get(h.token(emp), "/v1/disputes/"+d.ID+"/events/verify").ok(200, &v)
	if !v.Valid || v.Events != 2 {
		t.Fatalf("before: %+v", v)
	}
	if err := h.db.Exec(`UPDATE dispute_events SET data = ? WHERE dispute_id = ? AND idx = 1`,
		`{"release_amount":1}`, d.ID).Error; err != nil {
		t.Fatal(err)
	}
	h.get(h.token(emp), "/v1/disputes/"+d.ID+"/events/verify").ok(200, &v)
	if v.Valid || v.BrokenAt == nil || *v.BrokenAt != 1 {
		t.Fatalf("after edit: %+v", v)
	}
}

func TestTimelineTruncationIsDetected(t *testing.T) {
	h := newHarness(t)
	d := h.file(fl, 800, h.heldMilestone(h.project().ID, 1000).ID)
	h.act(emp, "/v1/disputes/"+d.ID+"/offers", map[string]any{"release_amount": 100})
	if err := h.db.Exec(`DELETE FROM dispute_events WHERE dispute_id = ? AND idx = 2`, d.ID).Error; err != nil {
		t.Fatal(err)
	}
	var v workflows.Verification
	h.get(h.token(emp), "/v1/disputes/"+d.ID+"/events/verify").ok(200, &v)
	if v.Valid {
		t.Fatalf("a deleted last event went unnoticed: %+v", v)
	}
}

// Accepting an offer while the claimant withdraws: exactly one wins, the
// other gets 409, and the money moves once.
func TestAcceptRacesWithdraw(t *testing.T) {
	for round := 0; round < 5; round++ {
		h := newHarness(t)
		m := h.heldMilestone(h.project().ID, 1000)
		d := h.file(fl, 900, m.ID)
		d = h.act(emp, "/v1/disputes/"+d.ID+"/offers", map[string]any{"release_amount": 400})
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		calls := []req{
			{method: "POST", path: "/v1/disputes/" + d.ID + "/offers/" + d.Offers.Employer.ID + "/accept", token: h.token(fl)},
			{method: "POST", path: "/v1/disputes/" + d.ID + "/withdraw", token: h.token(fl)},
		}
		for i, c := range calls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = h.do(c).Status
			}()
		}
		wg.Wait()
		if !(statuses[0] == 200 && statuses[1] == 409 || statuses[0] == 409 && statuses[1] == 200) {
			t.Fatalf("round %d: statuses %v, want one 200 and one 409", round, statuses)
		}
		d = h.dispute(emp, d.ID)
		h.runLedger()
		got := h.milestone(m.ID)
		switch d.Stage {
		case "resolved":
			if got.ReleasedAmount != 400 || got.ReturnedAmount != 600 {
				t.Fatalf("settled milestone %+v", got)
			}
		case "withdrawn":
			if got.State != "held" || got.ReleasedAmount+got.ReturnedAmount != 0 {
				t.Fatalf("withdrawn milestone %+v", got)
			}
		default:
			t.Fatalf("stage %s", d.Stage)
		}
	}
}

// Many goroutines at one case: every request ends 200 or a clean 4xx, one
// verdict is written, and the invariants hold.
func TestManyActorsOneCase(t *testing.T) {
	h := newHarness(t)
	p := h.project()
	m1, m2 := h.heldMilestone(p.ID, 700), h.heldMilestone(p.ID, 300)
	d := h.file(emp, 100, m1.ID, m2.ID)
	d = h.act(fl, "/v1/disputes/"+d.ID+"/offers", map[string]any{"release_amount": 900})
	var wg sync.WaitGroup
	for i := 0; i < 24; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var r *resp
			switch i % 4 {
			case 0:
				r = h.do(req{method: "POST", path: "/v1/disputes/" + d.ID + "/offers", token: h.token(emp), body: map[string]any{"release_amount": 100 + i}})
			case 1:
				r = h.do(req{method: "POST", path: "/v1/disputes/" + d.ID + "/offers", token: h.token(fl), body: map[string]any{"release_amount": 900 - i}})
			case 2:
				cur := h.dispute(fl, d.ID)
				if cur.Offers.Employer == nil {
					return
				}
				r = h.do(req{method: "POST", path: "/v1/disputes/" + d.ID + "/offers/" + cur.Offers.Employer.ID + "/accept", token: h.token(fl)})
			case 3:
				r = h.do(req{method: "POST", path: "/v1/disputes/" + d.ID + "/fee", token: h.token(emp)})
			}
			if r.Status != 200 && r.Status != 409 && r.Status != 404 {
				t.Errorf("status %d: %s", r.Status, r.Body)
			}
		}()
	}
	wg.Wait()
	if d = h.dispute(emp, d.ID); d.Stage != "resolved" { // no accept won the race: settle now
		d = h.act(emp, "/v1/disputes/"+d.ID+"/offers", map[string]any{"release_amount": 500})
		d = h.act(fl, "/v1/disputes/"+d.ID+"/offers/"+d.Offers.Employer.ID+"/accept", nil)
	}
	var resolved int64
	h.db.Raw("SELECT COUNT(*) FROM dispute_events WHERE dispute_id = ? AND kind = 'resolved'", d.ID).Scan(&resolved)
	if resolved != 1 {
		t.Fatalf("%d resolutions", resolved)
	}
	h.settled(d, nil)
}
