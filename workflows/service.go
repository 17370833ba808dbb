// Package workflows is the domain: milestone rules, ledger instructions, the
// embedded ledger and (later) the dispute machine. Every command runs in one
// database transaction and asks the policies package before it acts. No HTTP
// types live here.
package workflows

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/disputed/disputed/models"
	"github.com/disputed/disputed/policies"
)

// Service runs the commands and queries of the domain.
type Service struct {
	db          *models.DB
	authz       *policies.Authorizer
	now         func() time.Time
	rules       Rules
	files       FileStore
	maxUpload   int64
	embedded    bool
	arbitrators sync.Map // user ids already recorded as arbitrators
}

// Options are a Service's collaborators and limits.
type Options struct {
	Rules Rules
	// Files keeps uploaded content; MaxUpload caps one file, in bytes.
	Files     FileStore
	MaxUpload int64
	// Now is the clock (default time.Now); tests inject their own.
	Now func() time.Time
	// EmbeddedLedger refuses acks and rejections over the API: the embedded
	// ledger executes instructions, and an outside answer would settle one
	// without its journal entries.
	EmbeddedLedger bool
}

// New builds a Service. Times are kept to the microsecond, the precision
// PostgreSQL stores, so what is hashed is what is read back.
func New(db *models.DB, authz *policies.Authorizer, opts Options) *Service {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, authz: authz, rules: opts.Rules, files: opts.Files, maxUpload: opts.MaxUpload, embedded: opts.EmbeddedLedger,
		now: func() time.Time { return now().UTC().Truncate(time.Microsecond) }}
}

// Actor is the authenticated caller: a user id and the platform roles its
// token carries. Its part in a project comes from the data, not from here.
type Actor struct {
	ID    string
	Roles []string
}

// roleRelations are the relations every caller has from its token alone.
func (a Actor) roleRelations() []policies.Relation {
	rels := []policies.Relation{policies.User}
	for _, r := range a.Roles {
		switch policies.Relation(r) {
		case policies.Support, policies.Ledger, policies.Arbitrator:
			rels = append(rels, policies.Relation(r))
		}
	}
	return rels
}

// authorize hides a resource from callers who may not even read it (404),
// and refuses the action to those who may read but not act (403).
func (s *Service) authorize(rels []policies.Relation, object, action string) error {
	if !s.authz.Allowed(rels, object, "read") {
		return notFound(object)
	}
	if action != "read" && !s.authz.Allowed(rels, object, action) {
		return forbidden("you may not %s this %s", action, object)
	}
	return nil
}

// inTx runs fn in one transaction. If ctx carries an Idempotency-Key, the
// result is stored with it in the same transaction, so a replay returns the
// first answer and a crash can never keep the write but lose the key.
func inTx[T any](ctx context.Context, s *Service, fn func(tx *gorm.DB) (T, error)) (T, error) {
	var out T
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if out, err = fn(tx); err != nil {
			return err
		}
		return s.rememberIdempotent(ctx, tx, out)
	})
	return out, err
}

// readTx runs a read of several statements on one snapshot, so a view never
// mixes rows from before and after a concurrent write (a milestone whose
// instructions are acknowledged while its amounts still wait). SQLite has
// one writer and its transactions take the write lock, so reads there run
// as they are.
func readTx[T any](ctx context.Context, s *Service, fn func(db *gorm.DB) (T, error)) (T, error) {
	if s.db.Dialect != models.Postgres {
		return fn(s.db.WithContext(ctx))
	}
	var out T
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		out, err = fn(tx)
		return err
	}, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	return out, err
}

// lockForUpdate adds FOR UPDATE on PostgreSQL; SQLite transactions are
// already exclusive (BEGIN IMMEDIATE) and the dialect drops the clause.
func lockForUpdate(tx *gorm.DB) *gorm.DB {
	return tx.Clauses(clause.Locking{Strength: "UPDATE"})
}

// skipLocked lets several instances share a queue on PostgreSQL: each takes
// rows no other transaction holds.
var skipLocked = clause.Locking{Strength: "UPDATE", Options: clause.LockingOptionsSkipLocked}

var onConflictDoNothing = clause.OnConflict{DoNothing: true}

func first[T any](tx *gorm.DB, what string, dest *T, id string) error {
	var zero T
	*dest = zero // GORM would add a filled-in primary key to the query
	err := tx.Where("id = ?", id).Take(dest).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return notFound(what)
	}
	return err
}

func newID(prefix string) string {
	return prefix + "_" + strings.ReplaceAll(uuid.Must(uuid.NewV7()).String(), "-", "")
}

// Page is one page of a list and the cursor of the next, if any.
type Page[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// PageRequest asks for the items after Cursor (opaque), at most Limit.
type PageRequest struct {
	Cursor string
	Limit  int
}

const (
	defaultLimit = 50
	maxLimit     = 200
)

func (p PageRequest) limit() int {
	switch {
	case p.Limit <= 0:
		return defaultLimit
	case p.Limit > maxLimit:
		return maxLimit
	}
	return p.Limit
}

// pageByID lists rows newest first by their time-ordered ids. The query
// must already be filtered; the cursor is the last id seen.
func pageByID[T any](q *gorm.DB, req PageRequest, idOf func(T) string) (Page[T], error) {
	return pageOfAny(req, idOf, q)
}

// pageOfAny lists the newest rows matched by any of the queries, each one
// walking its own index (an OR across columns would make the database scan
// the whole primary key backwards to find a party's first page). The
// queries must match disjoint rows.
func pageOfAny[T any](req PageRequest, idOf func(T) string, queries ...*gorm.DB) (Page[T], error) {
	limit := req.limit()
	parts := make([]*gorm.DB, len(queries))
	for i, q := range queries {
		if req.Cursor != "" {
			q = q.Where("id < ?", req.Cursor)
		}
		parts[i] = q.Order("id DESC").Limit(limit + 1)
	}
	var rows []T
	var err error
	if len(parts) == 1 {
		err = parts[0].Find(&rows).Error
	} else {
		sql, args := "", []any{}
		for i, p := range parts {
			if i > 0 {
				sql += " UNION ALL "
			}
			sql += fmt.Sprintf("SELECT * FROM (?) AS p%d", i)
			args = append(args, p)
		}
		err = parts[0].Session(&gorm.Session{NewDB: true}).Raw(sql+" ORDER BY id DESC LIMIT ?", append(args, limit+1)...).Scan(&rows).Error
	}
	if err != nil {
		return Page[T]{}, err
	}
	page := Page[T]{Items: rows}
	if len(rows) > limit {
		page.Items = rows[:limit]
		next := idOf(rows[limit-1])
		page.NextCursor = &next
	}
	if page.Items == nil {
		page.Items = []T{}
	}
	return page, nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own response types are marshalled
	}
	return b
}
