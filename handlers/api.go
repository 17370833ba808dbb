// Package handlers is the HTTP edge: one route table, thin handlers that
// bind, validate, call one workflow and render, and one error mapping.
package handlers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/disputed/disputed/workflows"
)

// Config is what the HTTP edge needs.
type Config struct {
	Service  *workflows.Service
	Verifier *Verifier
	Log      *slog.Logger
	// Ready reports whether the service can serve (the database answers).
	Ready func(context.Context) error
	// OpenAPI is the contract, served at /openapi.yaml.
	OpenAPI []byte
	// Metrics, if set, times every request and is served at /metrics.
	Metrics *Metrics
	// BodyLimit caps JSON request bodies, e.g. "1M"; uploads have their own cap.
	BodyLimit string
}

type api struct {
	svc *workflows.Service
}

// route is one row of the route table. Handlers return the value to render
// with status, or an error for the error handler.
type route struct {
	method string
	path   string
	handle func(echo.Context) (any, error)
	status int
}

func (h *api) routes() []route {
	return []route{
		{http.MethodGet, "/v1/projects", h.listProjects, http.StatusOK},
		{http.MethodPost, "/v1/projects", h.createProject, http.StatusCreated},
		{http.MethodGet, "/v1/projects/:id", h.getProject, http.StatusOK},
		{http.MethodGet, "/v1/projects/:id/milestones", h.listMilestones, http.StatusOK},
		{http.MethodPost, "/v1/projects/:id/milestones", h.createMilestone, http.StatusCreated},
		{http.MethodGet, "/v1/milestones/:id", h.getMilestone, http.StatusOK},
		{http.MethodPost, "/v1/milestones/:id/release", h.releaseMilestone, http.StatusOK},
		{http.MethodPost, "/v1/milestones/:id/cancel", h.cancelMilestone, http.StatusOK},
		{http.MethodGet, "/v1/ledger/instructions", h.instructionFeed, http.StatusOK},
		{http.MethodPost, "/v1/ledger/instructions/:id/ack", h.ackInstruction, http.StatusOK},
		{http.MethodPost, "/v1/ledger/instructions/:id/reject", h.rejectInstruction, http.StatusOK},
		{http.MethodPost, "/v1/ledger/instructions/:id/retry", h.retryInstruction, http.StatusCreated},
		{http.MethodGet, "/v1/ledger/balances", h.balances, http.StatusOK},
		{http.MethodGet, "/v1/disputes", h.listDisputes, http.StatusOK},
		{http.MethodPost, "/v1/disputes", h.fileDispute, http.StatusCreated},
		{http.MethodGet, "/v1/disputes/:id", h.getDispute, http.StatusOK},
		{http.MethodPost, "/v1/disputes/:id/accept", h.acceptClaim, http.StatusOK},
		{http.MethodGet, "/v1/disputes/:id/offers", h.listOffers, http.StatusOK},
		{http.MethodPost, "/v1/disputes/:id/offers", h.makeOffer, http.StatusOK},
		{http.MethodPost, "/v1/disputes/:id/offers/:offer_id/accept", h.acceptOffer, http.StatusOK},
		{http.MethodPost, "/v1/disputes/:id/offers/:offer_id/reject", h.rejectOffer, http.StatusOK},
		{http.MethodPost, "/v1/disputes/:id/fee", h.payFee, http.StatusOK},
		{http.MethodPost, "/v1/disputes/:id/withdraw", h.withdraw, http.StatusOK},
		{http.MethodPost, "/v1/disputes/:id/arbitrator", h.assignArbitrator, http.StatusOK},
		{http.MethodPost, "/v1/disputes/:id/decision", h.decide, http.StatusOK},
		{http.MethodGet, "/v1/disputes/:id/events", h.events, http.StatusOK},
		{http.MethodGet, "/v1/disputes/:id/events/verify", h.verifyEvents, http.StatusOK},
		{http.MethodGet, "/v1/disputes/:id/evidence", h.listEvidence, http.StatusOK},
		{http.MethodPost, "/v1/disputes/:id/evidence", h.submitEvidence, http.StatusCreated},
		{http.MethodGet, "/v1/disputes/:id/bundle", h.bundle, http.StatusOK},
		{http.MethodGet, "/v1/projects/:id/conversation", h.projectConversation, http.StatusOK},
		{http.MethodPost, "/v1/conversations", h.createGroup, http.StatusCreated},
		{http.MethodGet, "/v1/conversations/:id", h.getConversation, http.StatusOK},
		{http.MethodPost, "/v1/conversations/:id/participants", h.addParticipant, http.StatusOK},
		{http.MethodGet, "/v1/conversations/:id/messages", h.listMessages, http.StatusOK},
		{http.MethodPost, "/v1/conversations/:id/messages", h.postMessage, http.StatusCreated},
		{http.MethodPost, "/v1/files", h.uploadFile, http.StatusCreated},
		{http.MethodPost, "/v1/reports", h.createReport, http.StatusCreated},
		{http.MethodGet, "/v1/reports", h.listReports, http.StatusOK},
		{http.MethodGet, "/v1/users/:id/sanctions", h.listSanctions, http.StatusOK},
		{http.MethodPost, "/v1/users/:id/sanctions", h.createSanction, http.StatusCreated},
		{http.MethodGet, "/v1/webhooks", h.listWebhooks, http.StatusOK},
		{http.MethodPost, "/v1/webhooks", h.registerWebhook, http.StatusCreated},
		{http.MethodPost, "/v1/webhooks/:id/disable", h.disableWebhook, http.StatusOK},
		{http.MethodPost, "/v1/webhooks/:id/enable", h.enableWebhook, http.StatusOK},
		{http.MethodPost, "/v1/webhooks/:id/rotate", h.rotateWebhook, http.StatusOK},
		{http.MethodGet, "/v1/webhooks/deliveries", h.listDeliveries, http.StatusOK},
		{http.MethodPost, "/v1/webhooks/deliveries/:id/redeliver", h.redeliver, http.StatusOK},
		{http.MethodGet, "/v1/reconciliation", h.reconciliation, http.StatusOK},
	}
}

