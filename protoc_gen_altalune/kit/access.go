package domainkit

import (
	"context"
	"errors"

	"connectrpc.com/connect"
	"github.com/hrz8/altalune"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Authorizer answers whether the caller of ctx may make a call; the target's
// *auth.Authorizer is one. Its errors reach the client as they are: Connect
// errors over Connect, and the status of the same code over gRPC.
type Authorizer interface {
	// CheckPermission requires the permission.
	CheckPermission(ctx context.Context, permission string) error
	// CheckProjectAccess requires the permission and membership of the
	// project.
	CheckProjectAccess(ctx context.Context, permission, projectPublicID string) error
}

// Access is what one RPC requires of its caller.
type Access struct {
	// Procedure is the RPC's full name, as in /altalune.v1.EmployeeService/GetEmployee.
	Procedure string
	// Permission is "<resource>:<action>"; empty for a public RPC.
	Permission string
	// Project is set when the caller must also be a member of the project
	// the request names.
	Project bool
	// Public is set for an RPC served to any caller, with or without a token.
	Public bool
}

// Rule is the Access of one RPC, checked against each of its requests by
// the Connect handler and the gRPC server alike.
type Rule[Req any] struct {
	Access
	project func(*Req) string
}

// ProjectRule requires permission and membership of the project of the
// request, which project reads.
func ProjectRule[Req any](procedure, permission string, project func(*Req) string) Rule[Req] {
	return Rule[Req]{Access: Access{Procedure: procedure, Permission: permission, Project: true}, project: project}
}

// GlobalRule requires permission.
func GlobalRule[Req any](procedure, permission string) Rule[Req] {
	return Rule[Req]{Access: Access{Procedure: procedure, Permission: permission}}
}

// PublicRule serves any caller.
func PublicRule[Req any](procedure string) Rule[Req] {
	return Rule[Req]{Access: Access{Procedure: procedure, Public: true}}
}

// Check answers nil when the caller of ctx may make the call req.
func (r Rule[Req]) Check(ctx context.Context, authz Authorizer, req *Req) error {
	switch {
	case r.Public:
		return nil
	case r.Project:
		return authz.CheckProjectAccess(ctx, r.Permission, r.project(req))
	default:
		return authz.CheckPermission(ctx, r.Permission)
	}
}

// MustAuthorizer panics when authz is nil: a handler built without one
// would let every caller through, so the server must not start.
func MustAuthorizer(authz Authorizer) Authorizer {
	if authz == nil {
		panic("domainkit: a generated handler needs an Authorizer; pass the target's *auth.Authorizer")
	}
	return authz
}

// Unary serves one Connect call: the caller is checked against rule, then
// call answers, its errors carrying their Connect code and details.
func Unary[Req, Res any](ctx context.Context, authz Authorizer, rule Rule[Req], req *connect.Request[Req], call func(context.Context, *Req) (*Res, error)) (*connect.Response[Res], error) {
	if err := rule.Check(ctx, authz, req.Msg); err != nil {
		return nil, err
	}
	res, err := call(ctx, req.Msg)
	if err != nil {
		return nil, altalune.ToConnectError(err)
	}
	return connect.NewResponse(res), nil
}

// GRPCUnary serves one gRPC call: the caller is checked against rule, then
// call answers.
func GRPCUnary[Req, Res any](ctx context.Context, authz Authorizer, rule Rule[Req], req *Req, call func(context.Context, *Req) (*Res, error)) (*Res, error) {
	if err := rule.Check(ctx, authz, req); err != nil {
		return nil, grpcError(err)
	}
	return call(ctx, req)
}

// grpcError is the gRPC status of an authorization error: a Connect error
// keeps its code (the two protocols number codes alike) and message.
func grpcError(err error) error {
	var connectErr *connect.Error
	if errors.As(err, &connectErr) {
		return status.Error(codes.Code(connectErr.Code()), connectErr.Message())
	}
	return err
}
