package handlers

import (
	"time"

	"github.com/labstack/echo/v4"

	"github.com/disputed/disputed/workflows"
)

type createGroupRequest struct {
	ProjectID      string   `json:"project_id" validate:"required,max=64"`
	Title          string   `json:"title" validate:"required,max=200"`
	ParticipantIDs []string `json:"participant_ids" validate:"max=50,dive,required,max=128"`
}

type addParticipantRequest struct {
	UserID string `json:"user_id" validate:"required,max=128"`
}

type callRequest struct {
	Media     string     `json:"media" validate:"required,oneof=audio video"`
	StartedAt *time.Time `json:"started_at" validate:"required"`
	DurationS *int64     `json:"duration_s" validate:"required,min=0,max=86400"`
}

type postMessageRequest struct {
	Body        string       `json:"body" validate:"max=10000"`
	Attachments []string     `json:"attachments" validate:"max=20,dive,required,max=64"`
	Call        *callRequest `json:"call"`
}

func (h *api) projectConversation(c echo.Context) (any, error) {
	return h.svc.ProjectConversation(c.Request().Context(), actor(c), c.Param("id"))
}

func (h *api) getConversation(c echo.Context) (any, error) {
	return h.svc.GetConversation(c.Request().Context(), actor(c), c.Param("id"))
}

func (h *api) createGroup(c echo.Context) (any, error) {
	var req createGroupRequest
	if err := bind(c, &req, false); err != nil {
		return nil, err
	}
	return h.svc.CreateGroup(c.Request().Context(), actor(c), workflows.NewGroup(req))
}

func (h *api) addParticipant(c echo.Context) (any, error) {
	var req addParticipantRequest
	if err := bind(c, &req, false); err != nil {
		return nil, err
	}
	return h.svc.AddParticipant(c.Request().Context(), actor(c), c.Param("id"), req.UserID)
}

func (h *api) postMessage(c echo.Context) (any, error) {
	var req postMessageRequest
	if err := bind(c, &req, false); err != nil {
		return nil, err
	}
	in := workflows.NewMessage{Body: req.Body, Attachments: req.Attachments}
	if req.Call != nil {
		in.Call = &workflows.Call{Media: req.Call.Media, StartedAt: *req.Call.StartedAt, DurationS: *req.Call.DurationS}
	}
	return h.svc.PostMessage(c.Request().Context(), actor(c), c.Param("id"), in)
}

func (h *api) listMessages(c echo.Context) (any, error) {
	page, err := pageRequest(c)
	if err != nil {
		return nil, err
	}
	return h.svc.ListMessages(c.Request().Context(), actor(c), c.Param("id"), page)
}
