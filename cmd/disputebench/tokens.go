package main

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// minter signs tokens with the server's development key, which is much
// faster than running `disputed token` once per user.
type minter struct {
	key ed25519.PrivateKey
	exp time.Time
}

// claims are the ones the server reads: sub, roles and exp.
type claims struct {
	jwt.RegisteredClaims
	Roles []string `json:"roles,omitempty"`
}

func newMinter(dataDir string, ttl time.Duration) (*minter, error) {
	path := filepath.Join(dataDir, "signing-key.pem")
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the signing key (start the server with the same data dir first): %w", err)
	}
	block, _ := pem.Decode(raw)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%s: not a PKCS8 PRIVATE KEY PEM block", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: %T is not an Ed25519 key", path, k)
	}
	return &minter{key: priv, exp: time.Now().Add(ttl)}, nil
}

func (m *minter) token(sub string, roles ...string) (string, error) {
	return jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims{
		RegisteredClaims: jwt.RegisteredClaims{Subject: sub, ExpiresAt: jwt.NewNumericDate(m.exp)},
		Roles:            roles,
	}).SignedString(m.key)
}
