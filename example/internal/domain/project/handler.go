package project

import (
	"context"

	"connectrpc.com/connect"

	"github.com/hrz8/altalune"
	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
	"github.com/hrz8/altalune/gen/altalune/v1/altalunev1connect"
)

// Handler serves the ProjectService over Connect.
type Handler struct {
	svc altalunev1.ProjectServiceServer
}

var _ altalunev1connect.ProjectServiceHandler = (*Handler)(nil)

// NewHandler returns a Handler calling svc.
func NewHandler(svc altalunev1.ProjectServiceServer) *Handler {
	return &Handler{svc: svc}
}

// CreateProject implements altalunev1connect.ProjectServiceHandler.
func (h *Handler) CreateProject(ctx context.Context, req *connect.Request[altalunev1.CreateProjectRequest]) (*connect.Response[altalunev1.CreateProjectResponse], error) {
	res, err := h.svc.CreateProject(ctx, req.Msg)
	if err != nil {
		return nil, altalune.ToConnectError(err)
	}
	return connect.NewResponse(res), nil
}

// GetProject implements altalunev1connect.ProjectServiceHandler.
func (h *Handler) GetProject(ctx context.Context, req *connect.Request[altalunev1.GetProjectRequest]) (*connect.Response[altalunev1.GetProjectResponse], error) {
	res, err := h.svc.GetProject(ctx, req.Msg)
	if err != nil {
		return nil, altalune.ToConnectError(err)
	}
	return connect.NewResponse(res), nil
}

// QueryProjects implements altalunev1connect.ProjectServiceHandler.
func (h *Handler) QueryProjects(ctx context.Context, req *connect.Request[altalunev1.QueryProjectsRequest]) (*connect.Response[altalunev1.QueryProjectsResponse], error) {
	res, err := h.svc.QueryProjects(ctx, req.Msg)
	if err != nil {
		return nil, altalune.ToConnectError(err)
	}
	return connect.NewResponse(res), nil
}
