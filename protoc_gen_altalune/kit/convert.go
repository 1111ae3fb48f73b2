package domainkit

import (
	"time"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Strings converts string-kinded values, such as a domain enum's, to strings.
func Strings[S ~string](values []S) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

// MapSlice applies f to every item.
func MapSlice[T, U any](items []*T, f func(*T) *U) []*U {
	out := make([]*U, len(items))
	for i, item := range items {
		out[i] = f(item)
	}
	return out
}

// MapPtr applies f to the value p points to; nil stays nil.
func MapPtr[T, U any](p *T, f func(T) U) *U {
	if p == nil {
		return nil
	}
	v := f(*p)
	return &v
}

// UnlessZero maps v with f, or gives nil for the zero value (an enum's
// UNSPECIFIED).
func UnlessZero[P comparable, D any](v P, f func(P) D) *D {
	var zero P
	if v == zero {
		return nil
	}
	d := f(v)
	return &d
}

// Deref is the value p points to, or the zero value for nil.
func Deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// Wrap makes the wrapper message of a nullable value; nil stays nil.
func Wrap[T any, W any](p *T, wrap func(T) W) W {
	if p == nil {
		var zero W
		return zero
	}
	return wrap(*p)
}

// wrapper is a wrapper message, such as *wrapperspb.StringValue.
type wrapper[T any] interface {
	comparable
	GetValue() T
}

// Unwrap is the nullable value of a wrapper message; nil stays nil.
func Unwrap[T any, W wrapper[T]](w W) *T {
	var zero W
	if w == zero {
		return nil
	}
	v := w.GetValue()
	return &v
}

// TimeOrNil is the time of a nullable timestamp.
func TimeOrNil(ts *timestamppb.Timestamp) *time.Time {
	if ts == nil {
		return nil
	}
	t := ts.AsTime()
	return &t
}

// TimestampOrNil is the timestamp of a nullable time.
func TimestampOrNil(t *time.Time) *timestamppb.Timestamp {
	if t == nil {
		return nil
	}
	return timestamppb.New(*t)
}

// NonNilBytes stores nil as empty bytes in a NOT NULL column.
func NonNilBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// FiltersToProto is the API form of a filter catalog.
func FiltersToProto(filters map[string][]string) map[string]*altalunev1.FilterValues {
	out := make(map[string]*altalunev1.FilterValues, len(filters))
	for key, values := range filters {
		out[key] = &altalunev1.FilterValues{Values: values}
	}
	return out
}
