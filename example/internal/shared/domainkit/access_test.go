package domainkit

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"connectrpc.com/connect"
	"github.com/hrz8/altalune"
	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

type ctxKey struct{}

// authCall is one question the fake authorizer was asked.
type authCall struct {
	method     string
	permission string
	project    string
	ctxValue   any
}

// fakeAuthorizer records what it is asked and answers the configured
// errors.
type fakeAuthorizer struct {
	permissionErr error
	projectErr    error
	calls         []authCall
}

func (a *fakeAuthorizer) CheckPermission(ctx context.Context, permission string) error {
	a.calls = append(a.calls, authCall{method: "CheckPermission", permission: permission, ctxValue: ctx.Value(ctxKey{})})
	return a.permissionErr
}

func (a *fakeAuthorizer) CheckProjectAccess(ctx context.Context, permission, projectPublicID string) error {
	a.calls = append(a.calls, authCall{method: "CheckProjectAccess", permission: permission, project: projectPublicID, ctxValue: ctx.Value(ctxKey{})})
	return a.projectErr
}

const getEmployee = "/altalune.v1.EmployeeService/GetEmployee"

var (
	projectRule = ProjectRule(getEmployee, "employee:read", (*altalunev1.GetEmployeeRequest).GetProjectId)
	globalRule  = GlobalRule[altalunev1.GetCurrencyRequest]("/altalune.v1.CurrencyService/GetCurrency", "currency:read")
	publicRule  = PublicRule[altalunev1.GetCurrencyRequest]("/altalune.v1.CurrencyService/GetCurrency")
)

func TestRuleConstructors(t *testing.T) {
	tests := []struct {
		name string
		got  Access
		want Access
	}{
		{name: "project", got: projectRule.Access, want: Access{Procedure: getEmployee, Permission: "employee:read", Project: true}},
		{name: "global", got: globalRule.Access, want: Access{Procedure: "/altalune.v1.CurrencyService/GetCurrency", Permission: "currency:read"}},
		{name: "public", got: publicRule.Access, want: Access{Procedure: "/altalune.v1.CurrencyService/GetCurrency", Public: true}},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s rule Access = %+v, want %+v", tt.name, tt.got, tt.want)
		}
	}
	if globalRule.project != nil || publicRule.project != nil {
		t.Errorf("global and public rules read no project")
	}
}

func TestRuleCheckProject(t *testing.T) {
	denied := connect.NewError(connect.CodePermissionDenied, errors.New("not a member"))
	for _, answer := range []error{nil, denied} {
		t.Run(fmt.Sprint(answer), func(t *testing.T) {
			authz := &fakeAuthorizer{projectErr: answer, permissionErr: errors.New("must not be asked")}
			ctx := context.WithValue(context.Background(), ctxKey{}, "caller")
			err := projectRule.Check(ctx, authz, &altalunev1.GetEmployeeRequest{ProjectId: "p-123", EmployeeId: "e-1"})
			if err != answer {
				t.Errorf("Check() = %v, want %v", err, answer)
			}
			want := []authCall{{method: "CheckProjectAccess", permission: "employee:read", project: "p-123", ctxValue: "caller"}}
			if !reflect.DeepEqual(authz.calls, want) {
				t.Errorf("asked %+v, want %+v", authz.calls, want)
			}
		})
	}
}

func TestRuleCheckGlobal(t *testing.T) {
	unauthenticated := connect.NewError(connect.CodeUnauthenticated, errors.New("no token"))
	for _, answer := range []error{nil, unauthenticated} {
		t.Run(fmt.Sprint(answer), func(t *testing.T) {
			authz := &fakeAuthorizer{permissionErr: answer, projectErr: errors.New("must not be asked")}
			ctx := context.WithValue(context.Background(), ctxKey{}, "caller")
			err := globalRule.Check(ctx, authz, &altalunev1.GetCurrencyRequest{CurrencyId: "c-1"})
			if err != answer {
				t.Errorf("Check() = %v, want %v", err, answer)
			}
			want := []authCall{{method: "CheckPermission", permission: "currency:read", ctxValue: "caller"}}
			if !reflect.DeepEqual(authz.calls, want) {
				t.Errorf("asked %+v, want %+v", authz.calls, want)
			}
		})
	}
}

