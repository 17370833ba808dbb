// Package dbtest gives each test a fresh, migrated database: a SQLite file by
// default, or a new PostgreSQL database when DISPUTED_TEST_POSTGRES_URL
// names a server (the URL of a database to connect to for CREATE DATABASE).
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/disputed/disputed/models"
)

// EnvPostgres names the admin URL of the PostgreSQL server tests use.
const EnvPostgres = "DISPUTED_TEST_POSTGRES_URL"

// New returns a migrated database that is dropped when the test ends.
func New(t testing.TB) *models.DB {
	t.Helper()
	admin := os.Getenv(EnvPostgres)
	if admin == "" {
		db, err := models.OpenSQLite(filepath.Join(t.TempDir(), "test.db"))
		if err != nil {
			t.Fatal(err)
		}
		return migrated(t, db)
	}
	adminDB, err := models.Open(admin, "")
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() { adminDB.Close() })
	name := "disputed_test_" + randomHex()
	if err := adminDB.Exec("CREATE DATABASE " + name).Error; err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	db, err := models.Open(u.String(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := adminDB.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").Error; err != nil {
			t.Errorf("dbtest: drop database %s: %v", name, err)
		}
	})
	return migrated(t, db)
}

func migrated(t testing.TB, db *models.DB) *models.DB {
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("dbtest: migrate %s: %v", db.Dialect, err)
	}
	return db
}

func randomHex() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprint("dbtest: ", err))
	}
	return hex.EncodeToString(b)
}
