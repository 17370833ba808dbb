package workflows

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/disputed/disputed/models"
	"github.com/disputed/disputed/policies"
)

// maxExcerpt caps the messages in one chat excerpt.
const maxExcerpt = 500

// NewEvidence is a validated evidence item: a note, a file, or a chat
// excerpt given as message ids or as an inclusive range of them.
type NewEvidence struct {
	Kind           string
	Note           string
	FileID         string
	ConversationID string
	MessageIDs     []string
	FromMessageID  string
	ToMessageID    string
}

// Transcript is a chat excerpt frozen when it was submitted: later changes
// to the messages cannot change what the arbitrator reads.
type Transcript struct {
	ConversationID string          `json:"conversation_id"`
	Messages       []FrozenMessage `json:"messages"`
}

// FrozenMessage is a message as copied into an excerpt. HashVerified says
// whether its content still matched the hash taken when it was posted.
type FrozenMessage struct {
	MessageView
	HashVerified bool `json:"hash_verified"`
}

// EvidenceView is an evidence item as readers see it. Verified says whether
// its content still matches its SHA-256.
type EvidenceView struct {
	ID          string       `json:"id"`
	DisputeID   string       `json:"dispute_id"`
	SubmitterID string       `json:"submitter_id"`
	Party       string       `json:"party"`
	Stage       string       `json:"stage"`
	Kind        string       `json:"kind"`
	Note        string       `json:"note,omitempty"`
	File        *models.File `json:"file,omitempty"`
	Transcript  *Transcript  `json:"transcript,omitempty"`
	SHA256      string       `json:"sha256"`
	Verified    bool         `json:"verified"`
	CreatedAt   time.Time    `json:"created_at"`
}

// SubmitEvidence adds an item to a case (a party, stages 1 to 3). Errors:
// KindConflict (in arbitration or closed); KindInvalid (a file or messages
// the submitter cannot see, or from another project); KindNotFound.
func (s *Service) SubmitEvidence(ctx context.Context, a Actor, id string, in NewEvidence) (*EvidenceView, error) {
	return meetDeadline(ctx, s, id, func() (*EvidenceView, error) {
		return s.submitEvidence(ctx, a, id, in)
	})
}

func (s *Service) submitEvidence(ctx context.Context, a Actor, id string, in NewEvidence) (*EvidenceView, error) {
	return inTx(ctx, s, func(tx *gorm.DB) (*EvidenceView, error) {
		d, _, err := s.begin(tx, a, id, ActionEvidence)
		if err != nil {
			return nil, err
		}
		ev := &models.Evidence{ID: newID("evd"), DisputeID: d.ID, SubmitterID: a.ID, Party: roleOf(d, a.ID),
			Stage: d.Stage, Kind: in.Kind, CreatedAt: s.now()}
		switch in.Kind {
		case "note":
			ev.Content = in.Note
		case "file":
			var f models.File
			err := first(tx, "file", &f, in.FileID)
			if err == nil {
				var ok bool
				if ok, err = s.maySeeFile(tx, a, &f); err == nil && !ok {
					err = notFound("file")
				}
			}
			if we, isWE := AsError(err); isWE && we.Kind == KindNotFound {
				return nil, invalid("file_not_found", "file_id", "no file you may see has this id")
			} else if err != nil {
				return nil, err
			}
			ev.FileID = &f.ID
			ev.Content = string(mustJSON(f))
		case "chat":
			tr, err := s.freezeExcerpt(tx, a, d, in)
			if err != nil {
				return nil, err
			}
			ev.ConversationID = &tr.ConversationID
			ev.Content = string(mustJSON(tr))
		}
		ev.SHA256 = sha256Hex(ev.Content)
		if err := tx.Create(ev).Error; err != nil {
			return nil, err
		}
		if err := s.record(tx, d, "evidence_submitted", a.ID, map[string]any{
			"evidence_id": ev.ID, "kind": ev.Kind, "sha256": ev.SHA256,
		}); err != nil {
			return nil, err
		}
		if err := s.save(tx, d); err != nil {
			return nil, err
		}
		return evidenceView(ev, false), nil
	})
}

