package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// config is every setting, read from the environment with defaults.
type config struct {
	Addr          string
	DataDir       string
	DatabaseURL   string
	Ledger        string // embedded or external
	PublicKeyFile string // verify tokens with this PEM public key instead of the local key
	JWKSURL       string // or with a JWKS endpoint
	BodyLimit     string
	LedgerEvery   time.Duration
}

func loadConfig() (config, error) {
	c := config{
		Addr:          env("DISPUTED_ADDR", ":8080"),
		DataDir:       env("DISPUTED_DATA_DIR", "./data"),
		DatabaseURL:   os.Getenv("DISPUTED_DATABASE_URL"),
		Ledger:        env("DISPUTED_LEDGER", "embedded"),
		PublicKeyFile: os.Getenv("DISPUTED_JWT_PUBLIC_KEY_FILE"),
		JWKSURL:       os.Getenv("DISPUTED_JWKS_URL"),
		BodyLimit:     env("DISPUTED_BODY_LIMIT", "1M"),
	}
	var err error
	if c.LedgerEvery, err = time.ParseDuration(env("DISPUTED_LEDGER_INTERVAL", "200ms")); err != nil {
		return c, fmt.Errorf("DISPUTED_LEDGER_INTERVAL: %w", err)
	}
	if c.Ledger != "embedded" && c.Ledger != "external" {
		return c, fmt.Errorf("DISPUTED_LEDGER must be embedded or external, not %q", c.Ledger)
	}
	return c, nil
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// print writes the effective configuration, the database password masked.
func (c config) print(w io.Writer) {
	fmt.Fprintf(w, "disputed config: addr=%s data_dir=%s database=%s ledger=%s auth=%s body_limit=%s\n",
		c.Addr, c.DataDir, maskURL(c.DatabaseURL), c.Ledger, c.authSource(), c.BodyLimit)
}

func (c config) authSource() string {
	switch {
	case c.JWKSURL != "":
		return "jwks:" + c.JWKSURL
	case c.PublicKeyFile != "":
		return "public-key:" + c.PublicKeyFile
	}
	return "local-key:" + localKeyPath(c.DataDir)
}

func maskURL(u string) string {
	if u == "" {
		return "sqlite (data dir)"
	}
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return "****"
	}
	creds, host, ok := strings.Cut(rest, "@")
	if !ok {
		return u
	}
	user, _, hasPass := strings.Cut(creds, ":")
	if hasPass {
		return scheme + "://" + user + ":****@" + host
	}
	return u
}
