package handlers

import (
	"github.com/labstack/echo/v4"

	"github.com/disputed/disputed/workflows"
)

type evidenceRequest struct {
	Kind           string   `json:"kind" validate:"required,oneof=note file chat"`
	Note           string   `json:"note" validate:"required_if=Kind note,max=20000"`
	FileID         string   `json:"file_id" validate:"required_if=Kind file,max=64"`
	ConversationID string   `json:"conversation_id" validate:"required_if=Kind chat,max=64"`
	MessageIDs     []string `json:"message_ids" validate:"max=500,dive,required,max=64"`
	FromMessageID  string   `json:"from_message_id" validate:"required_with=ToMessageID,max=64"`
	ToMessageID    string   `json:"to_message_id" validate:"required_with=FromMessageID,max=64"`
}

func (h *api) submitEvidence(c echo.Context) (any, error) {
	var req evidenceRequest
	if err := bind(c, &req, false); err != nil {
		return nil, err
	}
	if req.Kind == "chat" && (len(req.MessageIDs) == 0) == (req.FromMessageID == "") {
		return nil, workflows.Invalid([]workflows.FieldError{{Field: "message_ids",
			Reason: "give either message_ids or from_message_id and to_message_id"}})
	}
	return h.svc.SubmitEvidence(c.Request().Context(), actor(c), c.Param("id"), workflows.NewEvidence(req))
}

func (h *api) listEvidence(c echo.Context) (any, error) {
	return h.svc.ListEvidence(c.Request().Context(), actor(c), c.Param("id"))
}

func (h *api) bundle(c echo.Context) (any, error) {
	return h.svc.CaseBundle(c.Request().Context(), actor(c), c.Param("id"))
}
