package workflows

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"github.com/disputed/disputed/models"
)

// Idempotency identifies one keyed request: the caller, its key, a hash of
// what it asked and the status its success is answered with.
type Idempotency struct {
	UserID      string
	Key         string
	RequestHash string
	StatusCode  int
}

type idempotencyCtxKey struct{}

// WithIdempotency marks ctx so the next command stores its result under the key.
func WithIdempotency(ctx context.Context, idem Idempotency) context.Context {
	return context.WithValue(ctx, idempotencyCtxKey{}, idem)
}

// Replay is the stored first answer to a keyed request.
type Replay struct {
	StatusCode int
	Body       []byte
}

// LookupIdempotent returns the first answer to this key, nil if there is
// none yet. The same key with a different request is a validation error.
func (s *Service) LookupIdempotent(ctx context.Context, idem Idempotency) (*Replay, error) {
	var rec models.IdempotencyRecord
	err := s.db.WithContext(ctx).Where("user_id = ? AND key = ?", idem.UserID, idem.Key).Take(&rec).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if rec.RequestHash != idem.RequestHash {
		return nil, invalid("idempotency_key_reused", "Idempotency-Key",
			"this key was already used for a different request")
	}
	return &Replay{StatusCode: rec.StatusCode, Body: rec.ResponseBody}, nil
}

func (s *Service) rememberIdempotent(ctx context.Context, tx *gorm.DB, result any) error {
	idem, ok := ctx.Value(idempotencyCtxKey{}).(Idempotency)
	if !ok {
		return nil
	}
	err := tx.Create(&models.IdempotencyRecord{
		UserID: idem.UserID, Key: idem.Key, RequestHash: idem.RequestHash,
		StatusCode: idem.StatusCode, ResponseBody: mustJSON(result), CreatedAt: s.now(),
	}).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		// A concurrent request with the same key won; this one changes nothing.
		return conflict("idempotency_key_in_use", "a request with this Idempotency-Key is already being processed; retry to get its answer")
	}
	return err
}
