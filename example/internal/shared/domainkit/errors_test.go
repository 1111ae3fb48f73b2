package domainkit

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hrz8/altalune"
	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
	project_domain "github.com/hrz8/altalune/internal/domain/project"
	"github.com/jackc/pgx/v5/pgconn"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

var (
	errEmailTaken  = errors.New("employee email already exists")
	errNumberTaken = errors.New("employee number already exists")
)

func TestUniqueViolationWithoutLookup(t *testing.T) {
	byIndex := map[string]error{
		"altalune_example_employees_email_key":  errEmailTaken,
		"altalune_example_employees_number_key": errNumberTaken,
	}
	emailViolation := &pgconn.PgError{Code: "23505", SchemaName: "public", ConstraintName: "altalune_example_employees_email_key"}
	plain := errors.New("connection reset")
	foreignKey := &pgconn.PgError{Code: "23503", ConstraintName: "altalune_example_employees_email_key"}
	tooLong := &pgconn.PgError{Code: "22001", ConstraintName: "altalune_example_employees_email_key"}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{name: "nil", err: nil, want: nil},
		{name: "mapped index", err: emailViolation, want: errEmailTaken},
		{name: "other mapped index", err: &pgconn.PgError{Code: "23505", ConstraintName: "altalune_example_employees_number_key"}, want: errNumberTaken},
		{name: "wrapped violation", err: fmt.Errorf("insert employee: %w", emailViolation), want: errEmailTaken},
		{name: "non-unique PgError unchanged", err: foreignKey, want: foreignKey},
		{name: "data exception unchanged", err: tooLong, want: tooLong},
		{name: "plain error unchanged", err: plain, want: plain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := unusedDB(t)
			got := UniqueViolation(context.Background(), db, tt.err, byIndex)
			if got != tt.want {
				t.Errorf("UniqueViolation() = %v (%T), want %v (%T)", got, got, tt.want, tt.want)
			}
			if calls := db.recorded(); len(calls) != 0 {
				t.Errorf("statements = %v, want none", calls)
			}
		})
	}
}

func TestUniqueViolationWithNilDB(t *testing.T) {
	violation := &pgconn.PgError{Code: "23505", ConstraintName: "employees_email_key"}
	got := UniqueViolation(context.Background(), nil, violation, map[string]error{"employees_email_key": errEmailTaken})
	if got != errEmailTaken {
		t.Errorf("UniqueViolation() = %v, want %v", got, errEmailTaken)
	}
}

func TestUniqueViolationResolvesPartitionIndex(t *testing.T) {
	byIndex := map[string]error{"altalune_example_employees_email_key": errEmailTaken}
	violation := &pgconn.PgError{Code: "23505", SchemaName: "public", ConstraintName: "altalune_example_employees_p42_email_key"}
	tests := []struct {
		name   string
		answer fakeAnswer
		want   error
	}{
		{
			name:   "root index mapped",
			answer: fakeAnswer{columns: []string{"relname"}, rows: [][]driver.Value{{"altalune_example_employees_email_key"}}},
			want:   errEmailTaken,
		},
		{
			name:   "root index not mapped",
			answer: fakeAnswer{columns: []string{"relname"}, rows: [][]driver.Value{{"altalune_example_employees_p42_email_key"}}},
			want:   violation,
		},
		{
			name:   "no such index",
			answer: fakeAnswer{columns: []string{"relname"}},
			want:   violation,
		},
		{
			name:   "lookup fails",
			answer: fakeAnswer{err: errors.New("connection reset")},
			want:   violation,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := newFakeDB(t, func(string, []any) fakeAnswer { return tt.answer })
			got := UniqueViolation(context.Background(), db, violation, byIndex)
			if got != tt.want {
				t.Errorf("UniqueViolation() = %v, want %v", got, tt.want)
			}
			want := []fakeCall{{query: rootIndex, args: []any{"public", "altalune_example_employees_p42_email_key"}}}
			if calls := db.recorded(); !reflect.DeepEqual(calls, want) {
				t.Errorf("statements = %#v, want %#v", calls, want)
			}
		})
	}
}

