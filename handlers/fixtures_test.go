package handlers_test

import (
	"github.com/disputed/disputed/models"
	"github.com/disputed/disputed/workflows"
)

type projectJSON = models.Project
type milestoneJSON = workflows.MilestoneView

const (
	emp = "emp-1"
	fl  = "fl-1"
)

// project creates a project between emp and fl in USD.
func (h *harness) project() projectJSON {
	h.t.Helper()
	var p projectJSON
	h.post(h.token(emp), "/v1/projects", map[string]any{"title": "Website", "freelancer_id": fl, "currency": "USD"}).ok(201, &p)
	return p
}

// heldMilestone funds a milestone and lets the embedded ledger confirm the hold.
func (h *harness) heldMilestone(projectID string, amount int64) milestoneJSON {
	h.t.Helper()
	var m milestoneJSON
	h.post(h.token(emp), "/v1/projects/"+projectID+"/milestones", map[string]any{"description": "Design", "amount": amount}).ok(201, &m)
	h.runLedger()
	return h.milestone(m.ID)
}

func (h *harness) milestone(id string) milestoneJSON {
	h.t.Helper()
	var m milestoneJSON
	h.get(h.token(emp), "/v1/milestones/"+id).ok(200, &m)
	return m
}