func TestRuleCheckPublic(t *testing.T) {
	authz := &fakeAuthorizer{permissionErr: errors.New("denied"), projectErr: errors.New("denied")}
	if err := publicRule.Check(context.Background(), authz, &altalunev1.GetCurrencyRequest{}); err != nil {
		t.Errorf("Check() = %v, want nil", err)
	}
	if err := publicRule.Check(context.Background(), nil, nil); err != nil {
		t.Errorf("Check() without an authorizer = %v, want nil", err)
	}
	if len(authz.calls) != 0 {
		t.Errorf("asked %+v, want nothing", authz.calls)
	}
}

func TestMustAuthorizer(t *testing.T) {
	t.Run("nil panics", func(t *testing.T) {
		defer func() {
			r := recover()
			want := "domainkit: a generated handler needs an Authorizer; pass the target's *auth.Authorizer"
			if r != want {
				t.Errorf("panic = %v, want %q", r, want)
			}
		}()
		MustAuthorizer(nil)
		t.Errorf("MustAuthorizer(nil) returned")
	})
	t.Run("non-nil returned", func(t *testing.T) {
		authz := &fakeAuthorizer{}
		if got := MustAuthorizer(authz); got != authz {
			t.Errorf("MustAuthorizer() = %v, want the authorizer", got)
		}
	})
}

// service counts its calls and answers the configured response and error.
type service struct {
	calls int
	got   *altalunev1.GetEmployeeRequest
	res   *altalunev1.GetEmployeeResponse
	err   error
}

func (s *service) GetEmployee(_ context.Context, req *altalunev1.GetEmployeeRequest) (*altalunev1.GetEmployeeResponse, error) {
	s.calls++
	s.got = req
	return s.res, s.err
}

func TestUnary(t *testing.T) {
	req := &altalunev1.GetEmployeeRequest{ProjectId: "p-1", EmployeeId: "e-1"}
	t.Run("served", func(t *testing.T) {
		res := &altalunev1.GetEmployeeResponse{Employee: &altalunev1.Employee{Id: "e-1", Name: "Ann"}}
		svc := &service{res: res}
		authz := &fakeAuthorizer{}
		got, err := Unary(context.Background(), authz, projectRule, connect.NewRequest(req), svc.GetEmployee)
		if err != nil {
			t.Fatalf("Unary() error = %v", err)
		}
		if got.Msg != res {
			t.Errorf("Unary() Msg = %v, want the service's response", got.Msg)
		}
		if svc.calls != 1 || svc.got != req {
			t.Errorf("service called %d times with %v, want once with the request", svc.calls, svc.got)
		}
		want := []authCall{{method: "CheckProjectAccess", permission: "employee:read", project: "p-1"}}
		if !reflect.DeepEqual(authz.calls, want) {
			t.Errorf("asked %+v, want %+v", authz.calls, want)
		}
	})
	t.Run("refused", func(t *testing.T) {
		denied := connect.NewError(connect.CodePermissionDenied, errors.New("not a member of project p-1"))
		svc := &service{res: &altalunev1.GetEmployeeResponse{}}
		got, err := Unary(context.Background(), &fakeAuthorizer{projectErr: denied}, projectRule, connect.NewRequest(req), svc.GetEmployee)
		if err != denied {
			t.Errorf("Unary() error = %v, want the authorizer's error", err)
		}
		if got != nil {
			t.Errorf("Unary() = %v, want nil", got)
		}
		if svc.calls != 0 {
			t.Errorf("service called %d times, want 0", svc.calls)
		}
	})
	t.Run("public calls no authorizer", func(t *testing.T) {
		svc := &service{res: &altalunev1.GetEmployeeResponse{}}
		rule := PublicRule[altalunev1.GetEmployeeRequest](getEmployee)
		if _, err := Unary(context.Background(), nil, rule, connect.NewRequest(req), svc.GetEmployee); err != nil {
			t.Errorf("Unary() error = %v", err)
		}
		if svc.calls != 1 {
			t.Errorf("service called %d times, want 1", svc.calls)
		}
	})
}

