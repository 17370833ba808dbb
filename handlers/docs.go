package handlers

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"

	"github.com/disputed/disputed/workflows"
)

// DocsCSP is the docs page's Content-Security-Policy: the page is one
// self-contained document (inline styles, an inline SVG), so it may fetch
// nothing, run no script, and not be framed.
const DocsCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

//go:embed docsassets/docs.html.tmpl
var docsAssets embed.FS

// Docs renders the API reference page from the OpenAPI document spec (the
// operations by tag, the problem codes, the schemas) and the dispute
// lifecycle from workflows.Machine (an SVG diagram and the transitions
// table). The page is built once, here; the handler serves the same bytes for
// whatever path it is routed at (/docs and /docs/ alike: every link on the
// page is a fragment). Everything is inline, so the page fetches nothing.
func Docs(spec []byte) (echo.HandlerFunc, error) {
	page, err := renderDocs(spec)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(page)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", DocsCSP)
		h.Set(echo.HeaderXContentTypeOptions, "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set(echo.HeaderXFrameOptions, "DENY")
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", etag)
		if c.Request().Header.Get("If-None-Match") == etag {
			return c.NoContent(http.StatusNotModified)
		}
		return c.HTMLBlob(http.StatusOK, page)
	}, nil
}

// The page's model.
type (
	docsPage struct {
		Title, Version, Description string
		Auth                        []docsAuth
		Tags                        []*docsTag
		OpCount                     int
		Problems                    []docsProblemGroup
		ProblemCount                int
		Diagram                     template.HTML
		Mermaid                     string
		Transitions                 []docsTransition
		Schemas                     []docsSchema
	}
	docsAuth struct{ Name, Kind, Description string }
	docsTag  struct {
		Name, Description string
		Ops               []docsOp
	}
	docsOp struct {
		ID, Method, Path, Summary, Description string
		Public, Deprecated                     bool
		Params                                 []docsParam
		Body                                   *docsBody
		Responses                              []docsResponse
	}
	docsParam struct {
		Name, In    string
		Required    bool
		Type        docsType
		Constraints []string
		Description string
	}
	docsBody struct {
		Required    bool
		Description string
		Content     []docsContent
	}
	docsContent struct {
		MediaType string
		Type      docsType
	}
	// docsResponse is one or more statuses answered alike.
	docsResponse struct {
		Statuses    []string
		Description string
		Content     []docsContent
	}
	docsProblemGroup struct {
		Label string
		Codes []string
	}
	docsTransition struct{ From, Action, Who, Guard, To, Starts string }
	docsSchema     struct {
		Name, Type, Description string
		Constraints             []string
		AllOf                   []docsType
		Props                   []docsProp
	}
	docsProp struct {
		Name        string
		Depth       int
		Type        docsType
		Required    bool
		Constraints []string
		Description string
	}
	// docsType is a type as text, with the parts that name a component
	// schema linked to it: "array of " + Offer.
	docsType []docsTypePart
	// docsTypePart is text, or a schema name when Link is set.
	docsTypePart struct{ Text, Link string }
)

var docsMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions, http.MethodTrace}

