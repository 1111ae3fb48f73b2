package project

import (
	"context"
	"errors"
	"strings"

	"buf.build/go/protovalidate"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

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
	if err := s.validate(req); err != nil {
		return nil, err
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
	if err := s.validate(req); err != nil {
		return nil, err
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
	if err := s.validate(req); err != nil {
		return nil, err
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

// validate refuses a request holding a NUL character anywhere in its
// strings (PostgreSQL cannot store one), then checks its protovalidate
// rules.
func (s *Service) validate(req proto.Message) error {
	if path := nulString(req.ProtoReflect()); path != "" {
		return altalune.NewInvalidPayloadError(path + ": contains a NUL character")
	}
	if err := s.validator.Validate(req); err != nil {
		return altalune.NewInvalidPayloadError(err.Error())
	}
	return nil
}

// nulString names the first string field of m, at any depth, that holds a
// NUL character, or returns "".
func nulString(m protoreflect.Message) string {
	found := ""
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsMap():
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				if strings.ContainsRune(k.String(), 0) {
					found = string(fd.Name())
				} else if fd.MapValue().Kind() == protoreflect.StringKind && strings.ContainsRune(mv.String(), 0) {
					found = string(fd.Name())
				} else if fd.MapValue().Message() != nil {
					if inner := nulString(mv.Message()); inner != "" {
						found = string(fd.Name()) + "." + inner
					}
				}
				return found == ""
			})
		case fd.IsList():
			list := v.List()
			for i := 0; i < list.Len() && found == ""; i++ {
				if fd.Kind() == protoreflect.StringKind && strings.ContainsRune(list.Get(i).String(), 0) {
					found = string(fd.Name())
				} else if fd.Message() != nil {
					if inner := nulString(list.Get(i).Message()); inner != "" {
						found = string(fd.Name()) + "." + inner
					}
				}
			}
		case fd.Kind() == protoreflect.StringKind:
			if strings.ContainsRune(v.String(), 0) {
				found = string(fd.Name())
			}
		case fd.Message() != nil:
			if inner := nulString(v.Message()); inner != "" {
				found = string(fd.Name()) + "." + inner
			}
		}
		return found == ""
	})
	return found
}
