package handlers

import (
	"time"

	"github.com/labstack/echo/v4"

	"github.com/disputed/disputed/workflows"
)

type reportRequest struct {
	UserID     string   `json:"user_id" validate:"required,max=128"`
	MessageIDs []string `json:"message_ids" validate:"required,min=1,max=50,dive,required,max=64"`
	Note       string   `json:"note" validate:"max=5000"`
}

type sanctionRequest struct {
	Kind   string     `json:"kind" validate:"required,oneof=warning suspension"`
	Until  *time.Time `json:"until"`
	Reason string     `json:"reason" validate:"required,max=5000"`
}

func (h *api) createReport(c echo.Context) (any, error) {
	var req reportRequest
	if err := bind(c, &req, false); err != nil {
		return nil, err
	}
	return h.svc.CreateReport(c.Request().Context(), actor(c), workflows.NewReport(req))
}

func (h *api) listReports(c echo.Context) (any, error) {
	page, err := pageRequest(c)
	if err != nil {
		return nil, err
	}
	return h.svc.ListReports(c.Request().Context(), actor(c), page)
}

func (h *api) createSanction(c echo.Context) (any, error) {
	var req sanctionRequest
	if err := bind(c, &req, false); err != nil {
		return nil, err
	}
	return h.svc.CreateSanction(c.Request().Context(), actor(c), c.Param("id"), workflows.NewSanction(req))
}

func (h *api) listSanctions(c echo.Context) (any, error) {
	return h.svc.ListSanctions(c.Request().Context(), actor(c), c.Param("id"))
}