func renderDocs(spec []byte) ([]byte, error) {
	loader := openapi3.NewLoader()
	loader.IncludeOrigin = true // document order for operations and properties
	doc, err := loader.LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("docs: load the OpenAPI document: %w", err)
	}
	p := docsPage{Diagram: template.HTML(workflows.LifecycleSVG()), Mermaid: workflows.Diagram()}
	if doc.Info != nil {
		p.Title, p.Version, p.Description = doc.Info.Title, doc.Info.Version, doc.Info.Description
	}
	if p.Title == "" {
		p.Title = "API"
	}
	var comps *openapi3.Components
	if doc.Components != nil {
		comps = doc.Components
	}

	// Operations, grouped by their first tag, tags in the document's order.
	tags := map[string]*docsTag{}
	for _, t := range doc.Tags {
		if t != nil && tags[t.Name] == nil {
			tags[t.Name] = &docsTag{Name: t.Name, Description: t.Description}
			p.Tags = append(p.Tags, tags[t.Name])
		}
	}
	type located struct {
		line int
		op   docsOp
		tag  string
	}
	var ops []located
	for path, item := range doc.Paths.Map() {
		if item == nil {
			continue
		}
		for method, op := range item.Operations() {
			if op == nil {
				continue
			}
			tag := "other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			public := len(doc.Security) == 0
			if op.Security != nil {
				public = len(*op.Security) == 0
			}
			o := docsOp{
				ID: op.OperationID, Method: strings.ToUpper(method), Path: path,
				Summary: op.Summary, Description: op.Description, Public: public, Deprecated: op.Deprecated,
				Params: docsParams(item.Parameters, op.Parameters), Body: docsRequestBody(op.RequestBody),
				Responses: docsResponses(op.Responses),
			}
			if o.ID == "" {
				o.ID = strings.ToLower(o.Method) + strings.NewReplacer("/", "-", "{", "", "}", "").Replace(path)
			}
			ops = append(ops, located{line: originLine(op.Origin), op: o, tag: tag})
		}
	}
	slices.SortStableFunc(ops, func(a, b located) int {
		if a.line != b.line && a.line > 0 && b.line > 0 {
			return a.line - b.line
		}
		if c := strings.Compare(a.op.Path, b.op.Path); c != 0 {
			return c
		}
		return slices.Index(docsMethods, a.op.Method) - slices.Index(docsMethods, b.op.Method)
	})
	for _, o := range ops {
		t := tags[o.tag]
		if t == nil {
			t = &docsTag{Name: o.tag}
			tags[o.tag] = t
			p.Tags = append(p.Tags, t)
		}
		t.Ops = append(t.Ops, o.op)
		p.OpCount++
	}
	p.Tags = slices.DeleteFunc(p.Tags, func(t *docsTag) bool { return len(t.Ops) == 0 })

	if comps != nil {
		for _, name := range sortedKeys(comps.SecuritySchemes) {
			s := comps.SecuritySchemes[name]
			if s == nil || s.Value == nil {
				continue
			}
			kind := s.Value.Type
			if s.Value.Scheme != "" {
				kind += " " + s.Value.Scheme
			}
			if s.Value.BearerFormat != "" {
				kind += " (" + s.Value.BearerFormat + ")"
			}
			p.Auth = append(p.Auth, docsAuth{Name: name, Kind: kind, Description: s.Value.Description})
		}
		_, p.Problems = docsProblemCodes(comps.Schemas["Problem"])
		for _, g := range p.Problems {
			p.ProblemCount += len(g.Codes)
		}
		for _, name := range sortedKeys(comps.Schemas) {
			if ref := comps.Schemas[name]; ref != nil && ref.Value != nil {
				p.Schemas = append(p.Schemas, docsSchemaOf(name, ref.Value))
			}
		}
	}

	for _, t := range workflows.Machine {
		from := string(t.From)
		if from == "" {
			from = "(new)"
		}
		p.Transitions = append(p.Transitions, docsTransition{from, string(t.Action), string(t.Who), t.Guard, string(t.To), t.Starts})
	}

	tmpl, err := template.New("docs.html.tmpl").Funcs(template.FuncMap{
		"prose":  docsProse,
		"inline": docsInline,
		"lower":  strings.ToLower,
	}).ParseFS(docsAssets, "docsassets/docs.html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("docs: parse the template: %w", err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, p); err != nil {
		return nil, fmt.Errorf("docs: render: %w", err)
	}
	return b.Bytes(), nil
}

