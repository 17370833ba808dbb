package handlers

import (
	"github.com/labstack/echo/v4"

	"github.com/disputed/disputed/models"
	"github.com/disputed/disputed/workflows"
)

type webhookRequest struct {
	URL    string   `json:"url" validate:"required,url,max=2000"`
	Events []string `json:"events" validate:"required,min=1,max=20,dive,required,max=100"`
}

func (h *api) registerWebhook(c echo.Context) (any, error) {
	var req webhookRequest
	if err := bind(c, &req, false); err != nil {
		return nil, err
	}
	return h.svc.RegisterWebhook(c.Request().Context(), actor(c), workflows.NewWebhook(req))
}

func (h *api) listWebhooks(c echo.Context) (any, error) {
	return h.svc.ListWebhooks(c.Request().Context(), actor(c))
}

func (h *api) disableWebhook(c echo.Context) (any, error) {
	if err := bindEmpty(c); err != nil {
		return nil, err
	}
	return h.svc.DisableWebhook(c.Request().Context(), actor(c), c.Param("id"))
}

func (h *api) enableWebhook(c echo.Context) (any, error) {
	if err := bindEmpty(c); err != nil {
		return nil, err
	}
	return h.svc.EnableWebhook(c.Request().Context(), actor(c), c.Param("id"))
}

func (h *api) rotateWebhook(c echo.Context) (any, error) {
	if err := bindEmpty(c); err != nil {
		return nil, err
	}
	return h.svc.RotateWebhookSecret(c.Request().Context(), actor(c), c.Param("id"))
}

func (h *api) listDeliveries(c echo.Context) (any, error) {
	page, err := pageRequest(c)
	if err != nil {
		return nil, err
	}
	status := c.QueryParam("status")
	switch status {
	case "", models.DeliveryPending, models.DeliveryDelivered, models.DeliveryDead:
	default:
		return nil, workflows.Invalid([]workflows.FieldError{{Field: "status", Reason: "must be pending, delivered or dead"}})
	}
	return h.svc.ListDeliveries(c.Request().Context(), actor(c), status, page)
}

func (h *api) redeliver(c echo.Context) (any, error) {
	if err := bindEmpty(c); err != nil {
		return nil, err
	}
	return h.svc.Redeliver(c.Request().Context(), actor(c), c.Param("id"))
}

func (h *api) reconciliation(c echo.Context) (any, error) {
	return h.svc.Reconcile(c.Request().Context(), actor(c))
}
