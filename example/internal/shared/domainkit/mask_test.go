package domainkit

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"buf.build/go/protovalidate"
	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
	"google.golang.org/protobuf/proto"
)

func TestFieldsHas(t *testing.T) {
	var all Fields
	if !all.Has("name") || !all.Has("anything") {
		t.Error("nil Fields must write every field")
	}
	some := Fields{"name": true}
	if !some.Has("name") || some.Has("email") {
		t.Errorf("Fields{name}: Has(name)=%v Has(email)=%v, want true false", some.Has("name"), some.Has("email"))
	}
}

func TestFieldsAdd(t *testing.T) {
	var all Fields
	all.Add("name") // no panic, and still every field
	if all != nil {
		t.Errorf("Add on nil Fields made %v, want nil (every field)", all)
	}
	some := Fields{"name": true}
	some.Add("email")
	if !some.Has("email") || some.Has("phone") {
		t.Errorf("after Add(email): %v", some)
	}
}

func TestIfWritten(t *testing.T) {
	v := "a@example.com"
	if got := IfWritten(nil, "email", &v); got != &v {
		t.Errorf("nil Fields: got %v, want the value", got)
	}
	if got := IfWritten(Fields{"email": true}, "email", &v); got != &v {
		t.Errorf("email written: got %v, want the value", got)
	}
	if got := IfWritten(Fields{"name": true}, "email", &v); got != nil {
		t.Errorf("email not written: got %v, want nil", got)
	}
}

var employeeMask = &Mask{
	Field: "update_mask",
	Paths: map[string]string{
		"name": "name", "email": "email", "phone": "phone", "hired_at": "hired_at", "hiredAt": "hired_at",
		"role": "role",
	},
	Immutable: map[string]bool{"employee_number": true, "employeeNumber": true, "id": true},
}

func TestMaskFields(t *testing.T) {
	const valid = "; a path is one of email, hired_at, name, phone, role"
	tests := []struct {
		name    string
		paths   []string
		want    Fields
		wantErr string
	}{
		{name: "no paths: every field", paths: nil, want: nil},
		{name: "empty mask: every field", paths: []string{}, want: nil},
		{name: "proto names", paths: []string{"name", "phone"}, want: Fields{"name": true, "phone": true}},
		{name: "JSON name", paths: []string{"hiredAt"}, want: Fields{"hired_at": true}},
		{name: "named twice", paths: []string{"email", "email", "hired_at", "hiredAt"},
			want: Fields{"email": true, "hired_at": true}},
		{name: "immutable", paths: []string{"name", "employee_number"},
			wantErr: `update_mask: "employee_number" is immutable` + valid},
		{name: "unknown", paths: []string{"salary"},
			wantErr: `update_mask: "salary" is not a field of the update` + valid},
		{name: "nested path is unknown", paths: []string{"name.first", "name.first"},
			wantErr: `update_mask: "name.first" is not a field of the update` + valid},
		{name: "both, each named", paths: []string{"x", "id", "employeeNumber", "a"},
			wantErr: `update_mask: "employeeNumber", "id" are immutable, "a", "x" are not a field of the update` + valid},
		{name: "many unknown, bounded", paths: []string{"u1", "u2", "u3", "u4", "u5", "u6", "u7", "name"},
			wantErr: `update_mask: "u1", "u2", "u3", "u4", "u5" and 2 more are not a field of the update` + valid},
		{name: "a path that is not text", paths: []string{"bad\x00\xff"},
			wantErr: `update_mask: "bad\x00\xff" is not a field of the update` + valid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := employeeMask.Fields(tt.paths)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if got != nil {
					t.Errorf("fields = %v with an error, want nil", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("fields = %#v, want %#v", got, tt.want)
			}
		})
	}
}

// failingValidator answers every message with err.
type failingValidator struct{ err error }

func (v failingValidator) Validate(proto.Message, ...protovalidate.ValidationOption) error {
	return v.err
}

func violatedFields(t *testing.T, err error) []string {
	t.Helper()
	var invalid *protovalidate.ValidationError
	if !errors.As(err, &invalid) {
		t.Fatalf("err = %v, want a *protovalidate.ValidationError", err)
	}
	var names []string
	for _, v := range invalid.Violations {
		names = append(names, protovalidate.FieldPathString(v.Proto.GetField()))
	}
	return names
}