func TestUnaryServiceErrors(t *testing.T) {
	plain := errors.New("plain")
	connectErr := connect.NewError(connect.CodeAborted, errors.New("aborted"))
	tests := []struct {
		name        string
		err         error
		wantCode    connect.Code
		wantMessage string
		wantDetail  proto.Message
		wantSame    bool
	}{
		{
			name:        "not found",
			err:         altalune.NewProjectNotFound("p-1"),
			wantCode:    connect.CodeNotFound,
			wantMessage: "Project with ID 'p-1' not found",
			wantDetail:  &altalunev1.ErrorDetail{Code: "60301", Meta: map[string]string{"project_id": "p-1"}},
		},
		{
			name:        "wrapped invalid payload",
			err:         fmt.Errorf("create: %w", altalune.NewInvalidPayloadError("name: required")),
			wantCode:    connect.CodeInvalidArgument,
			wantMessage: "name: required",
			wantDetail:  &altalunev1.ErrorDetail{Code: "60001"},
		},
		{
			name:        "unexpected",
			err:         altalune.NewUnexpectedError("failed to get employee", errors.New("db down")),
			wantCode:    connect.CodeInternal,
			wantMessage: "failed to get employee",
			wantDetail:  &altalunev1.ErrorDetail{Code: "69901", Meta: map[string]string{"underlying_error": "db down"}},
		},
		{name: "plain error unchanged", err: plain, wantSame: true},
		{name: "connect error unchanged", err: connectErr, wantSame: true},
		{name: "context error unchanged", err: context.Canceled, wantSame: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := &service{err: tt.err}
			got, err := Unary(context.Background(), &fakeAuthorizer{}, projectRule, connect.NewRequest(&altalunev1.GetEmployeeRequest{}), svc.GetEmployee)
			if got != nil {
				t.Errorf("Unary() = %v with an error, want nil", got)
			}
			if svc.calls != 1 {
				t.Errorf("service called %d times, want 1", svc.calls)
			}
			if tt.wantSame {
				if err != tt.err {
					t.Errorf("Unary() error = %v (%T), want %v unchanged", err, err, tt.err)
				}
				return
			}
			var connectErr *connect.Error
			if !errors.As(err, &connectErr) {
				t.Fatalf("Unary() error = %v (%T), want *connect.Error", err, err)
			}
			if connectErr.Code() != tt.wantCode || connectErr.Message() != tt.wantMessage {
				t.Errorf("Unary() error = %v %q, want %v %q", connectErr.Code(), connectErr.Message(), tt.wantCode, tt.wantMessage)
			}
			details := connectErr.Details()
			if len(details) != 1 {
				t.Fatalf("details = %v, want 1", details)
			}
			detail, derr := details[0].Value()
			if derr != nil || !proto.Equal(detail, tt.wantDetail) {
				t.Errorf("detail = %v (%v), want %v", detail, derr, tt.wantDetail)
			}
		})
	}
}

