package workflows

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/disputed/disputed/models"
	"github.com/disputed/disputed/policies"
)

// Call is a call record shared in a conversation.
type Call struct {
	Media     string    `json:"media"` // audio or video
	StartedAt time.Time `json:"started_at"`
	DurationS int64     `json:"duration_s"`
}

// NewMessage is a validated message to post.
type NewMessage struct {
	Body        string
	Attachments []string
	Call        *Call
}

// MessageView is a message as a reader sees it. Flags are shown only to
// support and arbitrators.
type MessageView struct {
	MessageContent
	Hash  string `json:"hash"`
	Flags []Flag `json:"flags,omitempty"`
}

// ConversationView is a conversation and its participants.
type ConversationView struct {
	models.Conversation
	Participants []models.Participant `json:"participants"`
}

// createProjectConversation opens the project's conversation between its
// employer and freelancer, in the project's transaction.
func (s *Service) createProjectConversation(tx *gorm.DB, p *models.Project) error {
	c := models.Conversation{ID: newID("cnv"), ProjectID: p.ID, Kind: models.ConversationProject,
		Title: p.Title, CreatedBy: p.EmployerID, CreatedAt: p.CreatedAt}
	if err := tx.Create(&c).Error; err != nil {
		return err
	}
	return addParticipants(tx, c.ID, p.EmployerID, p.CreatedAt, p.EmployerID, p.FreelancerID)
}

func addParticipants(tx *gorm.DB, convID, addedBy string, at time.Time, userIDs ...string) error {
	for _, u := range userIDs {
		err := tx.Clauses(onConflictDoNothing).Create(&models.Participant{ConversationID: convID, UserID: u, AddedBy: addedBy, AddedAt: at}).Error
		if err != nil {
			return err
		}
	}
	return nil
}

// conversationRelations: participant from the membership; party from the
// project; support and the assigned arbitrator only while the project has an
// open dispute (any case for support, one they are assigned to for arbitrators).
func (s *Service) conversationRelations(db *gorm.DB, a Actor, c *models.Conversation) ([]policies.Relation, error) {
	rels := []policies.Relation{policies.User}
	var n int64
	if err := db.Model(&models.Participant{}).Where("conversation_id = ? AND user_id = ?", c.ID, a.ID).Count(&n).Error; err != nil {
		return nil, err
	}
	if n > 0 {
		rels = append(rels, policies.Participant)
	}
	var p models.Project
	if err := first(db, "project", &p, c.ProjectID); err != nil {
		return nil, err
	}
	if a.ID == p.EmployerID || a.ID == p.FreelancerID {
		rels = append(rels, policies.Party)
	}
	roles := a.roleRelations()
	if slices.Contains(roles, policies.Support) || slices.Contains(roles, policies.Arbitrator) {
		// Only while a case is open: a closed case's evidence is frozen in it.
		q := db.Model(&models.Dispute{}).Where("project_id = ? AND stage NOT IN ?", c.ProjectID,
			[]string{string(StageResolved), string(StageWithdrawn)})
		if slices.Contains(roles, policies.Support) {
			if err := q.Count(&n).Error; err != nil {
				return nil, err
			}
			if n > 0 {
				rels = append(rels, policies.Support)
			}
		}
		if slices.Contains(roles, policies.Arbitrator) {
			if err := q.Where("arbitrator_id = ?", a.ID).Count(&n).Error; err != nil {
				return nil, err
			}
			if n > 0 {
				rels = append(rels, policies.AssignedArbitrator)
			}
		}
	}
	return rels, nil
}

// readableConversation loads a conversation the caller may read, with the
// caller's relations to it. Errors: KindNotFound.
func (s *Service) readableConversation(db *gorm.DB, a Actor, id string) (*conversationAccess, error) {
	var c models.Conversation
	if err := first(db, "conversation", &c, id); err != nil {
		return nil, err
	}
	rels, err := s.conversationRelations(db, a, &c)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(rels, "conversation", "read"); err != nil {
		return nil, err
	}
	return &conversationAccess{conv: &c, rels: rels}, nil
}

