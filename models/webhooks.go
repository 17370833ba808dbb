package models

import "time"

// Webhook is an endpoint that receives signed deliveries of the events it
// subscribes to. PreviousSecret still signs for a while after a rotation.
type Webhook struct {
	ID             string     `json:"id"`
	URL            string     `json:"url"`
	Events         string     `json:"-"` // JSON array of patterns
	Secret         string     `json:"-"`
	PreviousSecret string     `json:"-"`
	RotatedAt      *time.Time `json:"rotated_at"`
	Active         bool       `json:"active"`
	CreatedBy      string     `json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
}

// Delivery is one event on its way to one webhook. It is leased by the
// instance attempting it, so each attempt is made by one instance.
type Delivery struct {
	ID            string     `json:"id"`
	WebhookID     string     `json:"webhook_id"`
	EventID       string     `json:"event_id"`
	EventType     string     `json:"event_type"`
	Payload       string     `json:"-"`
	Status        string     `json:"status"` // pending, delivered, dead
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	LeasedUntil   *time.Time `json:"-"`
	LeaseToken    string     `json:"-"`
	LastError     string     `json:"last_error"`
	CreatedAt     time.Time  `json:"created_at"`
	DeliveredAt   *time.Time `json:"delivered_at"`
}

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryDead      = "dead"
)
