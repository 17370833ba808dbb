// Package models holds the database schema, its migrations and the way the
// service opens PostgreSQL or the embedded SQLite database.
package models

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the database engine behind a *gorm.DB.
type Dialect string

const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// DB is the opened database and its engine.
type DB struct {
	*gorm.DB
	Dialect Dialect
}

// Open connects to PostgreSQL when url is set, otherwise to a SQLite file
// disputed.db inside dataDir (created if missing).
func Open(url, dataDir string) (*DB, error) {
	if url != "" {
		db, err := gorm.Open(postgres.Open(url), gormConfig())
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, err
		}
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(20)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		return &DB{DB: db, Dialect: Postgres}, nil
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	return OpenSQLite(filepath.Join(dataDir, "disputed.db"))
}

// OpenSQLite opens (or creates) a SQLite database file.
//
// Transactions begin IMMEDIATE so writers queue on the busy timeout instead of
// failing with "database is locked" when a read transaction tries to upgrade;
// WAL lets readers run beside the one writer; foreign keys are off by default
// in SQLite and must be switched on per connection.
func OpenSQLite(path string) (*DB, error) {
	pragmas := []string{"busy_timeout(10000)", "foreign_keys(1)", "journal_mode(WAL)", "synchronous(NORMAL)"}
	dsn := "file:" + path + "?_txlock=immediate&_pragma=" + strings.Join(pragmas, "&_pragma=")
	db, err := gorm.Open(sqlite.Open(dsn), gormConfig())
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(4)
	sqlDB.SetMaxIdleConns(4)
	return &DB{DB: db, Dialect: SQLite}, nil
}

func gormConfig() *gorm.Config {
	return &gorm.Config{
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC() },
		SkipDefaultTransaction: true, // every write already runs in an explicit transaction
		TranslateError:         true,
	}
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	sqlDB, err := db.DB.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Close releases the connection pool.
func (db *DB) Close() error {
	sqlDB, err := db.DB.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}
