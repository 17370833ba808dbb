package workflows

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/disputed/disputed/models"
)

// ensureNotSuspended refuses a user under an active suspension.
func (s *Service) ensureNotSuspended(tx *gorm.DB, userID string) error {
	var n int64
	err := tx.Model(&models.Sanction{}).
		Where("user_id = ? AND kind = ? AND (until IS NULL OR until > ?)", userID, "suspension", s.now()).
		Count(&n).Error
	if err != nil {
		return err
	}
	if n > 0 {
		return errSuspended
	}
	return nil
}

// NewReport is a validated report of a user for offsite solicitation.
type NewReport struct {
	UserID     string
	MessageIDs []string
	Note       string
}

// ReportView is a report with its message references.
type ReportView struct {
	models.Report
	MessageIDs []string `json:"message_ids"`
}

// CreateReport records a report. The messages must be the reported user's,
// in conversations the reporter takes part in. Errors: KindInvalid.
func (s *Service) CreateReport(ctx context.Context, a Actor, in NewReport) (*ReportView, error) {
	if !s.authz.Allowed(a.roleRelations(), "report", "create") {
		return nil, forbidden("you may not report users")
	}
	if in.UserID == a.ID {
		return nil, invalid("validation_failed", "user_id", "you cannot report yourself")
	}
	return inTx(ctx, s, func(tx *gorm.DB) (*ReportView, error) {
		ids := slices.Compact(slices.Sorted(slices.Values(in.MessageIDs)))
		var n int64
		err := tx.Model(&models.Message{}).
			Where("id IN ? AND sender_id = ? AND conversation_id IN (?)", ids, in.UserID,
				tx.Model(&models.Participant{}).Select("conversation_id").Where("user_id = ?", a.ID)).
			Count(&n).Error
		if err != nil {
			return nil, err
		}
		if int(n) != len(ids) {
			return nil, invalid("messages_not_reportable", "message_ids",
				"each message must be one the reported user sent in a conversation you take part in")
		}
		r := &models.Report{ID: newID("rpt"), ReporterID: a.ID, UserID: in.UserID,
			MessageIDs: string(mustJSON(ids)), Note: in.Note, CreatedAt: s.now()}
		if err := tx.Create(r).Error; err != nil {
			return nil, err
		}
		return &ReportView{Report: *r, MessageIDs: ids}, nil
	})
}

// ListReports lists reports newest first (support).
func (s *Service) ListReports(ctx context.Context, a Actor, page PageRequest) (Page[ReportView], error) {
	if err := s.authorize(a.roleRelations(), "report", "read"); err != nil {
		return Page[ReportView]{}, err
	}
	rows, err := pageByID(s.db.WithContext(ctx).Model(&models.Report{}), page, func(r models.Report) string { return r.ID })
	if err != nil {
		return Page[ReportView]{}, err
	}
	out := Page[ReportView]{Items: make([]ReportView, len(rows.Items)), NextCursor: rows.NextCursor}
	for i, r := range rows.Items {
		out.Items[i] = ReportView{Report: r}
		_ = json.Unmarshal([]byte(r.MessageIDs), &out.Items[i].MessageIDs)
	}
	return out, nil
}

// NewSanction is a validated sanction.
type NewSanction struct {
	Kind   string // warning or suspension
	Until  *time.Time
	Reason string
}

// CreateSanction records support's sanction against a user. A suspension
// without an end is indefinite.
// Errors: KindNotFound (not support); KindInvalid.
func (s *Service) CreateSanction(ctx context.Context, a Actor, userID string, in NewSanction) (*models.Sanction, error) {
	if err := s.authorize(a.roleRelations(), "sanction", "create"); err != nil {
		return nil, err
	}
	if in.Kind == "warning" && in.Until != nil {
		return nil, invalid("validation_failed", "until", "a warning has no end")
	}
	if in.Until != nil && !in.Until.After(s.now()) {
		return nil, invalid("validation_failed", "until", "must be in the future")
	}
	return inTx(ctx, s, func(tx *gorm.DB) (*models.Sanction, error) {
		sn := &models.Sanction{ID: newID("snc"), UserID: userID, Kind: in.Kind, Until: in.Until,
			Reason: in.Reason, CreatedBy: a.ID, CreatedAt: s.now()}
		if sn.Until != nil {
			u := sn.Until.UTC().Truncate(time.Microsecond)
			sn.Until = &u
		}
		return sn, tx.Create(sn).Error
	})
}

// ListSanctions lists a user's sanctions, newest first, for support or the
// user. Errors: KindNotFound.
func (s *Service) ListSanctions(ctx context.Context, a Actor, userID string) ([]models.Sanction, error) {
	if a.ID != userID && !s.authz.Allowed(a.roleRelations(), "sanction", "read") {
		return nil, notFound("sanctions")
	}
	out := []models.Sanction{}
	return out, s.db.WithContext(ctx).Where("user_id = ?", userID).Order("id DESC").Find(&out).Error
}
