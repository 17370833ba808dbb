package handlers_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/disputed/disputed/handlers"
)

func TestBadTokensAre401(t *testing.T) {
	h := newHarness(t)
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	pub := h.key.Public().(ed25519.PublicKey)
	claims := func(exp time.Time) handlers.Claims {
		return handlers.Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: emp, ExpiresAt: jwt.NewNumericDate(exp)}}
	}
	future := time.Now().Add(time.Hour)
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, claims(future)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{
		"expired":          h.sign(jwt.SigningMethodEdDSA, h.key, claims(time.Now().Add(-time.Hour))),
		"no expiry":        h.sign(jwt.SigningMethodEdDSA, h.key, handlers.Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: emp}}),
		"other key":        h.sign(jwt.SigningMethodEdDSA, otherKey, claims(future)),
		"alg none":         none,
		"hs256 public key": h.sign(jwt.SigningMethodHS256, []byte(pub), claims(future)),
		"no sub":           h.sign(jwt.SigningMethodEdDSA, h.key, handlers.Claims{RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(future)}}),
		"garbage":          "not.a.token",
	}
	for name, tok := range tokens {
		t.Run(name, func(t *testing.T) {
			h := h.with(t)
			r := h.get(tok, "/v1/projects")
			r.problem(401, "invalid_token")
			if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Fatalf("WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
			}
		})
	}
	h.do(req{method: "GET", path: "/v1/projects", header: map[string]string{"Authorization": "Basic dTpw"}}).problem(401, "unauthorized")
	h.get(h.token(emp), "/v1/projects").ok(200, nil)
}
