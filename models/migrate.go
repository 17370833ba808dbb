package models

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Each engine has its own copy of every migration: they differ only in type
// names (TIMESTAMPTZ/DATETIME, BIGSERIAL/INTEGER AUTOINCREMENT).
//
//go:embed migrations
var migrations embed.FS

// Migrate brings the schema up to date and returns the version reached.
func (db *DB) Migrate(ctx context.Context) (int64, error) {
	dir, err := fs.Sub(migrations, "migrations/"+string(db.Dialect))
	if err != nil {
		return 0, err
	}
	sqlDB, err := db.DB.DB()
	if err != nil {
		return 0, err
	}
	dialect, opts := goose.DialectSQLite3, []goose.ProviderOption(nil)
	if db.Dialect == Postgres {
		// Several instances may start at once on one database: one migrates, the others wait.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return 0, err
		}
		dialect, opts = goose.DialectPostgres, append(opts, goose.WithSessionLocker(locker))
	}
	provider, err := goose.NewProvider(dialect, sqlDB, dir, opts...)
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	if _, err := provider.Up(ctx); err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	return provider.GetDBVersion(ctx)
}
