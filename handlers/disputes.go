package handlers

import (
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/disputed/disputed/workflows"
)

type fileDisputeRequest struct {
	MilestoneIDs  []string `json:"milestone_ids" validate:"required,min=1,max=50,dive,required,max=64"`
	Reason        string   `json:"reason" validate:"required,oneof=work_not_delivered work_incomplete quality_issue scope_disagreement payment_withheld other"`
	Description   string   `json:"description" validate:"required,max=5000"`
	ReleaseAmount *int64   `json:"release_amount" validate:"required,min=0,max=1000000000000"`
}

type offerRequest struct {
	ReleaseAmount *int64 `json:"release_amount" validate:"required,min=0,max=1000000000000"`
	Note          string `json:"note" validate:"max=2000"`
}

type assignRequest struct {
	ArbitratorID string `json:"arbitrator_id" validate:"required,max=128"`
}

type decisionRequest struct {
	ReleaseAmount *int64 `json:"release_amount" validate:"required,min=0,max=1000000000000"`
	Rationale     string `json:"rationale" validate:"required,max=10000"`
	FeeRefund     string `json:"fee_refund" validate:"required,oneof=employer freelancer both none"`
}

func (h *api) fileDispute(c echo.Context) (any, error) {
	var req fileDisputeRequest
	if err := bind(c, &req, false); err != nil {
		return nil, err
	}
	return h.svc.FileDispute(c.Request().Context(), actor(c), workflows.NewDispute{
		MilestoneIDs: req.MilestoneIDs, Reason: req.Reason, Description: req.Description, ReleaseAmount: *req.ReleaseAmount,
	})
}

func (h *api) getDispute(c echo.Context) (any, error) {
	return h.svc.GetDispute(c.Request().Context(), actor(c), c.Param("id"))
}

func (h *api) listDisputes(c echo.Context) (any, error) {
	page, err := pageRequest(c)
	if err != nil {
		return nil, err
	}
	stage := c.QueryParam("stage")
	if stage != "" && !slices.Contains(workflows.Stages, workflows.Stage(stage)) {
		return nil, workflows.Invalid([]workflows.FieldError{{Field: "stage", Reason: "must be a dispute stage"}})
	}
	return h.svc.ListDisputes(c.Request().Context(), actor(c), stage, page)
}

func (h *api) acceptClaim(c echo.Context) (any, error) {
	if err := bindEmpty(c); err != nil {
		return nil, err
	}
	return h.svc.AcceptClaim(c.Request().Context(), actor(c), c.Param("id"))
}

func (h *api) makeOffer(c echo.Context) (any, error) {
	var req offerRequest
	if err := bind(c, &req, false); err != nil {
		return nil, err
	}
	return h.svc.MakeOffer(c.Request().Context(), actor(c), c.Param("id"), *req.ReleaseAmount, req.Note)
}

func (h *api) listOffers(c echo.Context) (any, error) {
	return h.svc.Offers(c.Request().Context(), actor(c), c.Param("id"))
}

func (h *api) acceptOffer(c echo.Context) (any, error) { return h.answerOffer(c, true) }
func (h *api) rejectOffer(c echo.Context) (any, error) { return h.answerOffer(c, false) }

func (h *api) answerOffer(c echo.Context, accept bool) (any, error) {
	if err := bindEmpty(c); err != nil {
		return nil, err
	}
	return h.svc.AnswerOffer(c.Request().Context(), actor(c), c.Param("id"), c.Param("offer_id"), accept)
}

func (h *api) payFee(c echo.Context) (any, error) {
	if err := bindEmpty(c); err != nil {
		return nil, err
	}
	return h.svc.PayFee(c.Request().Context(), actor(c), c.Param("id"))
}

func (h *api) withdraw(c echo.Context) (any, error) {
	if err := bindEmpty(c); err != nil {
		return nil, err
	}
	return h.svc.Withdraw(c.Request().Context(), actor(c), c.Param("id"))
}

func (h *api) assignArbitrator(c echo.Context) (any, error) {
	var req assignRequest
	if err := bind(c, &req, false); err != nil {
		return nil, err
	}
	return h.svc.AssignArbitrator(c.Request().Context(), actor(c), c.Param("id"), req.ArbitratorID)
}

func (h *api) decide(c echo.Context) (any, error) {
	var req decisionRequest
	if err := bind(c, &req, false); err != nil {
		return nil, err
	}
	return h.svc.Decide(c.Request().Context(), actor(c), c.Param("id"), workflows.Decision{
		ReleaseAmount: *req.ReleaseAmount, Rationale: req.Rationale, FeeRefund: req.FeeRefund,
	})
}

func (h *api) events(c echo.Context) (any, error) {
	return h.svc.Events(c.Request().Context(), actor(c), c.Param("id"))
}

func (h *api) verifyEvents(c echo.Context) (any, error) {
	return h.svc.VerifyEvents(c.Request().Context(), actor(c), c.Param("id"))
}
