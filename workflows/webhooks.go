package workflows

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/disputed/disputed/models"
)

// secretRotationGrace is how long the previous secret still signs after a
// rotation, so receivers can switch without losing deliveries.
const secretRotationGrace = 24 * time.Hour

// NewWebhook is a validated webhook registration. Events are patterns:
// an exact type ("dispute.resolved"), a family ("instruction.*") or "*".
type NewWebhook struct {
	URL    string
	Events []string
}

// WebhookView is a webhook as support sees it; Secret is set only in the
// answer that creates or rotates it.
type WebhookView struct {
	models.Webhook
	Events []string `json:"events"`
	Secret string   `json:"secret,omitempty"`
}

// RegisterWebhook adds an endpoint (support). Errors: KindNotFound (not
// support); KindInvalid (not an http(s) URL).
func (s *Service) RegisterWebhook(ctx context.Context, a Actor, in NewWebhook) (*WebhookView, error) {
	if err := s.authorize(a.roleRelations(), "webhook", "create"); err != nil {
		return nil, err
	}
	u, err := url.Parse(in.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, invalid("validation_failed", "url", "must be an absolute http or https URL")
	}
	return inTx(ctx, s, func(tx *gorm.DB) (*WebhookView, error) {
		w := &models.Webhook{ID: newID("whk"), URL: in.URL, Events: string(mustJSON(in.Events)), Secret: newSecret(),
			Active: true, CreatedBy: a.ID, CreatedAt: s.now()}
		if err := tx.Create(w).Error; err != nil {
			return nil, err
		}
		return &WebhookView{Webhook: *w, Events: in.Events, Secret: w.Secret}, nil
	})
}

func newSecret() string {
	b := make([]byte, 32)
	if _, err := crand.Read(b); err != nil {
		panic(err) // the system's randomness failing is not survivable
	}
	return "whsec_" + hex.EncodeToString(b)
}

// ListWebhooks lists every webhook (support), without secrets.
func (s *Service) ListWebhooks(ctx context.Context, a Actor) ([]WebhookView, error) {
	if err := s.authorize(a.roleRelations(), "webhook", "read"); err != nil {
		return nil, err
	}
	var rows []models.Webhook
	if err := s.db.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]WebhookView, len(rows))
	for i, w := range rows {
		out[i] = webhookView(w)
	}
	return out, nil
}

func webhookView(w models.Webhook) WebhookView {
	v := WebhookView{Webhook: w}
	_ = json.Unmarshal([]byte(w.Events), &v.Events)
	return v
}

// DisableWebhook stops deliveries to an endpoint (support); its pending
// deliveries stay and go out if it is enabled again.
func (s *Service) DisableWebhook(ctx context.Context, a Actor, id string) (*WebhookView, error) {
	return s.changeWebhook(ctx, a, id, func(w *models.Webhook) { w.Active = false })
}

// EnableWebhook resumes deliveries to an endpoint (support); what piled up
// while it was disabled goes out.
func (s *Service) EnableWebhook(ctx context.Context, a Actor, id string) (*WebhookView, error) {
	return s.changeWebhook(ctx, a, id, func(w *models.Webhook) { w.Active = true })
}

// RotateWebhookSecret issues a new secret, shown once; the previous one
// still signs (a second v1 value) for a day.
func (s *Service) RotateWebhookSecret(ctx context.Context, a Actor, id string) (*WebhookView, error) {
	v, err := s.changeWebhook(ctx, a, id, func(w *models.Webhook) {
		now := s.now()
		w.PreviousSecret, w.Secret, w.RotatedAt = w.Secret, newSecret(), &now
	})
	if err == nil {
		v.Secret = v.Webhook.Secret
	}
	return v, err
}

func (s *Service) changeWebhook(ctx context.Context, a Actor, id string, change func(*models.Webhook)) (*WebhookView, error) {
	if err := s.authorize(a.roleRelations(), "webhook", "update"); err != nil {
		return nil, err
	}
	return inTx(ctx, s, func(tx *gorm.DB) (*WebhookView, error) {
		var w models.Webhook
		if err := first(lockForUpdate(tx), "webhook", &w, id); err != nil {
			return nil, err
		}
		change(&w)
		if err := tx.Save(&w).Error; err != nil {
			return nil, err
		}
		v := webhookView(w)
		return &v, nil
	})
}