// New builds the HTTP server. It fails only on a broken openapi.yaml.
func New(cfg Config) (*echo.Echo, error) {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = echo.ExtractIPDirect() // no proxy is trusted unless configured
	e.HTTPErrorHandler = handleError(cfg.Log)
	e.Use(middleware.RequestID(), requestLog(cfg.Log), middleware.Recover(), rejectBadBytes)
	if cfg.Metrics != nil {
		e.Use(cfg.Metrics.observe)
		e.GET("/metrics", cfg.Metrics.Handler())
	}
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit:   cfg.BodyLimit,
		Skipper: func(c echo.Context) bool { return c.Path() == "/v1/files" }, // capped while streaming
	}))

	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", func(c echo.Context) error {
		if err := cfg.Ready(c.Request().Context()); err != nil {
			cfg.Log.WarnContext(c.Request().Context(), "not ready", "err", err)
			return problem(http.StatusServiceUnavailable, "unavailable", "the database does not answer")
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
	})
	e.GET("/openapi.yaml", func(c echo.Context) error { return c.Blob(http.StatusOK, "application/yaml", cfg.OpenAPI) })
	docs, err := Docs(cfg.OpenAPI)
	if err != nil {
		return nil, err
	}
	e.GET("/docs", docs)
	e.GET("/docs/", docs)

	h := &api{svc: cfg.Service}
	auth := authenticate(cfg.Verifier, cfg.Service) // per route, so unknown paths answer 404, not 401
	for _, r := range h.routes() {
		e.Add(r.method, r.path, h.serve(r), auth)
	}
	e.GET("/v1/files/:id", h.downloadFile, auth)
	return e, nil
}

// serve adapts a route to Echo: it applies Idempotency-Key to POSTs and
// renders the result. A replay answers with the first response's status
// and bytes.
func (h *api) serve(r route) echo.HandlerFunc {
	return func(c echo.Context) error {
		if key := c.Request().Header.Get("Idempotency-Key"); key != "" && r.method == http.MethodPost {
			replay, err := h.idempotent(c, key, r.status)
			if err != nil || replay != nil {
				if replay != nil {
					c.Response().Header().Set("Idempotent-Replayed", "true")
					return c.Blob(replay.StatusCode, echo.MIMEApplicationJSON, replay.Body)
				}
				return err
			}
		}
		v, err := r.handle(c)
		if err != nil {
			return err
		}
		return c.Blob(r.status, echo.MIMEApplicationJSON, mustMarshal(v))
	}
}

// idempotent looks the key up; when it is new, it marks the request context
// so the workflow stores its answer in the same transaction as its write.
func (h *api) idempotent(c echo.Context, key string, status int) (*workflows.Replay, error) {
	if len(key) > 255 {
		return nil, workflows.Invalid([]workflows.FieldError{{Field: "Idempotency-Key", Reason: "must be at most 255 characters"}})
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return nil, err
	}
	c.Request().Body = io.NopCloser(bytes.NewReader(body))
	sum := sha256.New()
	io.WriteString(sum, c.Request().Method+" "+c.Request().URL.Path+"\n")
	sum.Write(body)
	idem := workflows.Idempotency{UserID: actor(c).ID, Key: key, RequestHash: hex.EncodeToString(sum.Sum(nil)), StatusCode: status}
	replay, err := h.svc.LookupIdempotent(c.Request().Context(), idem)
	if err == nil && replay == nil {
		c.SetRequest(c.Request().WithContext(workflows.WithIdempotency(c.Request().Context(), idem)))
	}
	return replay, err
}

// rejectBadBytes refuses paths, query values and Idempotency-Keys with NUL
// or invalid UTF-8: no id or cursor contains them, and no database stores them.
func rejectBadBytes(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		texts := []string{r.URL.Path, r.Header.Get("Idempotency-Key")}
		for _, vs := range r.URL.Query() {
			texts = append(texts, vs...)
		}
		for _, t := range texts {
			if !utf8.ValidString(t) || strings.ContainsRune(t, 0) {
				return problem(http.StatusBadRequest, "bad_request", "the path, query or Idempotency-Key holds NUL or invalid UTF-8")
			}
		}
		return next(c)
	}
}

func requestLog(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURI: true, LogMethod: true, LogLatency: true, LogRequestID: true, LogRoutePath: true,
		HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request",
				slog.String("method", v.Method), slog.String("route", v.RoutePath), slog.String("uri", v.URI),
				slog.Int("status", v.Status), slog.Duration("latency", v.Latency), slog.String("request_id", v.RequestID))
			return nil
		},
	})
}