func TestGRPCUnary(t *testing.T) {
	req := &altalunev1.GetEmployeeRequest{ProjectId: "p-1", EmployeeId: "e-1"}
	t.Run("served", func(t *testing.T) {
		res := &altalunev1.GetEmployeeResponse{}
		svc := &service{res: res}
		authz := &fakeAuthorizer{}
		got, err := GRPCUnary(context.Background(), authz, projectRule, req, svc.GetEmployee)
		if err != nil || got != res {
			t.Errorf("GRPCUnary() = %v, %v; want the response, nil", got, err)
		}
		if svc.calls != 1 || svc.got != req {
			t.Errorf("service called %d times with %v, want once with the request", svc.calls, svc.got)
		}
		want := []authCall{{method: "CheckProjectAccess", permission: "employee:read", project: "p-1"}}
		if !reflect.DeepEqual(authz.calls, want) {
			t.Errorf("asked %+v, want %+v", authz.calls, want)
		}
	})
	t.Run("service error unchanged", func(t *testing.T) {
		appErr := altalune.NewProjectNotFound("p-1")
		svc := &service{err: appErr}
		got, err := GRPCUnary(context.Background(), &fakeAuthorizer{}, projectRule, req, svc.GetEmployee)
		if got != nil || err != appErr {
			t.Errorf("GRPCUnary() = %v, %v; want nil, the service's error", got, err)
		}
	})

	plain := errors.New("authorizer down")
	appErr := altalune.NewInvalidPayloadError("bad token")
	tests := []struct {
		name        string
		err         error
		wantCode    codes.Code
		wantMessage string
		wantSame    bool
	}{
		{
			name:        "permission denied",
			err:         connect.NewError(connect.CodePermissionDenied, errors.New("missing permission employee:read")),
			wantCode:    codes.PermissionDenied,
			wantMessage: "missing permission employee:read",
		},
		{
			name:        "unauthenticated",
			err:         connect.NewError(connect.CodeUnauthenticated, errors.New("no token")),
			wantCode:    codes.Unauthenticated,
			wantMessage: "no token",
		},
		{
			name:        "wrapped not found",
			err:         fmt.Errorf("check: %w", connect.NewError(connect.CodeNotFound, errors.New("project p-1 not found"))),
			wantCode:    codes.NotFound,
			wantMessage: "project p-1 not found",
		},
		{name: "plain error passes through", err: plain, wantSame: true},
		{name: "app error passes through", err: appErr, wantSame: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := &service{res: &altalunev1.GetEmployeeResponse{}}
			got, err := GRPCUnary(context.Background(), &fakeAuthorizer{projectErr: tt.err}, projectRule, req, svc.GetEmployee)
			if got != nil {
				t.Errorf("GRPCUnary() = %v, want nil", got)
			}
			if svc.calls != 0 {
				t.Errorf("service called %d times, want 0", svc.calls)
			}
			if tt.wantSame {
				if err != tt.err {
					t.Errorf("GRPCUnary() error = %v (%T), want %v unchanged", err, err, tt.err)
				}
				return
			}
			st, ok := status.FromError(err)
			if !ok {
				t.Fatalf("GRPCUnary() error = %v (%T), want a gRPC status", err, err)
			}
			if st.Code() != tt.wantCode || st.Message() != tt.wantMessage {
				t.Errorf("status = %v %q, want %v %q", st.Code(), st.Message(), tt.wantCode, tt.wantMessage)
			}
		})
	}
}

func TestGRPCError(t *testing.T) {
	for c := connect.CodeCanceled; c <= connect.CodeUnauthenticated; c++ {
		err := grpcError(connect.NewError(c, errors.New("m")))
		st, ok := status.FromError(err)
		if !ok || st.Code() != codes.Code(c) || st.Message() != "m" || st.Code().String() != codeName(c) {
			t.Errorf("grpcError(%v) = %v, want code %d %s", c, err, c, codeName(c))
		}
	}
	if err := grpcError(nil); err != nil {
		t.Errorf("grpcError(nil) = %v, want nil", err)
	}
}

// codeName is the gRPC name of a Connect code: the same words in another
// case.
func codeName(c connect.Code) string {
	return map[connect.Code]string{
		connect.CodeCanceled:           "Canceled",
		connect.CodeUnknown:            "Unknown",
		connect.CodeInvalidArgument:    "InvalidArgument",
		connect.CodeDeadlineExceeded:   "DeadlineExceeded",
		connect.CodeNotFound:           "NotFound",
		connect.CodeAlreadyExists:      "AlreadyExists",
		connect.CodePermissionDenied:   "PermissionDenied",
		connect.CodeResourceExhausted:  "ResourceExhausted",
		connect.CodeFailedPrecondition: "FailedPrecondition",
		connect.CodeAborted:            "Aborted",
		connect.CodeOutOfRange:         "OutOfRange",
		connect.CodeUnimplemented:      "Unimplemented",
		connect.CodeInternal:           "Internal",
		connect.CodeUnavailable:        "Unavailable",
		connect.CodeDataLoss:           "DataLoss",
		connect.CodeUnauthenticated:    "Unauthenticated",
	}[c]
}
