package project

import (
	"context"
	"errors"

	"connectrpc.com/connect"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hrz8/altalune"
	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
	"github.com/hrz8/altalune/gen/altalune/v1/altalunev1connect"
)

// Permissions of the ProjectService.
const (
	PermissionRead  = "project:read"
	PermissionWrite = "project:write"
)

// Authorizer is what the project handlers ask before a call; the
// *auth.Authorizer of internal/auth is one.
type Authorizer interface {
	CheckPermission(ctx context.Context, permission string) error
	CheckProjectAccess(ctx context.Context, permission, projectPublicID string) error
}

// authorize checks the caller of one ProjectService RPC: creating and
// listing projects take the permission, reading one also takes membership
// of it.
func authorize(ctx context.Context, authz Authorizer, req any) error {
	switch r := req.(type) {
	case *altalunev1.CreateProjectRequest:
		return authz.CheckPermission(ctx, PermissionWrite)
	case *altalunev1.GetProjectRequest:
		return authz.CheckProjectAccess(ctx, PermissionRead, r.GetProjectId())
	case *altalunev1.QueryProjectsRequest:
		return authz.CheckPermission(ctx, PermissionRead)
	}
	return connect.NewError(connect.CodePermissionDenied, errors.New("permission denied"))
}

// Handler serves the ProjectService over Connect.
type Handler struct {
	svc   altalunev1.ProjectServiceServer
	authz Authorizer
}

var _ altalunev1connect.ProjectServiceHandler = (*Handler)(nil)

// NewHandler returns a Handler calling svc for the callers authz lets in.
func NewHandler(svc altalunev1.ProjectServiceServer, authz Authorizer) *Handler {
	return &Handler{svc: svc, authz: authz}
}

// CreateProject implements altalunev1connect.ProjectServiceHandler.
func (h *Handler) CreateProject(ctx context.Context, req *connect.Request[altalunev1.CreateProjectRequest]) (*connect.Response[altalunev1.CreateProjectResponse], error) {
	return serveConnect(ctx, h.authz, req, h.svc.CreateProject)
}

// GetProject implements altalunev1connect.ProjectServiceHandler.
func (h *Handler) GetProject(ctx context.Context, req *connect.Request[altalunev1.GetProjectRequest]) (*connect.Response[altalunev1.GetProjectResponse], error) {
	return serveConnect(ctx, h.authz, req, h.svc.GetProject)
}

// QueryProjects implements altalunev1connect.ProjectServiceHandler.
func (h *Handler) QueryProjects(ctx context.Context, req *connect.Request[altalunev1.QueryProjectsRequest]) (*connect.Response[altalunev1.QueryProjectsResponse], error) {
	return serveConnect(ctx, h.authz, req, h.svc.QueryProjects)
}

func serveConnect[Req, Res any](ctx context.Context, authz Authorizer, req *connect.Request[Req], call func(context.Context, *Req) (*Res, error)) (*connect.Response[Res], error) {
	if err := authorize(ctx, authz, req.Msg); err != nil {
		return nil, err
	}
	res, err := call(ctx, req.Msg)
	if err != nil {
		return nil, altalune.ToConnectError(err)
	}
	return connect.NewResponse(res), nil
}

// GRPCServer serves the ProjectService over gRPC with the same checks as
// Handler.
type GRPCServer struct {
	altalunev1.UnsafeProjectServiceServer
	svc   altalunev1.ProjectServiceServer
	authz Authorizer
}

var _ altalunev1.ProjectServiceServer = (*GRPCServer)(nil)

// NewGRPCServer returns a GRPCServer calling svc for the callers authz lets
// in.
func NewGRPCServer(svc altalunev1.ProjectServiceServer, authz Authorizer) *GRPCServer {
	return &GRPCServer{svc: svc, authz: authz}
}

// CreateProject implements altalunev1.ProjectServiceServer.
func (g *GRPCServer) CreateProject(ctx context.Context, req *altalunev1.CreateProjectRequest) (*altalunev1.CreateProjectResponse, error) {
	return serveGRPC(ctx, g.authz, req, g.svc.CreateProject)
}

// GetProject implements altalunev1.ProjectServiceServer.
func (g *GRPCServer) GetProject(ctx context.Context, req *altalunev1.GetProjectRequest) (*altalunev1.GetProjectResponse, error) {
	return serveGRPC(ctx, g.authz, req, g.svc.GetProject)
}

// QueryProjects implements altalunev1.ProjectServiceServer.
func (g *GRPCServer) QueryProjects(ctx context.Context, req *altalunev1.QueryProjectsRequest) (*altalunev1.QueryProjectsResponse, error) {
	return serveGRPC(ctx, g.authz, req, g.svc.QueryProjects)
}

func serveGRPC[Req, Res any](ctx context.Context, authz Authorizer, req *Req, call func(context.Context, *Req) (*Res, error)) (*Res, error) {
	if err := authorize(ctx, authz, req); err != nil {
		var connectErr *connect.Error
		if errors.As(err, &connectErr) {
			return nil, status.Error(codes.Code(connectErr.Code()), connectErr.Message())
		}
		return nil, err
	}
	return call(ctx, req)
}
