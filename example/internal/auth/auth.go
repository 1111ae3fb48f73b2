// Package auth implements authentication and authorization for the Altalune
// API.
//
// Authentication is based on RS256-signed JSON Web Tokens. A [JWTValidator]
// verifies tokens against a locally supplied JSON Web Key Set (it never
// fetches keys over the network) and turns their claims into an
// [AuthContext]. [NewAuthInterceptor] (Connect) and [NewGRPCAuthInterceptor]
// / [NewGRPCStreamAuthInterceptor] (gRPC) extract the bearer token from
// incoming requests, validate it and attach the resulting [AuthContext] to
// the request context. Requests without any token are passed on
// unauthenticated so that handlers can serve public endpoints; requests with
// an invalid token are rejected.
//
// Authorization is performed by handlers through an [Authorizer], which
// checks the [AuthContext] found in the request context for permissions
// (strings of the form "<resource>:<action>") and project memberships. A
// caller holding [RootPermission] passes every check.
package auth

import (
	"context"
	"slices"
)

// RootPermission is the permission that grants unrestricted access: a caller
// holding it bypasses every permission and membership check.
const RootPermission = "root"

// AuthContext describes the caller of a request as established by
// authentication. The zero value describes an unauthenticated caller.
//
// An AuthContext attached to a context must be treated as read-only.
type AuthContext struct {
	// UserID is the authenticated user's ID (the token's "sub" claim).
	UserID string
	// Email is the user's e-mail address.
	Email string
	// Name is the user's display name.
	Name string
	// Permissions lists the permissions granted to the user, each of the
	// form "<resource>:<action>", or RootPermission.
	Permissions []string
	// Memberships maps the public ID of each project the user belongs to
	// to the user's role in that project.
	Memberships map[string]string
	// EmailVerified reports whether the user's e-mail address is verified.
	EmailVerified bool
	// IsAuthenticated reports whether the request carried a valid token.
	// When false, every other field is empty.
	IsAuthenticated bool
}

// HasPermission reports whether the caller is authenticated and holds exactly
// the given permission. It does not treat RootPermission specially; use an
// [Authorizer] for access decisions.
func (a *AuthContext) HasPermission(permission string) bool {
	return a != nil && a.IsAuthenticated && slices.Contains(a.Permissions, permission)
}

// IsRoot reports whether the caller is authenticated and holds
// RootPermission.
func (a *AuthContext) IsRoot() bool {
	return a.HasPermission(RootPermission)
}

// ProjectRole returns the caller's role in the project with the given public
// ID and whether the caller is an authenticated member of that project.
func (a *AuthContext) ProjectRole(projectPublicID string) (role string, ok bool) {
	if a == nil || !a.IsAuthenticated || projectPublicID == "" {
		return "", false
	}
	role, ok = a.Memberships[projectPublicID]
	return role, ok
}

// authContextKey is the context key under which the AuthContext is stored.
type authContextKey struct{}

// WithAuthContext returns a copy of ctx that carries a. Passing a nil a
// marks the context as unauthenticated.
func WithAuthContext(ctx context.Context, a *AuthContext) context.Context {
	return context.WithValue(ctx, authContextKey{}, a)
}

// FromContext returns the AuthContext carried by ctx. It never returns nil:
// when ctx carries no AuthContext, it returns a new unauthenticated one
// (IsAuthenticated false and every other field empty).
func FromContext(ctx context.Context) *AuthContext {
	if a, ok := ctx.Value(authContextKey{}).(*AuthContext); ok && a != nil {
		return a
	}
	return &AuthContext{}
}
