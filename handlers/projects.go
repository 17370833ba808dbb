package handlers

import (
	"github.com/labstack/echo/v4"

	"github.com/disputed/disputed/workflows"
)

type createProjectRequest struct {
	Title        string `json:"title" validate:"required,max=200"`
	FreelancerID string `json:"freelancer_id" validate:"required,max=128"`
	Currency     string `json:"currency" validate:"required,iso4217"`
}

func (h *api) createProject(c echo.Context) (any, error) {
	var req createProjectRequest
	if err := bind(c, &req, false); err != nil {
		return nil, err
	}
	return h.svc.CreateProject(c.Request().Context(), actor(c), workflows.NewProject(req))
}

func (h *api) getProject(c echo.Context) (any, error) {
	return h.svc.GetProject(c.Request().Context(), actor(c), c.Param("id"))
}

func (h *api) listProjects(c echo.Context) (any, error) {
	page, err := pageRequest(c)
	if err != nil {
		return nil, err
	}
	return h.svc.ListProjects(c.Request().Context(), actor(c), page)
}
