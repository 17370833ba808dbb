package handlers

import (
	"github.com/labstack/echo/v4"

	"github.com/disputed/disputed/workflows"
)

type createMilestoneRequest struct {
	Description string `json:"description" validate:"required,max=2000"`
	Amount      int64  `json:"amount" validate:"required,min=1,max=1000000000000"`
}

type releaseRequest struct {
	Amount *int64 `json:"amount" validate:"omitempty,min=1"`
}

func (h *api) createMilestone(c echo.Context) (any, error) {
	var req createMilestoneRequest
	if err := bind(c, &req, false); err != nil {
		return nil, err
	}
	return h.svc.CreateMilestone(c.Request().Context(), actor(c), c.Param("id"), workflows.NewMilestone(req))
}

func (h *api) getMilestone(c echo.Context) (any, error) {
	return h.svc.GetMilestone(c.Request().Context(), actor(c), c.Param("id"))
}

func (h *api) listMilestones(c echo.Context) (any, error) {
	page, err := pageRequest(c)
	if err != nil {
		return nil, err
	}
	return h.svc.ListMilestones(c.Request().Context(), actor(c), c.Param("id"), page)
}

func (h *api) releaseMilestone(c echo.Context) (any, error) {
	var req releaseRequest
	if err := bind(c, &req, true); err != nil {
		return nil, err
	}
	return h.svc.ReleaseMilestone(c.Request().Context(), actor(c), c.Param("id"), req.Amount)
}

func (h *api) cancelMilestone(c echo.Context) (any, error) {
	if err := bindEmpty(c); err != nil {
		return nil, err
	}
	return h.svc.CancelMilestone(c.Request().Context(), actor(c), c.Param("id"))
}