func TestMaskValidate(t *testing.T) {
	validator, err := protovalidate.New()
	if err != nil {
		t.Fatal(err)
	}
	// name is empty (min_len 1), email is not an address, project_id is too
	// short: three violations.
	bad := &altalunev1.UpdateEmployeeRequest{ProjectId: "short", EmployeeId: "abcdefghijklmn", Email: "nope",
		Role: altalunev1.EmployeeRole_EMPLOYEE_ROLE_ENGINEER}
	t.Run("every field: every rule", func(t *testing.T) {
		got := violatedFields(t, employeeMask.Validate(validator, bad, nil))
		want := []string{"project_id", "name", "email"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("violations on %v, want %v", got, want)
		}
	})
	t.Run("rules of fields left out do not apply", func(t *testing.T) {
		got := violatedFields(t, employeeMask.Validate(validator, bad, Fields{"email": true}))
		want := []string{"project_id", "email"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("violations on %v, want %v", got, want)
		}
	})
	t.Run("nothing left to refuse", func(t *testing.T) {
		ok := proto.Clone(bad).(*altalunev1.UpdateEmployeeRequest)
		ok.ProjectId = "abcdefghijklmn"
		if err := employeeMask.Validate(validator, ok, Fields{"phone": true}); err != nil {
			t.Errorf("err = %v, want nil", err)
		}
	})
	t.Run("valid request", func(t *testing.T) {
		req := &altalunev1.UpdateEmployeeRequest{ProjectId: "abcdefghijklmn", EmployeeId: "abcdefghijklmn",
			Name: "Ann", Email: "ann@example.com", Role: altalunev1.EmployeeRole_EMPLOYEE_ROLE_ENGINEER}
		if err := employeeMask.Validate(validator, req, Fields{"name": true}); err != nil {
			t.Errorf("err = %v, want nil", err)
		}
	})
	t.Run("other errors pass through", func(t *testing.T) {
		boom := errors.New("compilation failed")
		if err := employeeMask.Validate(failingValidator{boom}, bad, Fields{"name": true}); err != boom {
			t.Errorf("err = %v, want %v", err, boom)
		}
	})
}

func TestUpdateSet(t *testing.T) {
	role := "manager"
	sets := []Set{
		{Field: "name", Column: "name", Value: "Ann"},
		{Field: "role", Column: "role", Value: &role, Keep: true},
		{Field: "phone", Column: "phone_number", Value: nil},
	}
	tests := []struct {
		name     string
		fields   Fields
		first    int
		wantSet  string
		wantArgs []any
	}{
		{name: "every field", fields: nil, first: 3,
			wantSet:  "name = $3, role = COALESCE($4, role), phone_number = $5, updated_at = CURRENT_TIMESTAMP",
			wantArgs: []any{"Ann", &role, nil}},
		{name: "the masked ones, numbered in order", fields: Fields{"phone": true, "role": true}, first: 2,
			wantSet:  "role = COALESCE($2, role), phone_number = $3, updated_at = CURRENT_TIMESTAMP",
			wantArgs: []any{&role, nil}},
		{name: "unknown names write nothing", fields: Fields{"name; DROP TABLE x": true}, first: 3,
			wantSet: "updated_at = CURRENT_TIMESTAMP", wantArgs: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, args := UpdateSet(tt.fields, tt.first, sets)
			if set != tt.wantSet {
				t.Errorf("set = %q, want %q", set, tt.wantSet)
			}
			if !reflect.DeepEqual(args, tt.wantArgs) {
				t.Errorf("args = %#v, want %#v", args, tt.wantArgs)
			}
			if strings.Count(set, "$") != len(args) {
				t.Errorf("%d placeholders for %d values", strings.Count(set, "$"), len(args))
			}
		})
	}
	if set, args := UpdateSet(nil, 2, nil); set != "updated_at = CURRENT_TIMESTAMP" || args != nil {
		t.Errorf("no sets: %q %v", set, args)
	}
}
