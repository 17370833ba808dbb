package handlers_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"strconv"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/disputed/disputed/handlers"
	"github.com/disputed/disputed/policies"
)

// BenchmarkAuthenticateAndAuthorize measures what every request pays before
// its workflow runs: verifying an EdDSA bearer token and asking the Casbin
// policy about the caller's relations (a party with four relations, the
// common case, asking for read and then the action).
func BenchmarkAuthenticateAndAuthorize(b *testing.B) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	v, err := handlers.NewKeyVerifier(pub)
	if err != nil {
		b.Fatal(err)
	}
	authz, err := policies.New()
	if err != nil {
		b.Fatal(err)
	}
	tok, _ := jwt.NewWithClaims(jwt.SigningMethodEdDSA, handlers.Claims{
		RegisteredClaims: jwt.RegisteredClaims{Subject: "fl-1", ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))},
	}).SignedString(priv)
	rels := []policies.Relation{policies.User, policies.Party, policies.Freelancer, policies.Claimant}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(tok); err != nil {
			b.Fatal(err)
		}
		if !authz.Allowed(rels, "dispute", "read") || !authz.Allowed(rels, "dispute", "withdraw") {
			b.Fatal("denied")
		}
	}
}

// BenchmarkAuthenticateNewToken is the cost for a token seen for the first
// time (no cached verification): the Ed25519 check dominates.
func BenchmarkAuthenticateNewToken(b *testing.B) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	v, err := handlers.NewKeyVerifier(pub)
	if err != nil {
		b.Fatal(err)
	}
	tokens := make([]string, 4096)
	for i := range tokens {
		tokens[i], _ = jwt.NewWithClaims(jwt.SigningMethodEdDSA, handlers.Claims{
			RegisteredClaims: jwt.RegisteredClaims{Subject: "fl-" + strconv.Itoa(i), ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))},
		}).SignedString(priv)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == len(tokens) {
			b.StopTimer()
			v, _ = handlers.NewKeyVerifier(pub) // a fresh cache, so every token is new again
			i = 0
			b.StartTimer()
		}
		if _, err := v.Verify(tokens[i]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