func TestUnexpectedInvalidPayload(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		wantMsg string
	}{
		{
			name:    "invalid query",
			err:     invalidQuery("unknown filter %q; %s", "colour", "filter by one of name"),
			wantMsg: `query: unknown filter "colour"; filter by one of name`,
		},
		{
			name:    "wrapped invalid query",
			err:     fmt.Errorf("query employees: %w", invalidQuery("unknown sort field %q; %s", "x", "sort by one of name")),
			wantMsg: `query: unknown sort field "x"; sort by one of name`,
		},
		{
			name:    "document that cannot be stored",
			err:     fmt.Errorf("failed to encode args[7]: %w", &DocumentError{Field: "settings", msg: "the document is larger than 1048576 bytes"}),
			wantMsg: "settings: the document is larger than 1048576 bytes",
		},
		{
			name:    "write naming no parent",
			err:     fmt.Errorf("insert: %w", &MissingParent{Field: "ticket_id", Parent: "ticket"}),
			wantMsg: "ticket_id: no ticket has this ID",
		},
		{
			name:    "string too long (22001)",
			err:     &pgconn.PgError{Code: "22001", Message: "value too long for type character varying(10)"},
			wantMsg: "a value cannot be stored: value too long for type character varying(10)",
		},
		{
			name:    "invalid byte sequence (22021)",
			err:     fmt.Errorf("insert: %w", &pgconn.PgError{Code: "22021", Message: `invalid byte sequence for encoding "UTF8": 0x00`}),
			wantMsg: `a value cannot be stored: invalid byte sequence for encoding "UTF8": 0x00`,
		},
		{
			name:    "numeric out of range (22003)",
			err:     &pgconn.PgError{Code: "22003", Message: "numeric field overflow"},
			wantMsg: "a value cannot be stored: numeric field overflow",
		},
		{
			name:    "program limit exceeded (54000)",
			err:     &pgconn.PgError{Code: "54000", Message: "index row size 3000 exceeds btree version 4 maximum 2704"},
			wantMsg: "a value cannot be stored: index row size 3000 exceeds btree version 4 maximum 2704",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := &fakeLogger{}
			err := Unexpected(context.Background(), log, "create employee", tt.err, "project_id", "p1")
			var appErr *altalune.AppError
			if !errors.As(err, &appErr) {
				t.Fatalf("Unexpected() = %v (%T), want *altalune.AppError", err, err)
			}
			if appErr.Code() != altalune.CodeInvalidPayload || appErr.Code() != "60001" {
				t.Errorf("Code() = %q, want 60001", appErr.Code())
			}
			if appErr.GRPCCode() != codes.InvalidArgument {
				t.Errorf("GRPCCode() = %v, want InvalidArgument", appErr.GRPCCode())
			}
			if appErr.Message() != tt.wantMsg {
				t.Errorf("Message() = %q, want %q", appErr.Message(), tt.wantMsg)
			}
			if entries := log.logged(); len(entries) != 0 {
				t.Errorf("logged %v, want nothing", entries)
			}
		})
	}
}

func TestUnexpectedContextErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{name: "canceled", err: context.Canceled},
		{name: "deadline exceeded", err: context.DeadlineExceeded},
		{name: "wrapped canceled", err: fmt.Errorf("query employees: %w", context.Canceled)},
		{name: "wrapped deadline", err: fmt.Errorf("count: %w", context.DeadlineExceeded)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := &fakeLogger{}
			got := Unexpected(context.Background(), log, "query employees", tt.err, "project_id", "p1")
			if got != tt.err {
				t.Errorf("Unexpected() = %v (%T), want the error itself", got, got)
			}
			want := []logEntry{{level: "debug", msg: "query employees stopped", args: []any{"error", tt.err}}}
			if entries := log.logged(); !reflect.DeepEqual(entries, want) {
				t.Errorf("logged %#v, want %#v", entries, want)
			}
		})
	}
}

