package domainkit

import (
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

type role string

func TestStrings(t *testing.T) {
	tests := []struct {
		name string
		in   []role
		want []string
	}{
		{name: "nil", in: nil, want: []string{}},
		{name: "empty", in: []role{}, want: []string{}},
		{name: "values in order", in: []role{"engineer", "", "manager"}, want: []string{"engineer", "", "manager"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Strings(tt.in)
			if got == nil || !slices.Equal(got, tt.want) {
				t.Errorf("Strings(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestMapSlice(t *testing.T) {
	double := func(n *int) *string {
		if n == nil {
			return nil
		}
		s := strconv.Itoa(*n * 2)
		return &s
	}
	one, two := 1, 2
	got := MapSlice([]*int{&one, nil, &two}, double)
	if len(got) != 3 || got[0] == nil || *got[0] != "2" || got[1] != nil || got[2] == nil || *got[2] != "4" {
		t.Errorf("MapSlice() = %v, want [2 <nil> 4]", got)
	}
	empty := MapSlice(nil, double)
	if empty == nil || len(empty) != 0 {
		t.Errorf("MapSlice(nil) = %#v, want an empty non-nil slice", empty)
	}
}

func TestMapPtr(t *testing.T) {
	itoa := func(n int) string { return strconv.Itoa(n) }
	if got := MapPtr((*int)(nil), itoa); got != nil {
		t.Errorf("MapPtr(nil) = %v, want nil", *got)
	}
	n := 42
	got := MapPtr(&n, itoa)
	if got == nil || *got != "42" {
		t.Errorf("MapPtr(&42) = %v, want &\"42\"", got)
	}
	zero := 0
	if got := MapPtr(&zero, itoa); got == nil || *got != "0" {
		t.Errorf("MapPtr(&0) = %v, want &\"0\" (a zero value is no nil)", got)
	}
}

func TestUnlessZero(t *testing.T) {
	toRole := func(r altalunev1.EmployeeRole) role {
		switch r {
		case altalunev1.EmployeeRole_EMPLOYEE_ROLE_ENGINEER:
			return "engineer"
		case altalunev1.EmployeeRole_EMPLOYEE_ROLE_MANAGER:
			return "manager"
		}
		return "other"
	}
	if got := UnlessZero(altalunev1.EmployeeRole_EMPLOYEE_ROLE_UNSPECIFIED, toRole); got != nil {
		t.Errorf("UnlessZero(UNSPECIFIED) = %q, want nil", *got)
	}
	if got := UnlessZero(altalunev1.EmployeeRole_EMPLOYEE_ROLE_MANAGER, toRole); got == nil || *got != "manager" {
		t.Errorf("UnlessZero(MANAGER) = %v, want &manager", got)
	}
	if got := UnlessZero("", func(s string) int { return len(s) }); got != nil {
		t.Errorf("UnlessZero(\"\") = %d, want nil", *got)
	}
	if got := UnlessZero("abc", func(s string) int { return len(s) }); got == nil || *got != 3 {
		t.Errorf("UnlessZero(abc) = %v, want &3", got)
	}
}

func TestDeref(t *testing.T) {
	if got := Deref((*string)(nil)); got != "" {
		t.Errorf("Deref(nil string) = %q, want empty", got)
	}
	if got := Deref((*int64)(nil)); got != 0 {
		t.Errorf("Deref(nil int64) = %d, want 0", got)
	}
	s := "x"
	if got := Deref(&s); got != "x" {
		t.Errorf("Deref(&x) = %q, want x", got)
	}
	type pair struct{ A, B int }
	if got := Deref(&pair{A: 1, B: 2}); got != (pair{A: 1, B: 2}) {
		t.Errorf("Deref(&pair) = %v, want {1 2}", got)
	}
	if got := Deref((*pair)(nil)); got != (pair{}) {
		t.Errorf("Deref(nil pair) = %v, want zero", got)
	}
}

func TestWrap(t *testing.T) {
	if got := Wrap((*string)(nil), wrapperspb.String); got != nil {
		t.Errorf("Wrap(nil, String) = %v, want nil", got)
	}
	s := "desc"
	if got := Wrap(&s, wrapperspb.String); got == nil || got.GetValue() != "desc" {
		t.Errorf("Wrap(&desc, String) = %v, want desc", got)
	}
	empty := ""
	if got := Wrap(&empty, wrapperspb.String); got == nil || got.GetValue() != "" {
		t.Errorf("Wrap(&\"\", String) = %v, want a wrapper of \"\"", got)
	}
	n := int64(math.MinInt64)
	if got := Wrap(&n, wrapperspb.Int64); got == nil || got.GetValue() != math.MinInt64 {
		t.Errorf("Wrap(&MinInt64, Int64) = %v", got)
	}
	f := false
	if got := Wrap(&f, wrapperspb.Bool); got == nil || got.GetValue() {
		t.Errorf("Wrap(&false, Bool) = %v, want a wrapper of false", got)
	}
	if got := Wrap((*float64)(nil), wrapperspb.Double); got != nil {
		t.Errorf("Wrap(nil, Double) = %v, want nil", got)
	}
	a := int32(41)
	if got := Wrap(&a, wrapperspb.Int32); !proto.Equal(got, wrapperspb.Int32(41)) {
		t.Errorf("Wrap(&41, Int32) = %v, want 41", got)
	}
}

func TestUnwrap(t *testing.T) {
	if got := Unwrap[string]((*wrapperspb.StringValue)(nil)); got != nil {
		t.Errorf("Unwrap(nil StringValue) = %q, want nil", *got)
	}
	if got := Unwrap[string](wrapperspb.String("x")); got == nil || *got != "x" {
		t.Errorf("Unwrap(String(x)) = %v, want &x", got)
	}
	if got := Unwrap[string](wrapperspb.String("")); got == nil || *got != "" {
		t.Errorf("Unwrap(String(\"\")) = %v, want &\"\"", got)
	}
	if got := Unwrap[int64](wrapperspb.Int64(-5)); got == nil || *got != -5 {
		t.Errorf("Unwrap(Int64(-5)) = %v, want &-5", got)
	}
	if got := Unwrap[bool](wrapperspb.Bool(false)); got == nil || *got {
		t.Errorf("Unwrap(Bool(false)) = %v, want &false", got)
	}
	if got := Unwrap[float64]((*wrapperspb.DoubleValue)(nil)); got != nil {
		t.Errorf("Unwrap(nil DoubleValue) = %v, want nil", *got)
	}
	// Round trip.
	v := 2.5
	if got := Unwrap[float64](Wrap(&v, wrapperspb.Double)); got == nil || *got != 2.5 {
		t.Errorf("Unwrap(Wrap(2.5)) = %v, want &2.5", got)
	}
	if got := Unwrap[float64](Wrap(nil, wrapperspb.Double)); got != nil {
		t.Errorf("Unwrap(Wrap(nil)) = %v, want nil", *got)
	}
}

func TestTimeOrNil(t *testing.T) {
	if got := TimeOrNil(nil); got != nil {
		t.Errorf("TimeOrNil(nil) = %v, want nil", *got)
	}
	got := TimeOrNil(&timestamppb.Timestamp{Seconds: 1700000000, Nanos: 123})
	want := time.Unix(1700000000, 123).UTC()
	if got == nil || !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("TimeOrNil() = %v, want %v in UTC", got, want)
	}
}

func TestTimestampOrNil(t *testing.T) {
	if got := TimestampOrNil(nil); got != nil {
		t.Errorf("TimestampOrNil(nil) = %v, want nil", got)
	}
	at := time.Date(2024, 2, 29, 13, 14, 15, 16, time.FixedZone("WIB", 7*3600))
	got := TimestampOrNil(&at)
	if got.GetSeconds() != at.Unix() || got.GetNanos() != 16 {
		t.Errorf("TimestampOrNil() = %v, want seconds %d nanos 16", got, at.Unix())
	}
}

func TestTimeRoundTrips(t *testing.T) {
	times := []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 2, 29, 13, 14, 15, 999999999, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
	}
	for _, at := range times {
		back := TimeOrNil(TimestampOrNil(&at))
		if back == nil || !back.Equal(at) {
			t.Errorf("TimeOrNil(TimestampOrNil(%v)) = %v", at, back)
		}
		ts := &timestamppb.Timestamp{Seconds: at.Unix(), Nanos: int32(at.Nanosecond())}
		if got := TimestampOrNil(TimeOrNil(ts)); !proto.Equal(got, ts) {
			t.Errorf("TimestampOrNil(TimeOrNil(%v)) = %v", ts, got)
		}
	}
	if got := TimeOrNil(TimestampOrNil(nil)); got != nil {
		t.Errorf("nil round trip = %v, want nil", *got)
	}
}

func TestNonNilBytes(t *testing.T) {
	if got := NonNilBytes(nil); got == nil || len(got) != 0 {
		t.Errorf("NonNilBytes(nil) = %#v, want empty non-nil", got)
	}
	empty := []byte{}
	if got := NonNilBytes(empty); got == nil || len(got) != 0 {
		t.Errorf("NonNilBytes([]) = %#v, want empty non-nil", got)
	}
	b := []byte{0, 1, 2}
	got := NonNilBytes(b)
	if !slices.Equal(got, []byte{0, 1, 2}) || &got[0] != &b[0] {
		t.Errorf("NonNilBytes(%v) = %v, want the same bytes", b, got)
	}
}

func TestFiltersToProto(t *testing.T) {
	tests := []struct {
		name string
		in   map[string][]string
		want map[string]*altalunev1.FilterValues
	}{
		{name: "nil", in: nil, want: map[string]*altalunev1.FilterValues{}},
		{
			name: "catalog",
			in:   map[string][]string{"roles": {"engineer", "manager"}, "remote": {"false", "true"}, "name": {}},
			want: map[string]*altalunev1.FilterValues{
				"roles":  {Values: []string{"engineer", "manager"}},
				"remote": {Values: []string{"false", "true"}},
				"name":   {Values: []string{}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FiltersToProto(tt.in)
			if got == nil || len(got) != len(tt.want) {
				t.Fatalf("FiltersToProto() = %v, want %v", got, tt.want)
			}
			for key, want := range tt.want {
				if !proto.Equal(got[key], want) || !slices.Equal(got[key].GetValues(), want.GetValues()) {
					t.Errorf("FiltersToProto()[%q] = %v, want %v", key, got[key], want)
				}
			}
		})
	}
}