// conversationFor loads a conversation for a write the caller must be
// allowed and not suspended from. Errors: KindNotFound; KindForbidden.
func (s *Service) conversationFor(tx *gorm.DB, a Actor, id, action string) (*conversationAccess, error) {
	acc, err := s.readableConversation(tx, a, id)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(acc.rels, "conversation", action); err != nil {
		return nil, err
	}
	return acc, s.ensureNotSuspended(tx, a.ID)
}

type conversationAccess struct {
	conv *models.Conversation
	rels []policies.Relation
}

// seesFlags: the detector's flags are for support and arbitrators.
func (c *conversationAccess) seesFlags() bool { return seesFlags(c.rels) }

// ProjectConversation returns the project's own conversation. Errors: KindNotFound.
func (s *Service) ProjectConversation(ctx context.Context, a Actor, projectID string) (*ConversationView, error) {
	db := s.db.WithContext(ctx)
	var c models.Conversation
	err := db.Where("project_id = ? AND kind = ?", projectID, models.ConversationProject).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, notFound("conversation")
	}
	if err != nil {
		return nil, err
	}
	return s.GetConversation(ctx, a, c.ID)
}

// GetConversation returns a conversation and its participants. Errors: KindNotFound.
func (s *Service) GetConversation(ctx context.Context, a Actor, id string) (*ConversationView, error) {
	db := s.db.WithContext(ctx)
	acc, err := s.readableConversation(db, a, id)
	if err != nil {
		return nil, err
	}
	return conversationView(db, acc.conv)
}

func conversationView(db *gorm.DB, c *models.Conversation) (*ConversationView, error) {
	v := &ConversationView{Conversation: *c, Participants: []models.Participant{}}
	return v, db.Where("conversation_id = ?", c.ID).Order("added_at, user_id").Find(&v.Participants).Error
}

// NewGroup is a validated request for a group conversation.
type NewGroup struct {
	ProjectID      string
	Title          string
	ParticipantIDs []string
}

// CreateGroup opens a group conversation in a project, by one of its
// parties; the project's employer and freelancer are always in it.
// Errors: KindNotFound; KindForbidden (not a party; suspended).
func (s *Service) CreateGroup(ctx context.Context, a Actor, in NewGroup) (*ConversationView, error) {
	return inTx(ctx, s, func(tx *gorm.DB) (*ConversationView, error) {
		var p models.Project
		if err := first(tx, "project", &p, in.ProjectID); err != nil {
			return nil, err
		}
		rels := projectRelations(a, &p)
		if err := s.authorize(rels, "project", "read"); err != nil {
			return nil, err
		}
		if !s.authz.Allowed(rels, "conversation", "create") {
			return nil, forbidden("only the project's employer or freelancer may open a conversation in it")
		}
		if err := s.ensureNotSuspended(tx, a.ID); err != nil {
			return nil, err
		}
		now := s.now()
		c := models.Conversation{ID: newID("cnv"), ProjectID: p.ID, Kind: models.ConversationGroup,
			Title: in.Title, CreatedBy: a.ID, CreatedAt: now}
		if err := tx.Create(&c).Error; err != nil {
			return nil, err
		}
		users := append([]string{p.EmployerID, p.FreelancerID}, in.ParticipantIDs...)
		if err := addParticipants(tx, c.ID, a.ID, now, users...); err != nil {
			return nil, err
		}
		return conversationView(tx, &c)
	})
}

// AddParticipant adds a user to a group conversation (a party of the
// project who is in it). Errors: KindNotFound; KindForbidden; KindConflict
// (the project's own conversation is for its two parties only).
func (s *Service) AddParticipant(ctx context.Context, a Actor, convID, userID string) (*ConversationView, error) {
	return inTx(ctx, s, func(tx *gorm.DB) (*ConversationView, error) {
		acc, err := s.conversationFor(tx, a, convID, "add_participant")
		if err != nil {
			return nil, err
		}
		if acc.conv.Kind == models.ConversationProject {
			return nil, conflict("project_conversation_closed", "the project's conversation is between its employer and freelancer; open a group to add people")
		}
		if err := addParticipants(tx, acc.conv.ID, a.ID, s.now(), userID); err != nil {
			return nil, err
		}
		return conversationView(tx, acc.conv)
	})
}