func TestUnexpectedInternal(t *testing.T) {
	dbDown := errors.New("connection refused")
	foreignKey := &pgconn.PgError{Code: "23503", Message: "violates foreign key constraint"}
	tests := []struct {
		name     string
		err      error
		args     []any
		wantArgs []any
	}{
		{name: "no pairs", err: dbDown, args: nil, wantArgs: []any{"error", dbDown}},
		{
			name:     "pairs kept",
			err:      dbDown,
			args:     []any{"project_id", "p1", "employee_id", "e1"},
			wantArgs: []any{"error", dbDown, "project_id", "p1", "employee_id", "e1"},
		},
		{
			name:     "empty values left out",
			err:      dbDown,
			args:     []any{"project_id", "p1", "employee_id", "", "count", 3, "nil", nil},
			wantArgs: []any{"error", dbDown, "project_id", "p1", "count", 3, "nil", nil},
		},
		{
			name:     "all values empty",
			err:      dbDown,
			args:     []any{"project_id", "", "employee_id", ""},
			wantArgs: []any{"error", dbDown},
		},
		{
			name:     "dangling key dropped",
			err:      dbDown,
			args:     []any{"project_id", "p1", "dangling"},
			wantArgs: []any{"error", dbDown, "project_id", "p1"},
		},
		{name: "PgError of another class", err: foreignKey, args: nil, wantArgs: []any{"error", foreignKey}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := &fakeLogger{}
			err := Unexpected(context.Background(), log, "create employee", tt.err, tt.args...)
			var appErr *altalune.AppError
			if !errors.As(err, &appErr) {
				t.Fatalf("Unexpected() = %v (%T), want *altalune.AppError", err, err)
			}
			if appErr.Code() != altalune.CodeUnexpected || appErr.Code() != "69901" {
				t.Errorf("Code() = %q, want 69901", appErr.Code())
			}
			if appErr.GRPCCode() != codes.Internal {
				t.Errorf("GRPCCode() = %v, want Internal", appErr.GRPCCode())
			}
			if appErr.Message() != "failed to create employee" {
				t.Errorf("Message() = %q, want %q", appErr.Message(), "failed to create employee")
			}
			wantDetail := &altalunev1.ErrorDetail{Code: "69901", Meta: map[string]string{"underlying_error": tt.err.Error()}}
			if details := appErr.Details(); len(details) != 1 || !proto.Equal(details[0], wantDetail) {
				t.Errorf("Details() = %v, want [%v]", details, wantDetail)
			}
			want := []logEntry{{level: "error", msg: "failed to create employee", args: tt.wantArgs}}
			if entries := log.logged(); !reflect.DeepEqual(entries, want) {
				t.Errorf("logged %#v, want %#v", entries, want)
			}
		})
	}
}