// WebhookEvent is what a webhook receives. ID is stable: a redelivery of the same
// event carries the same id, so receivers can ignore duplicates.
type WebhookEvent struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	CreatedAt time.Time       `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

// enqueue writes a delivery of the event for every active webhook that
// subscribes to it, in the transaction of the change it reports.
func (s *Service) enqueue(tx *gorm.DB, eventID, eventType string, data any) error {
	var hooks []models.Webhook
	if err := tx.Where("active = ?", true).Find(&hooks).Error; err != nil {
		return err
	}
	now := s.now()
	var payload []byte
	for _, w := range hooks {
		var patterns []string
		_ = json.Unmarshal([]byte(w.Events), &patterns)
		if !subscribes(patterns, eventType) {
			continue
		}
		if payload == nil {
			payload = mustJSON(WebhookEvent{ID: eventID, Type: eventType, CreatedAt: now, Data: mustJSON(data)})
		}
		d := models.Delivery{ID: newID("dlv"), WebhookID: w.ID, EventID: eventID, EventType: eventType,
			Payload: string(payload), Status: models.DeliveryPending, NextAttemptAt: now, CreatedAt: now}
		if err := tx.Clauses(onConflictDoNothing).Create(&d).Error; err != nil {
			return err
		}
	}
	return nil
}

func subscribes(patterns []string, eventType string) bool {
	for _, p := range patterns {
		if p == "*" || p == eventType || strings.HasSuffix(p, ".*") && strings.HasPrefix(eventType, p[:len(p)-1]) {
			return true
		}
	}
	return false
}

// Attempt is a delivery leased to this instance, with what it needs to send it.
type Attempt struct {
	Delivery models.Delivery
	URL      string
	Secrets  [][]byte // the current secret, and the previous one during a rotation
}

// ClaimDeliveries leases up to n due deliveries for lease. On PostgreSQL
// several instances claim at once and never the same delivery; a lease that
// runs out (its instance died) makes the delivery due again.
func (s *Service) ClaimDeliveries(ctx context.Context, n int, lease time.Duration) ([]Attempt, error) {
	return inTx(ctx, s, func(tx *gorm.DB) ([]Attempt, error) {
		now := s.now()
		q := tx.Where("status = ? AND next_attempt_at <= ? AND (leased_until IS NULL OR leased_until < ?)",
			models.DeliveryPending, now, now).
			Where("webhook_id IN (?)", tx.Model(&models.Webhook{}).Select("id").Where("active = ?", true)).
			Order("next_attempt_at").Limit(n)
		if s.db.Dialect == models.Postgres {
			q = q.Clauses(skipLocked)
		}
		var due []models.Delivery
		if err := q.Find(&due).Error; err != nil || len(due) == 0 {
			return nil, err
		}
		out := make([]Attempt, 0, len(due))
		for _, d := range due {
			until := now.Add(lease)
			d.LeasedUntil, d.LeaseToken = &until, newSecret()
			if err := tx.Model(&d).Updates(map[string]any{"leased_until": until, "lease_token": d.LeaseToken}).Error; err != nil {
				return nil, err
			}
			var w models.Webhook
			if err := first(tx, "webhook", &w, d.WebhookID); err != nil {
				return nil, err
			}
			secrets := [][]byte{[]byte(w.Secret)}
			if w.PreviousSecret != "" && w.RotatedAt != nil && now.Sub(*w.RotatedAt) < secretRotationGrace {
				secrets = append(secrets, []byte(w.PreviousSecret))
			}
			out = append(out, Attempt{Delivery: d, URL: w.URL, Secrets: secrets})
		}
		return out, nil
	})
}

// Backoff is the wait before attempt n+1 after n failures: exponential from
// base, capped, with up to 50% jitter so failing deliveries do not retry in
// lockstep.
func Backoff(base, cap time.Duration, failures int) time.Duration {
	d := base << min(failures-1, 30)
	if d <= 0 || d > cap {
		d = cap
	}
	return d + time.Duration(rand.Int64N(int64(d)/2+1))
}

// FinishDelivery records an attempt's result: delivered, or failed and
// retried after a backoff, or dead after maxAttempts. It is a no-op if the
// lease was lost to another instance.
func (s *Service) FinishDelivery(ctx context.Context, at Attempt, sendErr error, maxAttempts int, base, cap time.Duration) error {
	_, err := inTx(ctx, s, func(tx *gorm.DB) (struct{}, error) {
		now := s.now()
		d := at.Delivery
		changes := map[string]any{"attempts": d.Attempts + 1, "leased_until": nil, "lease_token": ""}
		switch {
		case sendErr == nil:
			changes["status"], changes["delivered_at"], changes["last_error"] = models.DeliveryDelivered, now, ""
		case d.Attempts+1 >= maxAttempts:
			changes["status"], changes["last_error"] = models.DeliveryDead, sendErr.Error()
		default:
			changes["next_attempt_at"], changes["last_error"] = now.Add(Backoff(base, cap, d.Attempts+1)), sendErr.Error()
		}
		res := tx.Model(&models.Delivery{}).Where("id = ? AND lease_token = ?", d.ID, d.LeaseToken).Updates(changes)
		if res.Error == nil && res.RowsAffected == 0 {
			return struct{}{}, errLeaseLost
		}
		return struct{}{}, res.Error
	})
	if errors.Is(err, errLeaseLost) {
		return nil // another instance took over after our lease ran out; its result counts
	}
	return err
}

var errLeaseLost = errors.New("delivery lease lost")

// ListDeliveries lists deliveries by status, newest first (support).
func (s *Service) ListDeliveries(ctx context.Context, a Actor, status string, page PageRequest) (Page[models.Delivery], error) {
	if err := s.authorize(a.roleRelations(), "webhook", "read"); err != nil {
		return Page[models.Delivery]{}, err
	}
	q := s.db.WithContext(ctx).Model(&models.Delivery{})
	if status != "" {
		q = q.Where("status = ?", status)
	}
	return pageByID(q, page, func(d models.Delivery) string { return d.ID })
}

// Redeliver sends a delivery again from its first attempt (support), for a
// dead one after the receiver is fixed. Errors: KindNotFound.
func (s *Service) Redeliver(ctx context.Context, a Actor, id string) (*models.Delivery, error) {
	if err := s.authorize(a.roleRelations(), "webhook", "update"); err != nil {
		return nil, err
	}
	return inTx(ctx, s, func(tx *gorm.DB) (*models.Delivery, error) {
		var d models.Delivery
		if err := first(lockForUpdate(tx), "delivery", &d, id); err != nil {
			return nil, err
		}
		d.Status, d.Attempts, d.NextAttemptAt, d.LeasedUntil, d.LeaseToken = models.DeliveryPending, 0, s.now(), nil, ""
		return &d, tx.Save(&d).Error
	})
}