// PostMessage adds a message to a conversation the caller is in. It is
// hashed and run through the offsite-solicitation detector. Errors:
// KindNotFound; KindForbidden (not a participant; suspended); KindInvalid
// (empty; attachment not the sender's upload).
func (s *Service) PostMessage(ctx context.Context, a Actor, convID string, in NewMessage) (*MessageView, error) {
	if in.Body == "" && len(in.Attachments) == 0 && in.Call == nil {
		return nil, invalid("validation_failed", "body", "a message needs a body, attachments or a call")
	}
	return inTx(ctx, s, func(tx *gorm.DB) (*MessageView, error) {
		acc, err := s.conversationFor(tx, a, convID, "post")
		if err != nil {
			return nil, err
		}
		for i, id := range in.Attachments {
			var f models.File
			if err := tx.Where("id = ? AND uploader_id = ?", id, a.ID).Take(&f).Error; err != nil {
				if errors.Is(err, gorm.ErrRecordNotFound) {
					return nil, invalid("attachment_not_found", "attachments["+strconv.Itoa(i)+"]", "no file of yours with this id")
				}
				return nil, err
			}
		}
		m := &models.Message{ID: newID("msg"), ConversationID: convID, SenderID: a.ID, Body: in.Body,
			Attachments: string(mustJSON(nonNil(in.Attachments))), Flags: string(mustJSON(DetectOffsite(in.Body))), CreatedAt: s.now()}
		if in.Call != nil {
			started := in.Call.StartedAt.UTC().Truncate(time.Microsecond)
			m.CallMedia, m.CallStartedAt, m.CallDurationS = &in.Call.Media, &started, &in.Call.DurationS
		}
		m.Hash = messageHash(m)
		if err := tx.Create(m).Error; err != nil {
			return nil, err
		}
		for _, id := range slices.Compact(slices.Sorted(slices.Values(in.Attachments))) {
			if err := tx.Create(&models.MessageFile{MessageID: m.ID, FileID: id}).Error; err != nil {
				return nil, err
			}
		}
		return messageView(m, acc.seesFlags()), nil
	})
}

// ListMessages lists a conversation's messages, newest first. Errors: KindNotFound.
func (s *Service) ListMessages(ctx context.Context, a Actor, convID string, page PageRequest) (Page[MessageView], error) {
	db := s.db.WithContext(ctx)
	acc, err := s.readableConversation(db, a, convID)
	if err != nil {
		return Page[MessageView]{}, err
	}
	rows, err := pageByID(db.Where("conversation_id = ?", convID), page, func(m models.Message) string { return m.ID })
	if err != nil {
		return Page[MessageView]{}, err
	}
	out := Page[MessageView]{Items: make([]MessageView, len(rows.Items)), NextCursor: rows.NextCursor}
	for i := range rows.Items {
		out.Items[i] = *messageView(&rows.Items[i], acc.seesFlags())
	}
	return out, nil
}

// MessageContent is a message as posted: what its hash covers, in a fixed order.
type MessageContent struct {
	ID             string    `json:"id"`
	ConversationID string    `json:"conversation_id"`
	SenderID       string    `json:"sender_id"`
	Body           string    `json:"body"`
	Attachments    []string  `json:"attachments"`
	Call           *Call     `json:"call"`
	CreatedAt      time.Time `json:"created_at"`
}

func contentOf(m *models.Message) MessageContent {
	c := MessageContent{ID: m.ID, ConversationID: m.ConversationID, SenderID: m.SenderID, Body: m.Body, CreatedAt: m.CreatedAt.UTC()}
	_ = json.Unmarshal([]byte(m.Attachments), &c.Attachments)
	c.Attachments = nonNil(c.Attachments)
	if m.CallMedia != nil {
		c.Call = &Call{Media: *m.CallMedia, StartedAt: m.CallStartedAt.UTC(), DurationS: *m.CallDurationS}
	}
	return c
}

func messageHash(m *models.Message) string {
	sum := sha256.Sum256(mustJSON(contentOf(m)))
	return hex.EncodeToString(sum[:])
}

func messageView(m *models.Message, flags bool) *MessageView {
	v := &MessageView{MessageContent: contentOf(m), Hash: m.Hash}
	if flags {
		_ = json.Unmarshal([]byte(m.Flags), &v.Flags)
	}
	return v
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
