package domainkit

import (
	"context"
	"fmt"
	"testing"
)

// hookedService has a BeforeCreate hook on its pointer.
type hookedService struct{}

func (*hookedService) BeforeCreate(context.Context) error { return nil }
func (*hookedService) Other()                             {}

// valueHooked has a BeforeDelete hook on its value.
type valueHooked struct{}

func (valueHooked) BeforeDelete(context.Context) error { return nil }

// plainService has no hook.
type plainService struct{}

func (*plainService) Create() {}

func panicOf(f func()) (r any) {
	defer func() { r = recover() }()
	f()
	return nil
}

func TestCheckHooksPanics(t *testing.T) {
	tests := []struct {
		name  string
		svc   any
		hooks map[string]bool
		want  string
	}{
		{
			name:  "undeclared pointer method",
			svc:   &hookedService{},
			hooks: map[string]bool{"BeforeCreate": false, "BeforeUpdate": true, "BeforeDelete": false},
			want:  "*domainkit.hookedService has a BeforeCreate method",
		},
		{
			name:  "undeclared value method",
			svc:   valueHooked{},
			hooks: map[string]bool{"BeforeCreate": true, "BeforeDelete": false},
			want:  "domainkit.valueHooked has a BeforeDelete method",
		},
		{
			name:  "value method through a pointer",
			svc:   &valueHooked{},
			hooks: map[string]bool{"BeforeDelete": false},
			want:  "*domainkit.valueHooked has a BeforeDelete method",
		},
	}
	const rest = ", but the hooks option of its entity does not list it, so it would never be called: " +
		"add it to the (altalune.codegen.v1.entity) hooks and regenerate"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := panicOf(func() { CheckHooks(tt.svc, tt.hooks) })
			if got := fmt.Sprint(r); got != tt.want+rest {
				t.Errorf("panic = %q, want %q", got, tt.want+rest)
			}
		})
	}
}

func TestCheckHooksAccepts(t *testing.T) {
	tests := []struct {
		name  string
		svc   any
		hooks map[string]bool
	}{
		{name: "declared", svc: &hookedService{}, hooks: map[string]bool{"BeforeCreate": true, "BeforeUpdate": false}},
		{name: "method not a hook", svc: &hookedService{}, hooks: map[string]bool{"BeforeCreate": true, "Other": true}},
		{name: "declared but absent", svc: &plainService{}, hooks: map[string]bool{"BeforeCreate": true}},
		{name: "undeclared and absent", svc: &plainService{}, hooks: map[string]bool{"BeforeCreate": false, "BeforeDelete": false}},
		{name: "pointer method not in a value's method set", svc: hookedService{}, hooks: map[string]bool{"BeforeCreate": false}},
		{name: "no hooks", svc: &hookedService{}, hooks: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := panicOf(func() { CheckHooks(tt.svc, tt.hooks) }); r != nil {
				t.Errorf("CheckHooks() panicked: %v", r)
			}
		})
	}
}