func originLine(o *openapi3.Origin) int {
	if o == nil || o.Key == nil {
		return 0
	}
	return o.Key.Line
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// docsParams merges the path item's parameters with the operation's (which
// override one with the same name and location): path, query, header, cookie.
func docsParams(item, op openapi3.Parameters) []docsParam {
	var all []*openapi3.Parameter
	for _, list := range []openapi3.Parameters{item, op} {
		for _, ref := range list {
			if ref == nil || ref.Value == nil {
				continue
			}
			v := ref.Value
			all = slices.DeleteFunc(all, func(x *openapi3.Parameter) bool { return x.Name == v.Name && x.In == v.In })
			all = append(all, v)
		}
	}
	order := []string{openapi3.ParameterInPath, openapi3.ParameterInQuery, openapi3.ParameterInHeader, openapi3.ParameterInCookie}
	slices.SortStableFunc(all, func(a, b *openapi3.Parameter) int { return slices.Index(order, a.In) - slices.Index(order, b.In) })
	out := make([]docsParam, 0, len(all))
	for _, v := range all {
		dp := docsParam{Name: v.Name, In: v.In, Required: v.Required, Description: v.Description}
		if v.Schema != nil {
			dp.Type = docsTypeOf(v.Schema)
			if v.Schema.Value != nil {
				// A parameter's constraints are shown in place, even when
				// its schema is a named one.
				dp.Constraints = docsConstraints(v.Schema.Value)
				if dp.Description == "" && v.Schema.Ref == "" {
					dp.Description = v.Schema.Value.Description
				}
			}
		}
		out = append(out, dp)
	}
	return out
}

func docsRequestBody(ref *openapi3.RequestBodyRef) *docsBody {
	if ref == nil || ref.Value == nil {
		return nil
	}
	return &docsBody{Required: ref.Value.Required, Description: ref.Value.Description, Content: docsContents(ref.Value.Content)}
}

func docsContents(c openapi3.Content) []docsContent {
	var out []docsContent
	for _, mt := range sortedKeys(c) {
		dc := docsContent{MediaType: mt}
		if c[mt] != nil && c[mt].Schema != nil {
			dc.Type = docsTypeOf(c[mt].Schema)
		}
		out = append(out, dc)
	}
	return out
}

func docsResponses(rs *openapi3.Responses) []docsResponse {
	if rs == nil {
		return nil
	}
	m := rs.Map()
	keys := sortedKeys(m)
	// "default" after the status codes.
	slices.SortStableFunc(keys, func(a, b string) int {
		return boolInt(a == "default") - boolInt(b == "default")
	})
	var out []docsResponse
	for _, status := range keys {
		ref := m[status]
		if ref == nil || ref.Value == nil {
			continue
		}
		r := docsResponse{Statuses: []string{status}, Content: docsContents(ref.Value.Content)}
		if ref.Value.Description != nil {
			r.Description = *ref.Value.Description
		}
		// Statuses answered alike (the problem responses) share a row.
		if i := slices.IndexFunc(out, func(o docsResponse) bool {
			return o.Description == r.Description && slices.EqualFunc(o.Content, r.Content, func(a, b docsContent) bool {
				return a.MediaType == b.MediaType && slices.Equal(a.Type, b.Type)
			})
		}); i >= 0 {
			out[i].Statuses = append(out[i].Statuses, status)
			continue
		}
		out = append(out, r)
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// refName is the component name a $ref points at, or "".
func refName(ref string) string {
	const prefix = "#/components/schemas/"
	if strings.HasPrefix(ref, prefix) {
		return ref[len(prefix):]
	}
	return ""
}

// docsTypeOf names a schema's type: a named component as a link, an array
// by its items, an allOf of one schema as that schema.
func docsTypeOf(ref *openapi3.SchemaRef) docsType {
	return docsTypeDepth(ref, 0)
}

func docsTypeDepth(ref *openapi3.SchemaRef, depth int) docsType {
	if ref == nil {
		return docsType{{Text: "any"}}
	}
	if name := refName(ref.Ref); name != "" {
		return docsType{{Text: name, Link: name}}
	}
	s := ref.Value
	if s == nil || depth > 4 {
		return docsType{{Text: "any"}}
	}
	var t docsType
	switch {
	case s.Type.Is(openapi3.TypeArray):
		t = append(docsType{{Text: "array of "}}, docsTypeDepth(s.Items, depth+1)...)
	case s.Type == nil && len(s.AllOf) == 1:
		t = docsTypeDepth(s.AllOf[0], depth+1)
	case s.Type == nil && (len(s.AllOf) > 0 || len(s.OneOf) > 0 || len(s.AnyOf) > 0):
		word, list := "all of ", s.AllOf
		if len(s.OneOf) > 0 {
			word, list = "one of ", s.OneOf
		} else if len(s.AnyOf) > 0 {
			word, list = "any of ", s.AnyOf
		}
		t = docsType{{Text: word}}
		for i, r := range list {
			if i > 0 {
				t = append(t, docsTypePart{Text: ", "})
			}
			t = append(t, docsTypeDepth(r, depth+1)...)
		}
	case s.Type == nil || len(s.Type.Slice()) == 0:
		t = docsType{{Text: "any"}}
	default:
		text := strings.Join(s.Type.Slice(), " | ")
		if s.Format != "" {
			text += " (" + s.Format + ")"
		}
		t = docsType{{Text: text}}
	}
	if s.Nullable {
		t = append(t, docsTypePart{Text: " | null"})
	}
	return t
}

// docsConstraints lists what a value must satisfy, in words.
func docsConstraints(s *openapi3.Schema) []string {
	var c []string
	if len(s.Enum) > 0 {
		vals := make([]string, 0, len(s.Enum))
		for _, v := range s.Enum {
			if v == nil {
				vals = append(vals, "null")
			} else {
				vals = append(vals, fmt.Sprint(v))
			}
		}
		c = append(c, "one of: "+strings.Join(vals, ", "))
	}
	lo, hi := "≥ ", "≤ "
	if s.ExclusiveMin.IsTrue() {
		lo = "> "
	}
	if s.ExclusiveMax.IsTrue() {
		hi = "< "
	}
	switch {
	case s.Min != nil && s.Max != nil && lo == "≥ " && hi == "≤ ":
		c = append(c, "range "+formatNumber(*s.Min)+"–"+formatNumber(*s.Max))
	default:
		if s.Min != nil {
			c = append(c, lo+formatNumber(*s.Min))
		}
		if s.Max != nil {
			c = append(c, hi+formatNumber(*s.Max))
		}
	}
	c = appendRange(c, s.MinLength, s.MaxLength, "length %d–%d", "length ≥ %d", "length ≤ %d")
	if s.Pattern != "" {
		c = append(c, "pattern "+s.Pattern)
	}
	c = appendRange(c, s.MinItems, s.MaxItems, "%d–%d items", "≥ %d items", "≤ %d items")
	if s.UniqueItems {
		c = append(c, "unique items")
	}
	if s.Default != nil {
		c = append(c, fmt.Sprintf("default %v", s.Default))
	}
	if s.ReadOnly {
		c = append(c, "read-only")
	}
	if s.WriteOnly {
		c = append(c, "write-only")
	}
	if s.Deprecated {
		c = append(c, "deprecated")
	}
	return c
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func docsSchemaOf(name string, s *openapi3.Schema) docsSchema {
	ds := docsSchema{Name: name, Description: s.Description}
	switch {
	case len(s.AllOf) > 0 && s.Type == nil:
		ds.Type = "all of"
		for _, r := range s.AllOf {
			if refName(r.Ref) != "" || r.Value == nil {
				ds.AllOf = append(ds.AllOf, docsTypeOf(r))
				continue
			}
			ds.AllOf = append(ds.AllOf, docsType{{Text: "the properties below"}})
			ds.Props = append(ds.Props, docsProps(r.Value, 0, "")...)
		}
	default:
		ds.Type = docsTypeText(docsTypeOf(&openapi3.SchemaRef{Value: s}))
		ds.Constraints = docsConstraints(s)
		ds.Props = docsProps(s, 0, "")
	}
	if s.AdditionalProperties.Has != nil && !*s.AdditionalProperties.Has {
		ds.Constraints = append(ds.Constraints, "no other properties")
	}
	return ds
}

func docsTypeText(t docsType) string {
	var b strings.Builder
	for _, p := range t {
		b.WriteString(p.Text)
	}
	return b.String()
}

// docsProps flattens an object's properties, in document order, required
// first; inline objects (and arrays of them) are expanded beneath their
// property as name.child or name[].child.
func docsProps(s *openapi3.Schema, depth int, prefix string) []docsProp {
	if s == nil || depth > 3 {
		return nil
	}
	names := sortedKeys(s.Properties)
	slices.SortStableFunc(names, func(a, b string) int {
		la, lb := originLine(s.Properties[a].Origin), originLine(s.Properties[b].Origin)
		if la > 0 && lb > 0 {
			return la - lb
		}
		return 0
	})
	var out []docsProp
	for _, n := range names {
		ref := s.Properties[n]
		if ref == nil {
			continue
		}
		p := docsProp{Name: prefix + n, Depth: depth, Type: docsTypeOf(ref), Required: slices.Contains(s.Required, n)}
		v := ref.Value
		if v != nil {
			if refName(ref.Ref) == "" {
				p.Constraints = docsConstraints(v)
				p.Description = v.Description
				// allOf: [$ref] with a description: the description is the property's.
				if len(v.AllOf) == 1 && v.AllOf[0].Value != nil && refName(v.AllOf[0].Ref) != "" && v.Description == "" {
					p.Description = v.AllOf[0].Value.Description
				}
			}
			if v.AdditionalProperties.Has != nil && !*v.AdditionalProperties.Has && refName(ref.Ref) == "" {
				p.Constraints = append(p.Constraints, "no other properties")
			}
		}
		out = append(out, p)
		if v == nil || refName(ref.Ref) != "" {
			continue
		}
		switch {
		case len(v.Properties) > 0:
			out = append(out, docsProps(v, depth+1, prefix+n+".")...)
		case v.Type.Is(openapi3.TypeArray) && v.Items != nil && refName(v.Items.Ref) == "" && v.Items.Value != nil && len(v.Items.Value.Properties) > 0:
			out = append(out, docsProps(v.Items.Value, depth+1, prefix+n+"[].")...)
		}
	}
	return out
}

// docsProblemCodes reads the problem codes from the description of the
// Problem schema's code property: "Stable machine code: a, b; group: c, d."
// Each ";"-separated part is a group, named by the words before its colon.
func docsProblemCodes(ref *openapi3.SchemaRef) (string, []docsProblemGroup) {
	if ref == nil || ref.Value == nil || ref.Value.Properties["code"] == nil || ref.Value.Properties["code"].Value == nil {
		return "", nil
	}
	desc := strings.TrimSpace(ref.Value.Properties["code"].Value.Description)
	intro := ""
	if i := strings.Index(desc, ":"); i >= 0 {
		intro, desc = strings.TrimSpace(desc[:i]), desc[i+1:]
	}
	var groups []docsProblemGroup
	for i, part := range strings.Split(desc, ";") {
		label := "general"
		if i > 0 {
			if j := strings.Index(part, ":"); j >= 0 {
				label, part = strings.TrimSpace(part[:j]), part[j+1:]
			}
		}
		var codes []string
		for _, c := range strings.Split(part, ",") {
			c = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(c), "."))
			if c != "" {
				codes = append(codes, c)
			}
		}
		if len(codes) > 0 {
			groups = append(groups, docsProblemGroup{Label: label, Codes: codes})
		}
	}
	return intro, groups
}

// docsInline escapes text and renders `backticked` spans as code.
func docsInline(s string) template.HTML {
	parts := strings.Split(s, "`")
	var b strings.Builder
	for i, part := range parts {
		esc := template.HTMLEscapeString(part)
		if i%2 == 1 && i < len(parts)-1 {
			b.WriteString("<code>" + esc + "</code>")
		} else {
			if i%2 == 1 { // an unmatched backtick
				b.WriteString("`")
			}
			b.WriteString(esc)
		}
	}
	return template.HTML(b.String())
}

// docsProse renders a description: blank lines separate paragraphs, single
// line breaks are spaces.
func docsProse(s string) template.HTML {
	var b strings.Builder
	for _, para := range strings.Split(strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")), "\n\n") {
		para = strings.Join(strings.Fields(para), " ")
		if para != "" {
			b.WriteString("<p>" + string(docsInline(para)) + "</p>")
		}
	}
	return template.HTML(b.String())
}

// appendRange describes a min/max pair of a length or item count.
func appendRange(c []string, min uint64, max *uint64, both, atLeast, atMost string) []string {
	switch {
	case min > 0 && max != nil:
		return append(c, fmt.Sprintf(both, min, *max))
	case min > 0:
		return append(c, fmt.Sprintf(atLeast, min))
	case max != nil:
		return append(c, fmt.Sprintf(atMost, *max))
	}
	return c
}
