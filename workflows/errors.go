package workflows

import (
	"errors"
	"fmt"
)

// Kind says what went wrong in terms a caller can act on; handlers map each
// kind to one HTTP status.
type Kind int

const (
	// KindInvalid: the input is malformed or breaks a domain rule (422).
	KindInvalid Kind = iota + 1
	// KindNotFound: no such resource, or the caller has no relation to it (404).
	KindNotFound
	// KindForbidden: the caller is related to the resource but may not do this (403).
	KindForbidden
	// KindConflict: the resource is in a state that does not allow this now (409).
	KindConflict
)

// FieldError names one offending input field.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Error is the one error type workflows return for expected failures. Code
// is stable and documented in openapi.yaml; Detail is for humans.
type Error struct {
	Kind   Kind
	Code   string
	Detail string
	Fields []FieldError
}

func (e *Error) Error() string { return e.Code + ": " + e.Detail }

// AsError extracts a workflow error, if err is one.
func AsError(err error) (*Error, bool) {
	var we *Error
	ok := errors.As(err, &we)
	return we, ok
}

func notFound(what string) error {
	return &Error{Kind: KindNotFound, Code: "not_found", Detail: what + " not found"}
}

func forbidden(format string, args ...any) error {
	return &Error{Kind: KindForbidden, Code: "forbidden", Detail: fmt.Sprintf(format, args...)}
}

// errSuspended refuses a suspended user what a suspension takes away.
var errSuspended = &Error{Kind: KindForbidden, Code: "user_suspended",
	Detail: "your account is suspended: you may read and answer your open disputes, but not post messages, create projects or file disputes"}

func conflict(code, format string, args ...any) error {
	return &Error{Kind: KindConflict, Code: code, Detail: fmt.Sprintf(format, args...)}
}

func invalid(code, field, reason string) error {
	return &Error{Kind: KindInvalid, Code: code, Detail: field + ": " + reason,
		Fields: []FieldError{{Field: field, Reason: reason}}}
}

// Invalid builds a validation error over several fields; used by the HTTP
// edge for shape checks so every 422 looks the same.
func Invalid(fields []FieldError) error {
	return &Error{Kind: KindInvalid, Code: "validation_failed", Detail: "the request has invalid fields", Fields: fields}
}
