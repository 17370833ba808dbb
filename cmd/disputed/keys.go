package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/MicahParks/keyfunc/v3"

	"github.com/disputed/disputed/handlers"
)

func localKeyPath(dataDir string) string { return filepath.Join(dataDir, "signing-key.pem") }

// localKey loads the development signing key from the data dir, creating it
// on first use.
func localKey(dataDir string) (ed25519.PrivateKey, error) {
	path := localKeyPath(dataDir)
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createLocalKey(path)
	}
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		return nil, fmt.Errorf("%s: not PEM", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: not an Ed25519 key", path)
	}
	return priv, nil
}

func createLocalKey(path string) (ed25519.PrivateKey, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	// Write a temporary file and link it into place: the key appears whole or
	// not at all, and if another process won the race we use its key.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".signing-key-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if err := pem.Encode(tmp, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		return localKey(filepath.Dir(path))
	} else if err != nil {
		return nil, err
	}
	return priv, nil
}

// verifier builds the token verifier the configuration asks for.
func verifier(ctx context.Context, c config) (*handlers.Verifier, error) {
	switch {
	case c.JWKSURL != "":
		kf, err := keyfunc.NewDefaultCtx(ctx, []string{c.JWKSURL})
		if err != nil {
			return nil, fmt.Errorf("jwks: %w", err)
		}
		return handlers.NewKeyfuncVerifier(kf.Keyfunc), nil
	case c.PublicKeyFile != "":
		raw, err := os.ReadFile(c.PublicKeyFile)
		if err != nil {
			return nil, err
		}
		block, _ := pem.Decode(raw)
		if block == nil {
			return nil, fmt.Errorf("%s: not PEM", c.PublicKeyFile)
		}
		pub, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.PublicKeyFile, err)
		}
		return handlers.NewKeyVerifier(pub)
	}
	priv, err := localKey(c.DataDir)
	if err != nil {
		return nil, err
	}
	return handlers.NewKeyVerifier(priv.Public())
}
