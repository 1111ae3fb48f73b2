package auth

import (
	"context"
	"errors"

	"connectrpc.com/connect"
)

// Client-facing messages of the errors returned by Authorizer.
const (
	msgUnauthenticated    = "missing authorization header"
	msgRequiresPermission = "permission denied: requires "
	msgNotProjectMember   = "permission denied: not a member of this project"
)

// Authorizer makes access decisions from the [AuthContext] carried by a
// request context. Permissions are "<resource>:<action>" strings compared
// exactly (there are no wildcards); a caller holding [RootPermission] passes
// every check. The errors it returns are *connect.Error values with code
// connect.CodeUnauthenticated or connect.CodePermissionDenied, ready to be
// returned by a handler.
//
// The zero value is ready to use and an Authorizer is safe for concurrent
// use.
type Authorizer struct{}

// NewAuthorizer returns an Authorizer.
func NewAuthorizer() *Authorizer {
	return &Authorizer{}
}

// CheckAuthenticated returns nil if the caller is authenticated, and a
// connect.CodeUnauthenticated error otherwise.
func (*Authorizer) CheckAuthenticated(ctx context.Context) error {
	if !FromContext(ctx).IsAuthenticated {
		return errUnauthenticated()
	}
	return nil
}

// CheckPermission returns nil if the caller is authenticated and holds
// permission or RootPermission. It returns a connect.CodeUnauthenticated
// error for an unauthenticated caller and a connect.CodePermissionDenied
// error ("permission denied: requires <permission>") otherwise.
func (*Authorizer) CheckPermission(ctx context.Context, permission string) error {
	ac := FromContext(ctx)
	switch {
	case !ac.IsAuthenticated:
		return errUnauthenticated()
	case ac.IsRoot(), ac.HasPermission(permission):
		return nil
	default:
		return errMissingPermission(permission)
	}
}

// CheckProjectAccess returns nil if the caller is authenticated, holds
// permission and is a member of the project with the given public ID, or
// holds RootPermission. It returns a connect.CodeUnauthenticated error for
// an unauthenticated caller, and a connect.CodePermissionDenied error when
// the permission is missing ("permission denied: requires <permission>") or
// the caller is not a member of the project, which is always the case for
// an empty projectPublicID ("permission denied: not a member of this
// project"). The permission is checked first.
func (*Authorizer) CheckProjectAccess(ctx context.Context, permission, projectPublicID string) error {
	ac := FromContext(ctx)
	switch {
	case !ac.IsAuthenticated:
		return errUnauthenticated()
	case ac.IsRoot():
		return nil
	case !ac.HasPermission(permission):
		return errMissingPermission(permission)
	case !isMember(ac, projectPublicID):
		return errNotProjectMember()
	default:
		return nil
	}
}

// CheckProjectMembership returns nil if the caller is authenticated and is
// a member of the project with the given public ID, or holds
// RootPermission. It returns a connect.CodeUnauthenticated error for an
// unauthenticated caller and a connect.CodePermissionDenied error
// ("permission denied: not a member of this project") otherwise.
func (*Authorizer) CheckProjectMembership(ctx context.Context, projectPublicID string) error {
	ac := FromContext(ctx)
	switch {
	case !ac.IsAuthenticated:
		return errUnauthenticated()
	case ac.IsRoot(), isMember(ac, projectPublicID):
		return nil
	default:
		return errNotProjectMember()
	}
}

// IsSuperAdmin reports whether the caller is authenticated and holds
// RootPermission.
func (*Authorizer) IsSuperAdmin(ctx context.Context) bool {
	return FromContext(ctx).IsRoot()
}

// isMember reports whether ac has a membership entry for the project.
func isMember(ac *AuthContext, projectPublicID string) bool {
	_, ok := ac.ProjectRole(projectPublicID)
	return ok
}

// errUnauthenticated returns the error for a caller that is not
// authenticated. A new error is built on every call because *connect.Error
// values carry mutable metadata.
func errUnauthenticated() error {
	return connect.NewError(connect.CodeUnauthenticated, errors.New(msgUnauthenticated))
}

// errMissingPermission returns the error for a caller lacking permission.
func errMissingPermission(permission string) error {
	return connect.NewError(connect.CodePermissionDenied, errors.New(msgRequiresPermission+permission))
}

// errNotProjectMember returns the error for a caller that is not a member of
// the project concerned.
func errNotProjectMember() error {
	return connect.NewError(connect.CodePermissionDenied, errors.New(msgNotProjectMember))
}
