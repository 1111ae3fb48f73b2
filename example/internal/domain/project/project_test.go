package project

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"buf.build/go/protovalidate"
	"google.golang.org/grpc/codes"

	"github.com/hrz8/altalune"
	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
	"github.com/hrz8/altalune/internal/shared/query"
)

func TestCreatePartitionSQL(t *testing.T) {
	got := createPartitionSQL("altalune_example_employees", 42)
	want := `CREATE TABLE IF NOT EXISTS "altalune_example_employees_p42" PARTITION OF "altalune_example_employees" FOR VALUES IN (42)`
	if got != want {
		t.Errorf("createPartitionSQL() =\n%s\nwant\n%s", got, want)
	}
}

func TestEscapeLike(t *testing.T) {
	if got, want := escapeLike(`50%_off\`), `50\%\_off\\`; got != want {
		t.Errorf("escapeLike() = %q, want %q", got, want)
	}
}

// fakeRepo serves one stored project and fails on demand.
type fakeRepo struct {
	project *Project
	err     error
	params  *query.QueryParams
}

func (f *fakeRepo) Create(_ context.Context, input *CreateProjectInput) (*Project, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &Project{ID: 1, PublicID: "abcdefghjk2345", Name: input.Name}, nil
}

func (f *fakeRepo) GetByPublicID(_ context.Context, publicID string) (*Project, error) {
	if f.err != nil {
		return nil, f.err
	}
	if f.project == nil || f.project.PublicID != publicID {
		return nil, ErrProjectNotFound
	}
	return f.project, nil
}

func (f *fakeRepo) GetIDByPublicID(ctx context.Context, publicID string) (int64, error) {
	p, err := f.GetByPublicID(ctx, publicID)
	if err != nil {
		return 0, err
	}
	return p.ID, nil
}

func (f *fakeRepo) Query(_ context.Context, params *query.QueryParams) (*query.QueryResult[Project], error) {
	f.params = params
	if f.err != nil {
		return nil, f.err
	}
	return &query.QueryResult[Project]{Data: []*Project{f.project}, TotalRows: 11, TotalPages: 2}, nil
}

type discardLogger struct{}

func (discardLogger) Debug(string, ...any)                         {}
func (discardLogger) Info(string, ...any)                          {}
func (discardLogger) Warn(string, ...any)                          {}
func (discardLogger) Error(string, ...any)                         {}
func (discardLogger) DebugContext(context.Context, string, ...any) {}
func (discardLogger) InfoContext(context.Context, string, ...any)  {}
func (discardLogger) WarnContext(context.Context, string, ...any)  {}
func (discardLogger) ErrorContext(context.Context, string, ...any) {}
func (l discardLogger) JSON() altalune.Logger                      { return l }

func newTestService(t *testing.T, repo Repositor) *Service {
	t.Helper()
	v, err := protovalidate.New()
	if err != nil {
		t.Fatal(err)
	}
	return NewService(v, discardLogger{}, repo)
}

func appErrorCode(t *testing.T, err error) (string, codes.Code) {
	t.Helper()
	var appErr *altalune.AppError
	if !errors.As(err, &appErr) {
		t.Fatalf("error %v (%T) is not an *altalune.AppError", err, err)
	}
	return appErr.Code(), appErr.GRPCCode()
}

func TestServiceErrors(t *testing.T) {
	ctx := context.Background()
	stored := &Project{ID: 7, PublicID: "abcdefghjk2345", Name: "Acme", CreatedAt: time.Unix(0, 0)}

	tests := []struct {
		name     string
		call     func(*Service) error
		repoErr  error
		code     string
		grpcCode codes.Code
	}{
		{
			name: "create with empty name",
			call: func(s *Service) error {
				_, err := s.CreateProject(ctx, &altalunev1.CreateProjectRequest{})
				return err
			},
			code: altalune.CodeInvalidPayload, grpcCode: codes.InvalidArgument,
		},
		{
			name: "create with a name over 50 characters",
			call: func(s *Service) error {
				_, err := s.CreateProject(ctx, &altalunev1.CreateProjectRequest{Name: strings.Repeat("a", 51)})
				return err
			},
			code: altalune.CodeInvalidPayload, grpcCode: codes.InvalidArgument,
		},
		{
			name: "create failing in the repository",
			call: func(s *Service) error {
				_, err := s.CreateProject(ctx, &altalunev1.CreateProjectRequest{Name: "Acme"})
				return err
			},
			repoErr: errors.New("connection reset"),
			code:    altalune.CodeUnexpected, grpcCode: codes.Internal,
		},
		{
			name: "get with a malformed ID",
			call: func(s *Service) error {
				_, err := s.GetProject(ctx, &altalunev1.GetProjectRequest{ProjectId: "short"})
				return err
			},
			code: altalune.CodeInvalidPayload, grpcCode: codes.InvalidArgument,
		},
		{
			name: "get an unknown project",
			call: func(s *Service) error {
				_, err := s.GetProject(ctx, &altalunev1.GetProjectRequest{ProjectId: "zzzzzzzzzzzzzz"})
				return err
			},
			code: altalune.CodeProjectNotFound, grpcCode: codes.NotFound,
		},
		{
			name: "query with an oversized page",
			call: func(s *Service) error {
				_, err := s.QueryProjects(ctx, &altalunev1.QueryProjectsRequest{Query: &altalunev1.QueryRequest{
					Pagination: &altalunev1.Pagination{PageSize: 1000},
				}})
				return err
			},
			code: altalune.CodeInvalidPayload, grpcCode: codes.InvalidArgument,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(newTestService(t, &fakeRepo{project: stored, err: tt.repoErr}))
			code, grpcCode := appErrorCode(t, err)
			if code != tt.code || grpcCode != tt.grpcCode {
				t.Errorf("got %s/%v, want %s/%v", code, grpcCode, tt.code, tt.grpcCode)
			}
		})
	}
}

func TestServiceResponses(t *testing.T) {
	ctx := context.Background()
	stored := &Project{ID: 7, PublicID: "abcdefghjk2345", Name: "Acme", CreatedAt: time.Unix(100, 0), UpdatedAt: time.Unix(200, 0)}
	repo := &fakeRepo{project: stored}
	svc := newTestService(t, repo)

	created, err := svc.CreateProject(ctx, &altalunev1.CreateProjectRequest{Name: "Globex"})
	if err != nil {
		t.Fatal(err)
	}
	if created.GetProject().GetName() != "Globex" || created.GetMessage() != "Project created successfully" {
		t.Errorf("CreateProject() = %v", created)
	}

	got, err := svc.GetProject(ctx, &altalunev1.GetProjectRequest{ProjectId: "abcdefghjk2345"})
	if err != nil {
		t.Fatal(err)
	}
	p := got.GetProject()
	if p.GetId() != "abcdefghjk2345" || p.GetName() != "Acme" ||
		p.GetCreatedAt().AsTime().Unix() != 100 || p.GetUpdatedAt().AsTime().Unix() != 200 {
		t.Errorf("GetProject() = %v", got)
	}

	list, err := svc.QueryProjects(ctx, &altalunev1.QueryProjectsRequest{Query: &altalunev1.QueryRequest{
		Keyword:    "ac",
		Pagination: &altalunev1.Pagination{Page: 2},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.GetData()) != 1 || list.GetMeta().GetRowCount() != 11 || list.GetMeta().GetPageCount() != 2 {
		t.Errorf("QueryProjects() = %v", list)
	}
	if repo.params.Keyword != "ac" || repo.params.Pagination != (query.PaginationParams{Page: 2, PageSize: 10}) {
		t.Errorf("repository queried with %+v", repo.params)
	}
}
