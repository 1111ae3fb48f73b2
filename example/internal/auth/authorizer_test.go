package auth_test

import (
	"context"
	"errors"
	"testing"

	"connectrpc.com/connect"

	"github.com/hrz8/altalune/internal/auth"
)

// Callers used by the Authorizer tests.
var (
	unauthenticatedCaller = (*auth.AuthContext)(nil) // no AuthContext in the context
	rootCaller            = &auth.AuthContext{
		UserID:          "root-user",
		Permissions:     []string{auth.RootPermission},
		IsAuthenticated: true,
	}
	// memberCaller holds employee:read and belongs to project p1.
	memberCaller = &auth.AuthContext{
		UserID:          "member",
		Permissions:     []string{"employee:read"},
		Memberships:     map[string]string{"p1": "viewer"},
		IsAuthenticated: true,
	}
	// permissionOnlyCaller holds employee:read but belongs to no project.
	permissionOnlyCaller = &auth.AuthContext{
		UserID:          "perm-only",
		Permissions:     []string{"employee:read"},
		IsAuthenticated: true,
	}
	// membershipOnlyCaller belongs to p1 but holds no permission.
	membershipOnlyCaller = &auth.AuthContext{
		UserID:          "member-only",
		Memberships:     map[string]string{"p1": "owner"},
		IsAuthenticated: true,
	}
	// neitherCaller holds an unrelated permission and belongs to p2 only.
	neitherCaller = &auth.AuthContext{
		UserID:          "neither",
		Permissions:     []string{"project:read", "employee:reader", "employee"},
		Memberships:     map[string]string{"p2": "owner"},
		IsAuthenticated: true,
	}
	// forgedCaller carries root and memberships but is not authenticated.
	forgedCaller = &auth.AuthContext{
		UserID:      "forged",
		Permissions: []string{auth.RootPermission, "employee:read"},
		Memberships: map[string]string{"p1": "owner"},
	}
)

const (
	msgUnauthenticated = "missing authorization header"
	msgRequiresRead    = "permission denied: requires employee:read"
	msgNotMember       = "permission denied: not a member of this project"
)

// ctxFor returns a context carrying caller (none if caller is nil).
func ctxFor(caller *auth.AuthContext) context.Context {
	if caller == nil {
		return context.Background()
	}
	return auth.WithAuthContext(context.Background(), caller)
}

// want describes the expected outcome of a check: ok, or an error.
type want struct {
	code connect.Code // 0 for success
	msg  string
}

var (
	allowed         = want{}
	unauthenticated = want{connect.CodeUnauthenticated, msgUnauthenticated}
)

func denied(msg string) want { return want{connect.CodePermissionDenied, msg} }

func checkResult(t *testing.T, err error, w want) {
	t.Helper()
	if w.code == 0 {
		if err != nil {
			t.Errorf("error = %v, want nil", err)
		}
		return
	}
	assertConnectError(t, err, w.code, w.msg)
}

func TestAuthorizerCheckAuthenticated(t *testing.T) {
	a := auth.NewAuthorizer()
	tests := []struct {
		name   string
		caller *auth.AuthContext
		want   want
	}{
		{"unauthenticated", unauthenticatedCaller, unauthenticated},
		{"unauthenticated with forged fields", forgedCaller, unauthenticated},
		{"explicit zero AuthContext", &auth.AuthContext{}, unauthenticated},
		{"root", rootCaller, allowed},
		{"member", memberCaller, allowed},
		{"no permission nor membership", &auth.AuthContext{UserID: "u", IsAuthenticated: true}, allowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkResult(t, a.CheckAuthenticated(ctxFor(tt.caller)), tt.want)
		})
	}
}