func (s *Service) freezeExcerpt(tx *gorm.DB, a Actor, d *models.Dispute, in NewEvidence) (*Transcript, error) {
	acc, err := s.readableConversation(tx, a, in.ConversationID)
	if we, ok := AsError(err); ok && we.Kind == KindNotFound {
		return nil, invalid("conversation_not_found", "conversation_id", "no conversation you take part in has this id")
	} else if err != nil {
		return nil, err
	}
	if acc.conv.ProjectID != d.ProjectID {
		return nil, invalid("conversation_not_in_project", "conversation_id", "the conversation belongs to another project")
	}
	q := tx.Where("conversation_id = ?", acc.conv.ID)
	want := 0
	if len(in.MessageIDs) > 0 {
		ids := slices.Compact(slices.Sorted(slices.Values(in.MessageIDs)))
		q, want = q.Where("id IN ?", ids), len(ids)
	} else {
		q = q.Where("id BETWEEN ? AND ?", min(in.FromMessageID, in.ToMessageID), max(in.FromMessageID, in.ToMessageID))
		for _, end := range []string{in.FromMessageID, in.ToMessageID} {
			var n int64
			if err := tx.Model(&models.Message{}).Where("id = ? AND conversation_id = ?", end, acc.conv.ID).Count(&n).Error; err != nil {
				return nil, err
			}
			if n == 0 {
				return nil, invalid("message_not_in_conversation", "from_message_id", "both ends of the range must be messages of the conversation")
			}
		}
	}
	var msgs []models.Message
	if err := q.Order("id").Limit(maxExcerpt + 1).Find(&msgs).Error; err != nil {
		return nil, err
	}
	if want > 0 && len(msgs) != want {
		return nil, invalid("message_not_in_conversation", "message_ids", "every message must belong to the conversation")
	}
	if len(msgs) > maxExcerpt {
		return nil, invalid("excerpt_too_long", "message_ids", "an excerpt holds at most 500 messages")
	}
	tr := &Transcript{ConversationID: acc.conv.ID, Messages: make([]FrozenMessage, len(msgs))}
	for i := range msgs {
		tr.Messages[i] = FrozenMessage{MessageView: *messageView(&msgs[i], true), HashVerified: messageHash(&msgs[i]) == msgs[i].Hash}
	}
	return tr, nil
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// evidenceView renders an item; flags are kept for support and arbitrators.
func evidenceView(ev *models.Evidence, flags bool) *EvidenceView {
	v := &EvidenceView{ID: ev.ID, DisputeID: ev.DisputeID, SubmitterID: ev.SubmitterID, Party: ev.Party, Stage: ev.Stage,
		Kind: ev.Kind, SHA256: ev.SHA256, Verified: sha256Hex(ev.Content) == ev.SHA256, CreatedAt: ev.CreatedAt}
	switch ev.Kind {
	case "note":
		v.Note = ev.Content
	case "file":
		v.File = &models.File{}
		_ = json.Unmarshal([]byte(ev.Content), v.File)
	case "chat":
		v.Transcript = &Transcript{}
		_ = json.Unmarshal([]byte(ev.Content), v.Transcript)
		if !flags {
			for i := range v.Transcript.Messages {
				v.Transcript.Messages[i].Flags = nil
			}
		}
	}
	return v
}

// ListEvidence lists a case's evidence, oldest first. Errors: KindNotFound.
func (s *Service) ListEvidence(ctx context.Context, a Actor, id string) ([]EvidenceView, error) {
	db := s.db.WithContext(ctx)
	d, rels, err := s.readDispute(db, a, id)
	if err != nil {
		return nil, err
	}
	return s.evidenceOf(db, d, seesFlags(rels))
}

func (s *Service) evidenceOf(db *gorm.DB, d *models.Dispute, flags bool) ([]EvidenceView, error) {
	var rows []models.Evidence
	if err := db.Where("dispute_id = ?", d.ID).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]EvidenceView, len(rows))
	for i := range rows {
		out[i] = *evidenceView(&rows[i], flags)
	}
	return out, nil
}

func seesFlags(rels []policies.Relation) bool {
	return slices.Contains(rels, policies.Support) || slices.Contains(rels, policies.AssignedArbitrator)
}

// readDispute loads a case the caller may read. Errors: KindNotFound.
func (s *Service) readDispute(db *gorm.DB, a Actor, id string) (*models.Dispute, []policies.Relation, error) {
	var d models.Dispute
	if err := first(db, "dispute", &d, id); err != nil {
		return nil, nil, err
	}
	rels := disputeRelations(a, &d)
	if err := s.authorize(rels, "dispute", "read"); err != nil {
		return nil, nil, err
	}
	return &d, rels, nil
}

// Bundle is everything an arbitrator reads, in one response.
type Bundle struct {
	Dispute  *DisputeView   `json:"dispute"`
	Events   []Event        `json:"events"`
	Offers   []models.Offer `json:"offers"`
	Evidence []EvidenceView `json:"evidence"`
	Timeline *Verification  `json:"timeline"`
}

// CaseBundle gathers a case, its timeline (verified), offers and evidence
// with transcripts; flags are shown to support and arbitrators. Errors:
// KindNotFound.
func (s *Service) CaseBundle(ctx context.Context, a Actor, id string) (*Bundle, error) {
	db := s.db.WithContext(ctx)
	d, rels, err := s.readDispute(db, a, id)
	if err != nil {
		return nil, err
	}
	b := &Bundle{}
	if b.Dispute, err = s.view(db, d, a); err != nil {
		return nil, err
	}
	if b.Events, err = s.Events(ctx, a, id); err != nil {
		return nil, err
	}
	if b.Offers, err = s.Offers(ctx, a, id); err != nil {
		return nil, err
	}
	if b.Evidence, err = s.evidenceOf(db, d, seesFlags(rels)); err != nil {
		return nil, err
	}
	b.Timeline, err = s.VerifyEvents(ctx, a, id)
	return b, err
}