func TestUnstorable(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		want   string
		wantOK bool
	}{
		{name: "nil", err: nil},
		{name: "plain", err: errors.New("x")},
		{name: "unique violation", err: &pgconn.PgError{Code: "23505", Message: "duplicate key"}},
		{name: "class 42", err: &pgconn.PgError{Code: "42703", Message: "column does not exist"}},
		{name: "class 22", err: &pgconn.PgError{Code: "22P02", Message: "invalid input syntax"}, want: "a value cannot be stored: invalid input syntax", wantOK: true},
		{name: "class 54", err: &pgconn.PgError{Code: "54001", Message: "statement too complex"}, want: "a value cannot be stored: statement too complex", wantOK: true},
		{name: "wrapped", err: fmt.Errorf("a: %w", &pgconn.PgError{Code: "22008", Message: "date out of range"}), want: "a value cannot be stored: date out of range", wantOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := unstorable(tt.err)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("unstorable() = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestCheckRequestValid(t *testing.T) {
	phone := "+62 812"
	tests := []struct {
		name string
		msg  proto.Message
	}{
		{name: "empty message", msg: &altalunev1.CreateEmployeeRequest{}},
		{
			name: "full request",
			msg: &altalunev1.CreateEmployeeRequest{
				ProjectId:      "p1",
				Name:           "Ann Lee",
				Email:          "ann@example.com",
				EmployeeNumber: "E-1",
				Role:           altalunev1.EmployeeRole_EMPLOYEE_ROLE_MANAGER,
				Status:         altalunev1.EmployeeStatus_EMPLOYEE_STATUS_ON_LEAVE,
				Phone:          &phone,
				Age:            wrapperspb.Int32(41),
				HiredAt:        &timestamppb.Timestamp{Seconds: 1700000000, Nanos: 5},
				Salary:         1000.5,
				Remote:         true,
			},
		},
		{name: "earliest timestamp", msg: &altalunev1.CreateEmployeeRequest{HiredAt: &timestamppb.Timestamp{Seconds: -62135596800}}},
		{name: "latest timestamp", msg: &altalunev1.CreateEmployeeRequest{HiredAt: &timestamppb.Timestamp{Seconds: 253402300799, Nanos: 999999999}}},
		{name: "bytes may hold NUL", msg: &altalunev1.CreateCurrencyRequest{Code: "EUR", SymbolImage: []byte{0, 1, 0}}},
		{
			name: "clean query",
			msg: &altalunev1.QueryEmployeesRequest{ProjectId: "p1", Query: &altalunev1.QueryRequest{
				Pagination: &altalunev1.Pagination{Page: 1, PageSize: 10},
				Keyword:    "ann",
				Filters:    map[string]*altalunev1.StringList{"roles": {Values: []string{"engineer"}}, "empty": {}},
				Sorting:    &altalunev1.Sorting{Field: "name", Order: altalunev1.SortOrder_SORT_ORDER_DESC},
			}},
		},
		{name: "clean map of strings", msg: &altalunev1.ErrorDetail{Code: "1", Meta: map[string]string{"k": "v", "": ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckRequest(tt.msg); err != nil {
				t.Errorf("CheckRequest() = %v, want nil", err)
			}
		})
	}
}

func TestCheckRequestRefuses(t *testing.T) {
	tests := []struct {
		name string
		msg  proto.Message
		want string
	}{
		{name: "nil message", msg: nil, want: "empty request"},
		{name: "typed nil message", msg: (*altalunev1.CreateEmployeeRequest)(nil), want: "empty request"},
		{name: "NUL in a top-level string", msg: &altalunev1.CreateEmployeeRequest{Name: "Ann\x00Lee"}, want: "name: contains a NUL character"},
		{name: "NUL in an optional string", msg: &altalunev1.CreateEmployeeRequest{Phone: proto.String("\x00")}, want: "phone: contains a NUL character"},
		{name: "NUL in a wrapper", msg: &altalunev1.CreateCurrencyRequest{Description: wrapperspb.String("a\x00")}, want: "description.value: contains a NUL character"},
		{
			name: "NUL in a nested message's string",
			msg:  &altalunev1.QueryEmployeesRequest{ProjectId: "p1", Query: &altalunev1.QueryRequest{Keyword: "an\x00n"}},
			want: "query.keyword: contains a NUL character",
		},
		{
			name: "NUL two messages deep",
			msg:  &altalunev1.QueryEmployeesRequest{Query: &altalunev1.QueryRequest{Sorting: &altalunev1.Sorting{Field: "name\x00"}}},
			want: "query.sorting.field: contains a NUL character",
		},
		{name: "NUL in a repeated string", msg: &altalunev1.StringList{Values: []string{"ok", "b\x00"}}, want: "values[1]: contains a NUL character"},
		{
			name: "NUL in a repeated string of a map value",
			msg: &altalunev1.QueryEmployeesRequest{Query: &altalunev1.QueryRequest{Filters: map[string]*altalunev1.StringList{
				"roles": {Values: []string{"engineer", "\x00"}},
			}}},
			want: `query.filters["roles"].values[1]: contains a NUL character`,
		},
		{
			name: "NUL in a map key",
			msg: &altalunev1.QueryEmployeesRequest{Query: &altalunev1.QueryRequest{Filters: map[string]*altalunev1.StringList{
				"ro\x00les": {Values: []string{"engineer"}},
			}}},
			want: "query.filters: a key contains a NUL character",
		},
		{name: "NUL in a map value", msg: &altalunev1.ErrorDetail{Meta: map[string]string{"k": "v\x00"}}, want: `meta["k"]: contains a NUL character`},
		{name: "map key quoted in the path", msg: &altalunev1.ErrorDetail{Meta: map[string]string{`a"b`: "\x00"}}, want: `meta["a\"b"]: contains a NUL character`},
		{name: "NUL in a map key of strings", msg: &altalunev1.ErrorDetail{Meta: map[string]string{"\x00": "v"}}, want: "meta: a key contains a NUL character"},
		{
			name: "undeclared enum number at top level",
			msg:  &altalunev1.CreateEmployeeRequest{Role: altalunev1.EmployeeRole(99)},
			want: "role: 99 is not a value of altalune.v1.EmployeeRole",
		},
		{
			name: "negative enum number",
			msg:  &altalunev1.UpdateEmployeeRequest{Status: altalunev1.EmployeeStatus(-1)},
			want: "status: -1 is not a value of altalune.v1.EmployeeStatus",
		},
		{
			name: "undeclared enum number nested",
			msg:  &altalunev1.QueryTicketsRequest{Query: &altalunev1.QueryRequest{Sorting: &altalunev1.Sorting{Field: "due_at", Order: altalunev1.SortOrder(7)}}},
			want: "query.sorting.order: 7 is not a value of altalune.v1.SortOrder",
		},
		{
			name: "undeclared enum number in a list of messages",
			msg: &altalunev1.QueryEmployeesResponse{Data: []*altalunev1.Employee{
				{Status: altalunev1.EmployeeStatus_EMPLOYEE_STATUS_ACTIVE},
				{Status: altalunev1.EmployeeStatus(42)},
			}},
			want: "data[1].status: 42 is not a value of altalune.v1.EmployeeStatus",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckRequest(tt.msg)
			if errorMessage(err) != tt.want {
				t.Errorf("CheckRequest() = %q, want %q", errorMessage(err), tt.want)
			}
		})
	}
}

func TestCheckRequestTimestamps(t *testing.T) {
	tests := []struct {
		name       string
		msg        proto.Message
		path       string
		ts         *timestamppb.Timestamp
		wantSuffix string
	}{
		{
			name:       "far future",
			ts:         &timestamppb.Timestamp{Seconds: 1 << 62},
			msg:        &altalunev1.CreateEmployeeRequest{Name: "Ann"},
			path:       "hired_at",
			wantSuffix: "(seconds:4611686018427387904) after 9999-12-31",
		},
		{
			name:       "one second after the last",
			ts:         &timestamppb.Timestamp{Seconds: 253402300800},
			msg:        &altalunev1.CreateTicketRequest{},
			path:       "due_at",
			wantSuffix: "(seconds:253402300800) after 9999-12-31",
		},
		{
			name:       "before year 1",
			ts:         &timestamppb.Timestamp{Seconds: -62135596801},
			msg:        &altalunev1.UpdateTicketRequest{},
			path:       "due_at",
			wantSuffix: "(seconds:-62135596801) before 0001-01-01",
		},
		{
			name:       "nanos out of range",
			ts:         &timestamppb.Timestamp{Seconds: 1, Nanos: -1},
			msg:        &altalunev1.CreateEmployeeRequest{},
			path:       "hired_at",
			wantSuffix: "nanos:-1) has out-of-range nanos",
		},
		{
			name:       "nested in a list",
			ts:         &timestamppb.Timestamp{Seconds: 1 << 62},
			msg:        &altalunev1.QueryTicketsResponse{Data: []*altalunev1.Ticket{{}}},
			path:       "data[0].closed_at",
			wantSuffix: "(seconds:4611686018427387904) after 9999-12-31",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			switch m := tt.msg.(type) {
			case *altalunev1.CreateEmployeeRequest:
				m.HiredAt = tt.ts
			case *altalunev1.CreateTicketRequest:
				m.DueAt = tt.ts
			case *altalunev1.UpdateTicketRequest:
				m.DueAt = tt.ts
			case *altalunev1.QueryTicketsResponse:
				m.Data[0].ClosedAt = tt.ts
			}
			// protobuf words the reason itself, varying its spacing on
			// purpose from build to build: compare with its own words.
			reason := tt.ts.CheckValid()
			if reason == nil || !strings.HasSuffix(reason.Error(), tt.wantSuffix) {
				t.Fatalf("CheckValid() = %v, want an error ending %q", reason, tt.wantSuffix)
			}
			err := CheckRequest(tt.msg)
			if want := tt.path + ": " + reason.Error(); errorMessage(err) != want {
				t.Errorf("CheckRequest() = %q, want %q", errorMessage(err), want)
			}
			if inner := errors.Unwrap(err); inner == nil || inner.Error() != reason.Error() {
				t.Errorf("CheckRequest() wraps %v, want the timestamp's reason", inner)
			}
		})
	}
}

// projectRepo is a project_domain.Repositor that only resolves IDs; any
// other method panics through the nil embedded interface.
type projectRepo struct {
	project_domain.Repositor
	id    int64
	err   error
	asked []string
}

func (r *projectRepo) GetIDByPublicID(_ context.Context, publicID string) (int64, error) {
	r.asked = append(r.asked, publicID)
	return r.id, r.err
}

func TestProjectID(t *testing.T) {
	t.Run("found", func(t *testing.T) {
		repo := &projectRepo{id: 42}
		log := &fakeLogger{}
		id, err := ProjectID(context.Background(), log, repo, "abcdefghjk2345")
		if id != 42 || err != nil {
			t.Errorf("ProjectID() = %d, %v; want 42, nil", id, err)
		}
		if !reflect.DeepEqual(repo.asked, []string{"abcdefghjk2345"}) {
			t.Errorf("asked for %q, want [abcdefghjk2345]", repo.asked)
		}
		if entries := log.logged(); len(entries) != 0 {
			t.Errorf("logged %v, want nothing", entries)
		}
	})
	for _, notFound := range []error{project_domain.ErrProjectNotFound, fmt.Errorf("select: %w", project_domain.ErrProjectNotFound)} {
		t.Run("not found: "+notFound.Error(), func(t *testing.T) {
			log := &fakeLogger{}
			id, err := ProjectID(context.Background(), log, &projectRepo{id: 9, err: notFound}, "nope")
			var appErr *altalune.AppError
			if id != 0 || !errors.As(err, &appErr) {
				t.Fatalf("ProjectID() = %d, %v; want 0, *altalune.AppError", id, err)
			}
			if appErr.Code() != "60301" || appErr.GRPCCode() != codes.NotFound || appErr.Message() != "Project with ID 'nope' not found" {
				t.Errorf("ProjectID() error = %q %v %q, want 60301 NotFound %q", appErr.Code(), appErr.GRPCCode(), appErr.Message(), "Project with ID 'nope' not found")
			}
			if entries := log.logged(); len(entries) != 0 {
				t.Errorf("logged %v, want nothing", entries)
			}
		})
	}
	t.Run("lookup fails", func(t *testing.T) {
		dbDown := errors.New("connection refused")
		log := &fakeLogger{}
		id, err := ProjectID(context.Background(), log, &projectRepo{id: 9, err: dbDown}, "p1")
		var appErr *altalune.AppError
		if id != 0 || !errors.As(err, &appErr) {
			t.Fatalf("ProjectID() = %d, %v; want 0, *altalune.AppError", id, err)
		}
		if appErr.Code() != "69901" || appErr.Message() != "failed to resolve project" {
			t.Errorf("ProjectID() error = %q %q, want 69901 %q", appErr.Code(), appErr.Message(), "failed to resolve project")
		}
		want := []logEntry{{level: "error", msg: "failed to resolve project", args: []any{"error", dbDown, "project_id", "p1"}}}
		if entries := log.logged(); !reflect.DeepEqual(entries, want) {
			t.Errorf("logged %#v, want %#v", entries, want)
		}
	})
	t.Run("lookup canceled", func(t *testing.T) {
		log := &fakeLogger{}
		id, err := ProjectID(context.Background(), log, &projectRepo{err: context.Canceled}, "p1")
		if id != 0 || err != context.Canceled {
			t.Errorf("ProjectID() = %d, %v; want 0, context.Canceled", id, err)
		}
	})
}
