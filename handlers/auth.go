package handlers

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"

	"github.com/disputed/disputed/workflows"
)

// Claims are the token claims the service reads: sub is the user id, roles
// the platform roles (arbitrator, support, ledger).
type Claims struct {
	jwt.RegisteredClaims
	Roles []string `json:"roles,omitempty"`
}

// Verifier checks bearer tokens. Only asymmetric algorithms are accepted,
// so a token "signed" with the public key as an HMAC secret, or alg none,
// never passes.
type Verifier struct {
	keyfunc jwt.Keyfunc
	methods []string
	seen    verified
}

// verified remembers tokens whose signature already checked out, until they
// expire: a client sends the same token with every request, and an Ed25519
// verification costs ~60us of CPU. Bounded; cleared when full.
type verified struct {
	mu     sync.Mutex
	tokens map[string]cachedActor
}

type cachedActor struct {
	actor workflows.Actor
	exp   time.Time
}

const maxVerified = 50_000

// NewKeyVerifier verifies tokens signed by the private half of pub
// (Ed25519 or RSA).
func NewKeyVerifier(pub crypto.PublicKey) (*Verifier, error) {
	switch pub.(type) {
	case ed25519.PublicKey:
		return &Verifier{keyfunc: func(*jwt.Token) (any, error) { return pub, nil }, methods: []string{"EdDSA"}}, nil
	case *rsa.PublicKey:
		return &Verifier{keyfunc: func(*jwt.Token) (any, error) { return pub, nil }, methods: []string{"RS256", "RS384", "RS512", "PS256"}}, nil
	}
	return nil, fmt.Errorf("unsupported public key type %T", pub)
}

// NewKeyfuncVerifier verifies with a key set, such as one kept fresh from a
// JWKS URL.
func NewKeyfuncVerifier(kf jwt.Keyfunc) *Verifier {
	return &Verifier{keyfunc: kf, methods: []string{"EdDSA", "RS256", "RS384", "RS512", "PS256", "ES256", "ES384"}}
}

// Verify parses and checks a token and returns its caller.
func (v *Verifier) Verify(raw string) (workflows.Actor, error) {
	now := time.Now()
	v.seen.mu.Lock()
	c, ok := v.seen.tokens[raw]
	v.seen.mu.Unlock()
	if ok && now.Before(c.exp) {
		return c.actor, nil
	}
	a, exp, err := v.verify(raw)
	if err == nil {
		v.seen.mu.Lock()
		if v.seen.tokens == nil || len(v.seen.tokens) >= maxVerified {
			v.seen.tokens = make(map[string]cachedActor)
		}
		v.seen.tokens[raw] = cachedActor{actor: a, exp: exp}
		v.seen.mu.Unlock()
	}
	return a, err
}

func (v *Verifier) verify(raw string) (workflows.Actor, time.Time, error) {
	var claims Claims
	_, err := jwt.ParseWithClaims(raw, &claims, v.keyfunc,
		jwt.WithValidMethods(v.methods), jwt.WithExpirationRequired(), jwt.WithLeeway(30*time.Second))
	if err != nil {
		return workflows.Actor{}, time.Time{}, err
	}
	if claims.Subject == "" {
		return workflows.Actor{}, time.Time{}, fmt.Errorf("token has no sub")
	}
	// Without the leeway: a cached token stops working exactly at exp.
	return workflows.Actor{ID: claims.Subject, Roles: claims.Roles}, claims.ExpiresAt.Time, nil
}

const actorKey = "actor"

// authenticate requires a valid bearer token and stores its actor. A
// caller with the arbitrator role becomes eligible for cases.
func authenticate(v *Verifier, svc *workflows.Service) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			scheme, token, ok := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
				return problem(http.StatusUnauthorized, "unauthorized", "send a bearer token in the Authorization header")
			}
			a, err := v.Verify(strings.TrimSpace(token))
			if err != nil {
				return problem(http.StatusUnauthorized, "invalid_token", "the bearer token is not valid: "+err.Error())
			}
			if err := svc.RegisterArbitrator(c.Request().Context(), a); err != nil {
				return err
			}
			c.Set(actorKey, a)
			return next(c)
		}
	}
}

func actor(c echo.Context) workflows.Actor {
	a, _ := c.Get(actorKey).(workflows.Actor)
	return a
}
