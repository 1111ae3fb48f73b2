package domainkit

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"buf.build/go/protovalidate"
	"google.golang.org/protobuf/proto"
)

// Fields is the set of fields an update writes, by proto field name (as
// the update request names them); nil writes every field the update
// carries. Fields an update leaves out keep their stored values.
type Fields map[string]bool

// Has reports whether the update writes the field.
func (f Fields) Has(name string) bool {
	return f == nil || f[name]
}

// Add makes the update write the field too (a nil Fields writes it
// already). A BeforeUpdate hook that sets a field the request's mask left
// out adds it, or its value is not written.
func (f Fields) Add(name string) {
	if f != nil {
		f[name] = true
	}
}

// IfWritten is v when the update writes the field, nil otherwise: the
// unique values of an update are checked only for the fields it writes.
func IfWritten[T any](f Fields, name string, v *T) *T {
	if f.Has(name) {
		return v
	}
	return nil
}

// maxNamed bounds how many bad paths an error names.
const maxNamed = 5

// Mask says which paths the google.protobuf.FieldMask of an update request
// may name.
type Mask struct {
	// Field is the request's FieldMask field, e.g. update_mask.
	Field string
	// Paths maps each accepted path (a field's proto name and its JSON
	// name) to the field it names.
	Paths map[string]string
	// Immutable holds the paths of fields an update never writes: the
	// immutable ones, the identifiers and the timestamps the server keeps.
	Immutable map[string]bool
}

// Fields reads the paths of an update's FieldMask. Without paths (no mask,
// or an empty one) the update writes every field it carries (nil), as
// AIP-134 says; otherwise exactly the fields the paths name. A path naming
// an immutable field, or no field of the update, is an error naming it.
func (m *Mask) Fields(paths []string) (Fields, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	fields := Fields{}
	var immutable, unknown []string
	for _, p := range paths {
		switch name, ok := m.Paths[p]; {
		case ok:
			fields[name] = true
		case m.Immutable[p]:
			immutable = append(immutable, p)
		default:
			unknown = append(unknown, p)
		}
	}
	if immutable == nil && unknown == nil {
		return fields, nil
	}
	var problems []string
	if immutable != nil {
		problems = append(problems, namedPaths(immutable)+" immutable")
	}
	if unknown != nil {
		problems = append(problems, namedPaths(unknown)+" not a field of the update")
	}
	names := slices.Sorted(maps.Keys(m.writable()))
	return nil, fmt.Errorf("%s: %s; a path is one of %s", m.Field, strings.Join(problems, ", "),
		strings.Join(names, ", "))
}

// namedPaths quotes distinct paths, sorted, at most maxNamed of them:
// `"a" is`, `"a", "b" are`, `"a", ... and 3 more are`.
func namedPaths(paths []string) string {
	slices.Sort(paths)
	paths = slices.Compact(paths)
	quoted := make([]string, 0, maxNamed)
	for _, p := range paths[:min(len(paths), maxNamed)] {
		quoted = append(quoted, fmt.Sprintf("%q", p))
	}
	text := strings.Join(quoted, ", ")
	if len(paths) > maxNamed {
		text += fmt.Sprintf(" and %d more", len(paths)-maxNamed)
	}
	if len(paths) == 1 {
		return text + " is"
	}
	return text + " are"
}

// writable is the set of the fields an update may write.
func (m *Mask) writable() map[string]bool {
	names := make(map[string]bool, len(m.Paths))
	for _, name := range m.Paths {
		names[name] = true
	}
	return names
}

// Validate checks req with the validator, except the rules of the fields
// an update may write but fields leaves out: those fields are not written,
// so what the request holds for them does not matter. Nil fields (every
// field written) checks every rule.
func (m *Mask) Validate(validator protovalidate.Validator, req proto.Message, fields Fields) error {
	err := validator.Validate(req)
	var invalid *protovalidate.ValidationError
	if fields == nil || !errors.As(err, &invalid) {
		return err
	}
	writable := m.writable()
	var kept []*protovalidate.Violation
	for _, v := range invalid.Violations {
		if elements := v.Proto.GetField().GetElements(); len(elements) > 0 {
			name := elements[0].GetFieldName()
			if writable[name] && !fields[name] {
				continue
			}
		}
		kept = append(kept, v)
	}
	if kept == nil {
		return nil
	}
	return &protovalidate.ValidationError{Violations: kept}
}

// Set is one column an update may write: the field it holds, the column,
// the value, and whether a nil value keeps the stored one (an enum left
// UNSPECIFIED).
type Set struct {
	Field  string
	Column string
	Value  any
	Keep   bool
}

// UpdateSet returns the SET list of an update writing fields (nil: every
// one) among sets, and the values it binds, numbered from $first on;
// updated_at is always set. Columns come only from sets, which the
// generated repository writes, never from a request.
func UpdateSet(fields Fields, first int, sets []Set) (string, []any) {
	var b strings.Builder
	var args []any
	for _, s := range sets {
		if !fields.Has(s.Field) {
			continue
		}
		n := first + len(args)
		if s.Keep {
			fmt.Fprintf(&b, "%s = COALESCE($%d, %s), ", s.Column, n, s.Column)
		} else {
			fmt.Fprintf(&b, "%s = $%d, ", s.Column, n)
		}
		args = append(args, s.Value)
	}
	b.WriteString("updated_at = CURRENT_TIMESTAMP")
	return b.String(), args
}
