// Package disputed holds the API contract, embedded so the binary serves it.
package disputed

import _ "embed"

// OpenAPI is openapi.yaml, the contract every route is tested against.
//
//go:embed openapi.yaml
var OpenAPI []byte
