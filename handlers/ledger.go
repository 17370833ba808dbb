package handlers

import (
	"github.com/labstack/echo/v4"
)

type ackRequest struct {
	Reference string `json:"reference" validate:"required,max=200"`
}

type rejectRequest struct {
	Reason string `json:"reason" validate:"required,max=1000"`
}

func (h *api) instructionFeed(c echo.Context) (any, error) {
	limit, err := queryInt(c, "limit", 100, 1, 200)
	if err != nil {
		return nil, err
	}
	return h.svc.InstructionFeed(c.Request().Context(), actor(c), c.QueryParam("after"), int(limit))
}

func (h *api) ackInstruction(c echo.Context) (any, error) {
	var req ackRequest
	if err := bind(c, &req, false); err != nil {
		return nil, err
	}
	return h.svc.AckInstruction(c.Request().Context(), actor(c), c.Param("id"), req.Reference)
}

func (h *api) rejectInstruction(c echo.Context) (any, error) {
	var req rejectRequest
	if err := bind(c, &req, false); err != nil {
		return nil, err
	}
	return h.svc.RejectInstruction(c.Request().Context(), actor(c), c.Param("id"), req.Reason)
}

func (h *api) balances(c echo.Context) (any, error) {
	return h.svc.Balances(c.Request().Context(), actor(c))
}

func (h *api) retryInstruction(c echo.Context) (any, error) {
	if err := bindEmpty(c); err != nil {
		return nil, err
	}
	return h.svc.RetryInstruction(c.Request().Context(), actor(c), c.Param("id"))
}
