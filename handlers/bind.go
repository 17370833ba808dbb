package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
	"github.com/labstack/echo/v4"

	"github.com/disputed/disputed/workflows"
)

var validate = newValidator()

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	// Report fields by their JSON names, as the client sent them.
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	return v
}

// bind decodes a JSON body strictly (unknown fields and trailing data are
// errors) into dst and validates it. An empty body decodes as {} when
// allowEmpty is set, for requests whose fields are all optional.
func bind(c echo.Context, dst any, allowEmpty bool) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return err // BodyLimit's 413 arrives here
	}
	if len(bytes.TrimSpace(body)) == 0 && allowEmpty {
		body = []byte("{}")
	} else if mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType)); mt != echo.MIMEApplicationJSON {
		return problem(http.StatusUnsupportedMediaType, "unsupported_media_type", "send the body as application/json")
	}
	if !utf8.Valid(body) {
		return problem(http.StatusBadRequest, "malformed_json", "the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return problem(http.StatusBadRequest, "malformed_json", "unexpected data after the JSON object")
	}
	if field := nulField(reflect.ValueOf(dst), ""); field != "" {
		return workflows.Invalid([]workflows.FieldError{{Field: field, Reason: "must not contain NUL characters"}})
	}
	return validateStruct(dst)
}

// bindEmpty accepts no body or an empty JSON object, for actions without input.
func bindEmpty(c echo.Context) error {
	var none struct{}
	return bind(c, &none, true)
}

// nulField names the first string field holding a NUL character, which no
// text column can store.
func nulField(v reflect.Value, path string) string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return nulField(v.Elem(), path)
		}
	case reflect.String:
		if strings.ContainsRune(v.String(), 0) {
			return path
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			if f := nulField(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); f != "" {
				return f
			}
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
			if path != "" {
				name = path + "." + name
			}
			if f := nulField(v.Field(i), name); f != "" {
				return f
			}
		}
	}
	return ""
}

func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "(body)"
		}
		return workflows.Invalid([]workflows.FieldError{{Field: field, Reason: "must be a " + jsonType(typeErr.Type)}})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return workflows.Invalid([]workflows.FieldError{{Field: field, Reason: "unknown field"}})
	}
	return problem(http.StatusBadRequest, "malformed_json", "the body is not valid JSON: "+err.Error())
}

func jsonType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "integer"
	case reflect.Slice:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Bool:
		return "boolean"
	}
	return t.String()
}

func validateStruct(v any) error {
	err := validate.Struct(v)
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return err
	}
	fields := make([]workflows.FieldError, len(verrs))
	for i, fe := range verrs {
		ns := fe.Namespace()
		_, path, _ := strings.Cut(ns, ".") // drop the struct's own name
		fields[i] = workflows.FieldError{Field: path, Reason: reason(fe)}
	}
	return workflows.Invalid(fields)
}

func reason(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "min":
		return "must be at least " + fe.Param()
	case "max":
		return "must be at most " + fe.Param()
	case "iso4217":
		return "must be an ISO 4217 currency code"
	case "oneof":
		return "must be one of: " + fe.Param()
	}
	return "fails " + fe.Tag()
}

// queryInt reads an optional integer query parameter within [min, max].
func queryInt(c echo.Context, name string, def, min, max int64) (int64, error) {
	raw := c.QueryParam(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < min || n > max {
		return 0, workflows.Invalid([]workflows.FieldError{{Field: name,
			Reason: fmt.Sprintf("must be an integer from %d to %d", min, max)}})
	}
	return n, nil
}

// pageRequest reads cursor and limit.
func pageRequest(c echo.Context) (workflows.PageRequest, error) {
	limit, err := queryInt(c, "limit", 50, 1, 200)
	cursor := c.QueryParam("cursor")
	if err == nil && len(cursor) > 64 { // cursors are ids
		err = workflows.Invalid([]workflows.FieldError{{Field: "cursor", Reason: "must be a next_cursor from a previous page"}})
	}
	return workflows.PageRequest{Cursor: cursor, Limit: int(limit)}, err
}

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own response types are marshalled
	}
	return b
}
