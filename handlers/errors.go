package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/disputed/disputed/workflows"
)

// Problem is an RFC 9457 problem document. Code is stable; Type is its URI.
type Problem struct {
	Type   string                 `json:"type"`
	Title  string                 `json:"title"`
	Status int                    `json:"status"`
	Code   string                 `json:"code"`
	Detail string                 `json:"detail,omitempty"`
	Errors []workflows.FieldError `json:"errors,omitempty"`
}

func problem(status int, code, detail string) *Problem {
	return &Problem{Type: "urn:disputed:problem:" + code, Title: http.StatusText(status), Status: status, Code: code, Detail: detail}
}

var kindStatus = map[workflows.Kind]int{
	workflows.KindInvalid:   http.StatusUnprocessableEntity,
	workflows.KindNotFound:  http.StatusNotFound,
	workflows.KindForbidden: http.StatusForbidden,
	workflows.KindConflict:  http.StatusConflict,
}

// echoCodes names the errors Echo itself raises before a handler runs.
var echoCodes = map[int]string{
	http.StatusBadRequest:            "bad_request",
	http.StatusUnauthorized:          "unauthorized",
	http.StatusNotFound:              "route_not_found",
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusRequestEntityTooLarge: "body_too_large",
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusServiceUnavailable:    "unavailable",
}

// toProblem maps any error to the problem it is answered with; the second
// result is true when it is a server fault that must be logged.
func toProblem(err error) (*Problem, bool) {
	var p *Problem
	if errors.As(err, &p) {
		return p, false
	}
	if we, ok := workflows.AsError(err); ok {
		p := problem(kindStatus[we.Kind], we.Code, we.Detail)
		p.Errors = we.Fields
		return p, false
	}
	if errors.Is(err, context.Canceled) {
		// The client went away; nobody reads the answer and nothing failed here.
		return problem(499, "client_closed_request", "the client closed the request"), false
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		if code, ok := echoCodes[he.Code]; ok {
			msg, _ := he.Message.(string)
			return problem(he.Code, code, msg), false
		}
	}
	return problem(http.StatusInternalServerError, "internal", "something went wrong on our side; it has been logged"), true
}

// handleError is Echo's HTTPErrorHandler: every error leaves as problem+json.
func handleError(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		p, internal := toProblem(err)
		if internal {
			log.ErrorContext(c.Request().Context(), "request failed", "err", err,
				"method", c.Request().Method, "path", c.Path(),
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		}
		if p.Status == http.StatusUnauthorized {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="disputed"`)
		}
		var werr error
		if c.Request().Method == http.MethodHead {
			werr = c.NoContent(p.Status)
		} else {
			werr = c.Blob(p.Status, "application/problem+json", mustMarshal(p))
		}
		if werr != nil {
			log.WarnContext(c.Request().Context(), "writing error response", "err", werr)
		}
	}
}

func (p *Problem) Error() string { return p.Code + ": " + p.Detail }