func TestAuthorizerCheckPermission(t *testing.T) {
	a := auth.NewAuthorizer()
	tests := []struct {
		name       string
		caller     *auth.AuthContext
		permission string
		want       want
	}{
		{"unauthenticated", unauthenticatedCaller, "employee:read", unauthenticated},
		{"unauthenticated with forged root", forgedCaller, "employee:read", unauthenticated},
		{"root", rootCaller, "employee:read", allowed},
		{"root any permission", rootCaller, "anything:delete", allowed},
		{"holds permission", memberCaller, "employee:read", allowed},
		{"holds permission without membership", permissionOnlyCaller, "employee:read", allowed},
		{"membership only", membershipOnlyCaller, "employee:read", denied(msgRequiresRead)},
		{"lacks permission", neitherCaller, "employee:read", denied(msgRequiresRead)},
		{"other action", memberCaller, "employee:write", denied("permission denied: requires employee:write")},
		{"no wildcard on prefix", neitherCaller, "employee:*", denied("permission denied: requires employee:*")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkResult(t, a.CheckPermission(ctxFor(tt.caller), tt.permission), tt.want)
		})
	}
}

func TestAuthorizerCheckProjectAccess(t *testing.T) {
	a := auth.NewAuthorizer()
	tests := []struct {
		name    string
		caller  *auth.AuthContext
		project string
		want    want
	}{
		{"unauthenticated", unauthenticatedCaller, "p1", unauthenticated},
		{"unauthenticated with forged root", forgedCaller, "p1", unauthenticated},
		{"root", rootCaller, "p1", allowed},
		{"root without project", rootCaller, "", allowed},
		{"permission and membership", memberCaller, "p1", allowed},
		{"permission, other project", memberCaller, "p2", denied(msgNotMember)},
		{"permission, empty project", memberCaller, "", denied(msgNotMember)},
		{"permission only", permissionOnlyCaller, "p1", denied(msgNotMember)},
		{"membership only", membershipOnlyCaller, "p1", denied(msgRequiresRead)},
		{"neither", neitherCaller, "p1", denied(msgRequiresRead)},
		{"neither, own project", neitherCaller, "p2", denied(msgRequiresRead)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkResult(t, a.CheckProjectAccess(ctxFor(tt.caller), "employee:read", tt.project), tt.want)
		})
	}
}

func TestAuthorizerCheckProjectMembership(t *testing.T) {
	a := auth.NewAuthorizer()
	tests := []struct {
		name    string
		caller  *auth.AuthContext
		project string
		want    want
	}{
		{"unauthenticated", unauthenticatedCaller, "p1", unauthenticated},
		{"unauthenticated with forged membership", forgedCaller, "p1", unauthenticated},
		{"root", rootCaller, "p1", allowed},
		{"root without project", rootCaller, "", allowed},
		{"member", memberCaller, "p1", allowed},
		{"member without permission", membershipOnlyCaller, "p1", allowed},
		{"member of another project", memberCaller, "p2", denied(msgNotMember)},
		{"empty project", memberCaller, "", denied(msgNotMember)},
		{"permission only", permissionOnlyCaller, "p1", denied(msgNotMember)},
		{"neither", neitherCaller, "p1", denied(msgNotMember)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkResult(t, a.CheckProjectMembership(ctxFor(tt.caller), tt.project), tt.want)
		})
	}
}

func TestAuthorizerIsSuperAdmin(t *testing.T) {
	var zero auth.Authorizer // the zero value is usable
	tests := []struct {
		name   string
		caller *auth.AuthContext
		want   bool
	}{
		{"unauthenticated", unauthenticatedCaller, false},
		{"unauthenticated with forged root", forgedCaller, false},
		{"root", rootCaller, true},
		{"member", memberCaller, false},
		{"membership only", membershipOnlyCaller, false},
		{"neither", neitherCaller, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := zero.IsSuperAdmin(ctxFor(tt.caller)); got != tt.want {
				t.Errorf("IsSuperAdmin = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAuthorizerErrorsAreIndependent(t *testing.T) {
	a := auth.NewAuthorizer()
	ctx := context.Background()
	var first, second *connect.Error
	if !errors.As(a.CheckAuthenticated(ctx), &first) || !errors.As(a.CheckAuthenticated(ctx), &second) {
		t.Fatal("CheckAuthenticated did not return *connect.Error values")
	}
	first.Meta().Set("X-Test", "mutated")
	if second.Meta().Get("X-Test") != "" {
		t.Error("errors returned by the Authorizer share metadata")
	}
}
