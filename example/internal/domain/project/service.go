package project

import (
	"context"
	"errors"

	"buf.build/go/protovalidate"

	"github.com/hrz8/altalune"
	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
	"github.com/hrz8/altalune/internal/shared/query"
)

// Service implements altalunev1.ProjectServiceServer. It answers gRPC
// directly and Connect through Handler; failures are *altalune.AppError.
type Service struct {
	altalunev1.UnimplementedProjectServiceServer

	validator protovalidate.Validator
	log       altalune.Logger
	repo      Repositor
}

var _ altalunev1.ProjectServiceServer = (*Service)(nil)

// NewService returns a Service validating requests with v and storing
// projects in repo.
func NewService(v protovalidate.Validator, log altalune.Logger, repo Repositor) *Service {
	return &Service{validator: v, log: log, repo: repo}
}

// CreateProject creates a project and its partitions.
func (s *Service) CreateProject(ctx context.Context, req *altalunev1.CreateProjectRequest) (*altalunev1.CreateProjectResponse, error) {
	if err := s.validator.Validate(req); err != nil {
		return nil, altalune.NewInvalidPayloadError(err.Error())
	}

	p, err := s.repo.Create(ctx, &CreateProjectInput{Name: req.GetName()})
	if err != nil {
		s.log.ErrorContext(ctx, "create project", "name", req.GetName(), "error", err)
		return nil, altalune.NewUnexpectedError("Failed to create project", err)
	}

	return &altalunev1.CreateProjectResponse{
		Project: p.ToProto(),
		Message: "Project created successfully",
	}, nil
}

// GetProject returns the project with the requested public ID.
func (s *Service) GetProject(ctx context.Context, req *altalunev1.GetProjectRequest) (*altalunev1.GetProjectResponse, error) {
	if err := s.validator.Validate(req); err != nil {
		return nil, altalune.NewInvalidPayloadError(err.Error())
	}

	p, err := s.repo.GetByPublicID(ctx, req.GetProjectId())
	if errors.Is(err, ErrProjectNotFound) {
		return nil, altalune.NewProjectNotFound(req.GetProjectId())
	}
	if err != nil {
		s.log.ErrorContext(ctx, "get project", "project_id", req.GetProjectId(), "error", err)
		return nil, altalune.NewUnexpectedError("Failed to get project", err)
	}

	return &altalunev1.GetProjectResponse{Project: p.ToProto()}, nil
}

// QueryProjects returns one page of projects.
func (s *Service) QueryProjects(ctx context.Context, req *altalunev1.QueryProjectsRequest) (*altalunev1.QueryProjectsResponse, error) {
	if err := s.validator.Validate(req); err != nil {
		return nil, altalune.NewInvalidPayloadError(err.Error())
	}

	q := req.GetQuery()
	if q == nil {
		q = &altalunev1.QueryRequest{}
	}
	params := query.DefaultQueryParams(q)
	result, err := s.repo.Query(ctx, params)
	if err != nil {
		s.log.ErrorContext(ctx, "query projects", "keyword", params.Keyword, "error", err)
		return nil, altalune.NewUnexpectedError("Failed to query projects", err)
	}

	return &altalunev1.QueryProjectsResponse{
		Data: projectsToProto(result.Data),
		Meta: &altalunev1.QueryMetaResponse{
			RowCount:  result.TotalRows,
			PageCount: result.TotalPages,
			Filters:   filtersToProto(result.Filters),
		},
	}, nil
}
