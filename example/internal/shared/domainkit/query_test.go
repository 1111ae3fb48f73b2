package domainkit

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
	"github.com/hrz8/altalune/internal/shared/query"
)

// testSpec is a spec like the generated ones: scoped by project, searched
// in two columns, with an enum, a bool, a text (indexed) and a number filter.
func testSpec() *QuerySpec {
	return &QuerySpec{
		Table:        "altalune_example_employees",
		Columns:      "id, public_id, name",
		Scope:        "project_id = $1",
		DefaultSort:  "created_at",
		DefaultOrder: query.SortOrderDesc,
		Search:       []string{"name", "email"},
		Filters: map[string]Filter{
			"roles": {
				Column: "role",
				Values: []string{"engineer", "manager", "designer"},
				Names:  []string{"EMPLOYEE_ROLE_ENGINEER", "EMPLOYEE_ROLE_MANAGER", "EMPLOYEE_ROLE_DESIGNER"},
			},
			"remote": {Column: "remote", Bool: true},
			"name":   {Column: "name", Text: true, Indexed: true},
			"salary": {Column: "salary"},
		},
		FilterAliases: map[string]string{"role": "roles", "isRemote": "remote"},
		Sorts: map[string]string{
			"name":       "name",
			"role":       "array_position(ARRAY['engineer', 'manager', 'designer'], role::TEXT)",
			"hired_at":   "hired_at",
			"created_at": "created_at",
		},
		SortAliases: map[string]string{"hiredAt": "hired_at", "createdAt": "created_at"},
	}
}

func TestQueryParams(t *testing.T) {
	tests := []struct {
		name string
		req  *altalunev1.QueryRequest
		want *query.QueryParams
	}{
		{
			name: "nil request",
			req:  nil,
			want: &query.QueryParams{Pagination: query.PaginationParams{Page: 1, PageSize: DefaultPageSize}, Filters: map[string][]string{}},
		},
		{
			name: "empty request",
			req:  &altalunev1.QueryRequest{},
			want: &query.QueryParams{Pagination: query.PaginationParams{Page: 1, PageSize: DefaultPageSize}, Filters: map[string][]string{}},
		},
		{
			name: "page only",
			req:  &altalunev1.QueryRequest{Pagination: &altalunev1.Pagination{Page: 3}},
			want: &query.QueryParams{Pagination: query.PaginationParams{Page: 3, PageSize: DefaultPageSize}, Filters: map[string][]string{}},
		},
		{
			name: "page size only",
			req:  &altalunev1.QueryRequest{Pagination: &altalunev1.Pagination{PageSize: 25}},
			want: &query.QueryParams{Pagination: query.PaginationParams{Page: 1, PageSize: 25}, Filters: map[string][]string{}},
		},
		{
			name: "zero pagination",
			req:  &altalunev1.QueryRequest{Pagination: &altalunev1.Pagination{}},
			want: &query.QueryParams{Pagination: query.PaginationParams{Page: 1, PageSize: DefaultPageSize}, Filters: map[string][]string{}},
		},
		{
			name: "negative pagination",
			req:  &altalunev1.QueryRequest{Pagination: &altalunev1.Pagination{Page: -4, PageSize: -20}},
			want: &query.QueryParams{Pagination: query.PaginationParams{Page: 1, PageSize: DefaultPageSize}, Filters: map[string][]string{}},
		},
		{
			name: "page size above the maximum is left to pageOf",
			req:  &altalunev1.QueryRequest{Pagination: &altalunev1.Pagination{Page: 2, PageSize: 1000}},
			want: &query.QueryParams{Pagination: query.PaginationParams{Page: 2, PageSize: 1000}, Filters: map[string][]string{}},
		},
		{
			name: "keyword kept as is",
			req:  &altalunev1.QueryRequest{Keyword: "  Ann %_ "},
			want: &query.QueryParams{Pagination: query.PaginationParams{Page: 1, PageSize: DefaultPageSize}, Keyword: "  Ann %_ ", Filters: map[string][]string{}},
		},
		{
			name: "filters, empty lists kept",
			req: &altalunev1.QueryRequest{Filters: map[string]*altalunev1.StringList{
				"roles":  {Values: []string{"engineer", "MANAGER"}},
				"remote": {Values: []string{}},
				"name":   {},
				"salary": nil,
			}},
			want: &query.QueryParams{Pagination: query.PaginationParams{Page: 1, PageSize: DefaultPageSize}, Filters: map[string][]string{
				"roles":  {"engineer", "MANAGER"},
				"remote": {},
				"name":   {},
				"salary": {},
			}},
		},
		{
			name: "sorting without order is ascending",
			req:  &altalunev1.QueryRequest{Sorting: &altalunev1.Sorting{Field: "name"}},
			want: &query.QueryParams{Pagination: query.PaginationParams{Page: 1, PageSize: DefaultPageSize}, Filters: map[string][]string{},
				Sorting: &query.SortingParams{Field: "name", Order: query.SortOrderAsc}},
		},
		{
			name: "sorting ascending",
			req:  &altalunev1.QueryRequest{Sorting: &altalunev1.Sorting{Field: "hiredAt", Order: altalunev1.SortOrder_SORT_ORDER_ASC}},
			want: &query.QueryParams{Pagination: query.PaginationParams{Page: 1, PageSize: DefaultPageSize}, Filters: map[string][]string{},
				Sorting: &query.SortingParams{Field: "hiredAt", Order: query.SortOrderAsc}},
		},
		{
			name: "sorting descending",
			req:  &altalunev1.QueryRequest{Sorting: &altalunev1.Sorting{Field: "name", Order: altalunev1.SortOrder_SORT_ORDER_DESC}},
			want: &query.QueryParams{Pagination: query.PaginationParams{Page: 1, PageSize: DefaultPageSize}, Filters: map[string][]string{},
				Sorting: &query.SortingParams{Field: "name", Order: query.SortOrderDesc}},
		},
		{
			name: "undeclared sort order is ascending",
			req:  &altalunev1.QueryRequest{Sorting: &altalunev1.Sorting{Field: "name", Order: altalunev1.SortOrder(9)}},
			want: &query.QueryParams{Pagination: query.PaginationParams{Page: 1, PageSize: DefaultPageSize}, Filters: map[string][]string{},
				Sorting: &query.SortingParams{Field: "name", Order: query.SortOrderAsc}},
		},
		{
			name: "sorting without field is no sorting",
			req:  &altalunev1.QueryRequest{Sorting: &altalunev1.Sorting{Order: altalunev1.SortOrder_SORT_ORDER_DESC}},
			want: &query.QueryParams{Pagination: query.PaginationParams{Page: 1, PageSize: DefaultPageSize}, Filters: map[string][]string{}},
		},
		{
			name: "full request",
			req: &altalunev1.QueryRequest{
				Pagination: &altalunev1.Pagination{Page: 4, PageSize: 50},
				Keyword:    "ann",
				Filters:    map[string]*altalunev1.StringList{"role": {Values: []string{"EMPLOYEE_ROLE_MANAGER"}}},
				Sorting:    &altalunev1.Sorting{Field: "created_at", Order: altalunev1.SortOrder_SORT_ORDER_DESC},
			},
			want: &query.QueryParams{
				Pagination: query.PaginationParams{Page: 4, PageSize: 50},
				Keyword:    "ann",
				Filters:    map[string][]string{"role": {"EMPLOYEE_ROLE_MANAGER"}},
				Sorting:    &query.SortingParams{Field: "created_at", Order: query.SortOrderDesc},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := QueryParams(tt.req)
			if got.Pagination != tt.want.Pagination {
				t.Errorf("Pagination = %+v, want %+v", got.Pagination, tt.want.Pagination)
			}
			if got.Keyword != tt.want.Keyword {
				t.Errorf("Keyword = %q, want %q", got.Keyword, tt.want.Keyword)
			}
			if got.Filters == nil {
				t.Errorf("Filters = nil, want a non-nil map")
			}
			if len(got.Filters) != len(tt.want.Filters) {
				t.Errorf("Filters = %v, want %v", got.Filters, tt.want.Filters)
			}
			for key, want := range tt.want.Filters {
				values, ok := got.Filters[key]
				if !ok {
					t.Errorf("Filters lacks key %q: %v", key, got.Filters)
					continue
				}
				if !slices.Equal(values, want) {
					t.Errorf("Filters[%q] = %q, want %q", key, values, want)
				}
			}
			if !reflect.DeepEqual(got.Sorting, tt.want.Sorting) {
				t.Errorf("Sorting = %+v, want %+v", got.Sorting, tt.want.Sorting)
			}
		})
	}
}

func TestQueryParamsCopiesFilterValues(t *testing.T) {
	values := []string{"engineer", "manager"}
	req := &altalunev1.QueryRequest{Filters: map[string]*altalunev1.StringList{"roles": {Values: values}}}
	params := QueryParams(req)
	values[0] = "changed"
	if got := params.Filters["roles"]; !slices.Equal(got, []string{"engineer", "manager"}) {
		t.Errorf("Filters[roles] = %q after the request changed, want a copy", got)
	}
}

func TestWhere(t *testing.T) {
	tests := []struct {
		name     string
		spec     *QuerySpec
		params   *query.QueryParams
		scope    []any
		wantSQL  string
		wantArgs []any
	}{
		{
			name:     "no scope, keyword or filter",
			spec:     &QuerySpec{Table: "t", Search: []string{"name"}},
			params:   &query.QueryParams{},
			wantSQL:  "",
			wantArgs: nil,
		},
		{
			name:     "scope only",
			spec:     testSpec(),
			params:   &query.QueryParams{},
			scope:    []any{int64(7)},
			wantSQL:  " WHERE project_id = $1",
			wantArgs: []any{int64(7)},
		},
		{
			name:     "keyword without search columns is ignored",
			spec:     &QuerySpec{Table: "t"},
			params:   &query.QueryParams{Keyword: "ann"},
			wantSQL:  "",
			wantArgs: nil,
		},
		{
			name:     "keyword without scope",
			spec:     &QuerySpec{Table: "t", Search: []string{"code", "name"}},
			params:   &query.QueryParams{Keyword: "eur"},
			wantSQL:  " WHERE (code ILIKE $1 OR name ILIKE $1)",
			wantArgs: []any{"%eur%"},
		},
		{
			name:     "keyword numbered after the scope, escaped",
			spec:     testSpec(),
			params:   &query.QueryParams{Keyword: `50%_off\`},
			scope:    []any{int64(7)},
			wantSQL:  " WHERE project_id = $1 AND (name ILIKE $2 OR email ILIKE $2)",
			wantArgs: []any{int64(7), `%50\%\_off\\%`},
		},
		{
			name: "every kind of filter, in the order of the requested keys",
			spec: testSpec(),
			params: &query.QueryParams{
				Keyword: "ann",
				Filters: map[string][]string{
					"roles":  {"Engineer", "employee_role_manager"},
					"remote": {"TRUE", "f"},
					"name":   {"Ann Lee"},
					"salary": {"1000.5"},
				},
			},
			scope: []any{int64(7)},
			wantSQL: " WHERE project_id = $1 AND (name ILIKE $2 OR email ILIKE $2)" +
				" AND LOWER(name) = ANY($3)" +
				" AND remote = ANY($4)" +
				" AND role = ANY($5)" +
				" AND LOWER(salary::TEXT) = ANY($6)",
			wantArgs: []any{int64(7), "%ann%", []string{"ann lee"}, []bool{true, false}, []string{"engineer", "manager"}, []string{"1000.5"}},
		},
		{
			name: "aliases resolve to the filter",
			spec: testSpec(),
			params: &query.QueryParams{Filters: map[string][]string{
				"role":     {"DESIGNER"},
				"isRemote": {"1", "0", "t", "False", "tRuE", "fAlSe"},
			}},
			scope:    []any{int64(7)},
			wantSQL:  " WHERE project_id = $1 AND remote = ANY($2) AND role = ANY($3)",
			wantArgs: []any{int64(7), []bool{true, false, true, false, true, false}, []string{"designer"}},
		},
		{
			name:     "filter with no values adds no condition",
			spec:     testSpec(),
			params:   &query.QueryParams{Filters: map[string][]string{"roles": {}, "name": nil, "remote": {"false"}}},
			scope:    []any{int64(7)},
			wantSQL:  " WHERE project_id = $1 AND remote = ANY($2)",
			wantArgs: []any{int64(7), []bool{false}},
		},
		{
			name: "enum without proto names",
			spec: &QuerySpec{Table: "t", Filters: map[string]Filter{
				"state": {Column: "state", Values: []string{"open", "closed"}},
			}},
			params:   &query.QueryParams{Filters: map[string][]string{"state": {"CLOSED", "open"}}},
			wantSQL:  " WHERE state = ANY($1)",
			wantArgs: []any{[]string{"closed", "open"}},
		},
		{
			name:     "several scope values",
			spec:     &QuerySpec{Table: "t", Scope: "project_id = $1 AND owner_id = $2", Search: []string{"title"}},
			params:   &query.QueryParams{Keyword: "x"},
			scope:    []any{int64(1), "u1"},
			wantSQL:  " WHERE project_id = $1 AND owner_id = $2 AND (title ILIKE $3)",
			wantArgs: []any{int64(1), "u1", "%x%"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotSQL, gotArgs, err := tt.spec.where(tt.params, tt.scope)
			if err != nil {
				t.Fatalf("where() error = %v", err)
			}
			if gotSQL != tt.wantSQL {
				t.Errorf("where() SQL =\n%q\nwant\n%q", gotSQL, tt.wantSQL)
			}
			if len(gotArgs) != len(tt.wantArgs) || (len(gotArgs) > 0 && !reflect.DeepEqual(gotArgs, tt.wantArgs)) {
				t.Errorf("where() args = %#v, want %#v", gotArgs, tt.wantArgs)
			}
		})
	}
}

func TestWhereDoesNotChangeScope(t *testing.T) {
	scope := make([]any, 1, 8)
	scope[0] = int64(7)
	_, args, err := testSpec().where(&query.QueryParams{Keyword: "ann"}, scope)
	if err != nil {
		t.Fatal(err)
	}
	args[0] = "changed"
	if scope[0] != int64(7) || len(scope) != 1 {
		t.Errorf("scope = %v, want [7] untouched", scope)
	}
}

func TestWhereErrors(t *testing.T) {
	tests := []struct {
		name    string
		spec    *QuerySpec
		filters map[string][]string
		want    string
	}{
		{
			name:    "unknown filter key",
			spec:    testSpec(),
			filters: map[string][]string{"colour": {"red"}},
			want:    `query: unknown filter "colour"; filter by one of name, remote, roles, salary`,
		},
		{
			name:    "unknown filter key with no values",
			spec:    testSpec(),
			filters: map[string][]string{"colour": {}},
			want:    `query: unknown filter "colour"; filter by one of name, remote, roles, salary`,
		},
		{
			name:    "sortable but not filterable key",
			spec:    testSpec(),
			filters: map[string][]string{"hired_at": {"2024-01-01"}},
			want:    `query: unknown filter "hired_at"; filter by one of name, remote, roles, salary`,
		},
		{
			name:    "spec without filters",
			spec:    &QuerySpec{Table: "t", Sorts: map[string]string{"name": "name"}},
			filters: map[string][]string{"name": {"x"}},
			want:    `query: unknown filter "name"; this list offers none to filter by`,
		},
		{
			name:    "invalid enum value",
			spec:    testSpec(),
			filters: map[string][]string{"roles": {"engineer", "boss"}},
			want:    `query: filter roles: "boss" is not a value; use one of engineer, manager, designer`,
		},
		{
			name:    "invalid enum value through an alias names the filter key",
			spec:    testSpec(),
			filters: map[string][]string{"role": {"EMPLOYEE_ROLE_UNSPECIFIED"}},
			want:    `query: filter roles: "EMPLOYEE_ROLE_UNSPECIFIED" is not a value; use one of engineer, manager, designer`,
		},
		{
			name:    "invalid bool",
			spec:    testSpec(),
			filters: map[string][]string{"remote": {"true", "yes"}},
			want:    `query: filter remote: "yes" is not true or false`,
		},
		{
			name:    "empty bool",
			spec:    testSpec(),
			filters: map[string][]string{"isRemote": {""}},
			want:    `query: filter remote: "" is not true or false`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sql, args, err := tt.spec.where(&query.QueryParams{Filters: tt.filters}, []any{int64(7)})
			var invalid *InvalidQueryError
			if !errors.As(err, &invalid) {
				t.Fatalf("where() error = %v (%T), want *InvalidQueryError", err, err)
			}
			if err.Error() != tt.want {
				t.Errorf("where() error =\n%s\nwant\n%s", err, tt.want)
			}
			if sql != "" || args != nil {
				t.Errorf("where() = %q, %v with an error, want empty", sql, args)
			}
		})
	}
}

func TestOrderBy(t *testing.T) {
	tests := []struct {
		name    string
		spec    *QuerySpec
		sorting *query.SortingParams
		want    string
	}{
		{name: "default sort", spec: testSpec(), sorting: nil, want: "created_at DESC, id DESC"},
		{
			name:    "default ascending",
			spec:    &QuerySpec{DefaultSort: "code", DefaultOrder: query.SortOrderAsc, Sorts: map[string]string{"code": "code"}},
			sorting: nil,
			want:    "code ASC, id ASC",
		},
		{name: "explicit ascending", spec: testSpec(), sorting: &query.SortingParams{Field: "name", Order: query.SortOrderAsc}, want: "name ASC, id ASC"},
		{name: "explicit descending", spec: testSpec(), sorting: &query.SortingParams{Field: "name", Order: query.SortOrderDesc}, want: "name DESC, id DESC"},
		{name: "empty order is ascending", spec: testSpec(), sorting: &query.SortingParams{Field: "name"}, want: "name ASC, id ASC"},
		{name: "JSON name alias", spec: testSpec(), sorting: &query.SortingParams{Field: "hiredAt", Order: query.SortOrderDesc}, want: "hired_at DESC, id DESC"},
		{name: "field name of an aliased field", spec: testSpec(), sorting: &query.SortingParams{Field: "hired_at", Order: query.SortOrderAsc}, want: "hired_at ASC, id ASC"},
		{
			name:    "enum sorts in declaration order",
			spec:    testSpec(),
			sorting: &query.SortingParams{Field: "role", Order: query.SortOrderDesc},
			want:    "array_position(ARRAY['engineer', 'manager', 'designer'], role::TEXT) DESC, id DESC",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.spec.orderBy(tt.sorting)
			if err != nil {
				t.Fatalf("orderBy() error = %v", err)
			}
			if got != tt.want {
				t.Errorf("orderBy() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOrderByErrors(t *testing.T) {
	tests := []struct {
		name    string
		spec    *QuerySpec
		sorting *query.SortingParams
		want    string
	}{
		{
			name:    "unknown field",
			spec:    testSpec(),
			sorting: &query.SortingParams{Field: "salary", Order: query.SortOrderAsc},
			want:    `query: unknown sort field "salary"; sort by one of created_at, hired_at, name, role`,
		},
		{
			name:    "a filter alias is no sort alias",
			spec:    testSpec(),
			sorting: &query.SortingParams{Field: "isRemote"},
			want:    `query: unknown sort field "isRemote"; sort by one of created_at, hired_at, name, role`,
		},
		{
			name:    "SQL in the field",
			spec:    testSpec(),
			sorting: &query.SortingParams{Field: "name; DROP TABLE x"},
			want:    `query: unknown sort field "name; DROP TABLE x"; sort by one of created_at, hired_at, name, role`,
		},
		{
			name:    "spec without sorts",
			spec:    &QuerySpec{},
			sorting: &query.SortingParams{Field: "name"},
			want:    `query: unknown sort field "name"; this list offers none to sort by`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.spec.orderBy(tt.sorting)
			var invalid *InvalidQueryError
			if !errors.As(err, &invalid) {
				t.Fatalf("orderBy() error = %v (%T), want *InvalidQueryError", err, err)
			}
			if err.Error() != tt.want {
				t.Errorf("orderBy() error =\n%s\nwant\n%s", err, tt.want)
			}
			if got != "" {
				t.Errorf("orderBy() = %q with an error, want empty", got)
			}
		})
	}
}

func TestPageOf(t *testing.T) {
	tests := []struct {
		name     string
		p        query.PaginationParams
		wantPage int64
		wantSize int64
	}{
		{name: "zero", p: query.PaginationParams{}, wantPage: 1, wantSize: DefaultPageSize},
		{name: "negative", p: query.PaginationParams{Page: -3, PageSize: -1}, wantPage: 1, wantSize: DefaultPageSize},
		{name: "given", p: query.PaginationParams{Page: 3, PageSize: 25}, wantPage: 3, wantSize: 25},
		{name: "size one", p: query.PaginationParams{Page: 1, PageSize: 1}, wantPage: 1, wantSize: 1},
		{name: "maximum size", p: query.PaginationParams{Page: 1, PageSize: MaxPageSize}, wantPage: 1, wantSize: MaxPageSize},
		{name: "above maximum size", p: query.PaginationParams{Page: 2, PageSize: MaxPageSize + 1}, wantPage: 2, wantSize: MaxPageSize},
		{name: "extremes", p: query.PaginationParams{Page: math.MaxInt32, PageSize: math.MaxInt32}, wantPage: math.MaxInt32, wantSize: MaxPageSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, size := pageOf(tt.p)
			if page != tt.wantPage || size != tt.wantSize {
				t.Errorf("pageOf(%+v) = %d, %d; want %d, %d", tt.p, page, size, tt.wantPage, tt.wantSize)
			}
		})
	}
}

func TestEscapeLike(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{in: "", want: ""},
		{in: "plain text", want: "plain text"},
		{in: "%", want: `\%`},
		{in: "_", want: `\_`},
		{in: `\`, want: `\\`},
		{in: `100%_sure\`, want: `100\%\_sure\\`},
		{in: `\%`, want: `\\\%`},
		{in: "%%__", want: `\%\%\_\_`},
		{in: "ünï*cödé?", want: "ünï*cödé?"},
	}
	for _, tt := range tests {
		if got := escapeLike(tt.in); got != tt.want {
			t.Errorf("escapeLike(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestClampInt32(t *testing.T) {
	tests := []struct {
		in   int64
		want int32
	}{
		{in: 0, want: 0},
		{in: 42, want: 42},
		{in: -1, want: -1},
		{in: math.MinInt32, want: math.MinInt32},
		{in: math.MaxInt32 - 1, want: math.MaxInt32 - 1},
		{in: math.MaxInt32, want: math.MaxInt32},
		{in: math.MaxInt32 + 1, want: math.MaxInt32},
		{in: 1 << 40, want: math.MaxInt32},
		{in: math.MaxInt64, want: math.MaxInt32},
	}
	for _, tt := range tests {
		if got := clampInt32(tt.in); got != tt.want {
			t.Errorf("clampInt32(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestProtoNames(t *testing.T) {
	toProto := func(role string) altalunev1.EmployeeRole {
		switch role {
		case "engineer":
			return altalunev1.EmployeeRole_EMPLOYEE_ROLE_ENGINEER
		case "manager":
			return altalunev1.EmployeeRole_EMPLOYEE_ROLE_MANAGER
		case "designer":
			return altalunev1.EmployeeRole_EMPLOYEE_ROLE_DESIGNER
		}
		return altalunev1.EmployeeRole_EMPLOYEE_ROLE_UNSPECIFIED
	}
	tests := []struct {
		name   string
		values []string
		want   []string
	}{
		{name: "none", values: nil, want: []string{}},
		{name: "in order", values: []string{"designer", "engineer", "manager"}, want: []string{"EMPLOYEE_ROLE_DESIGNER", "EMPLOYEE_ROLE_ENGINEER", "EMPLOYEE_ROLE_MANAGER"}},
		{name: "unknown maps to unspecified", values: []string{"boss"}, want: []string{"EMPLOYEE_ROLE_UNSPECIFIED"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ProtoNames(tt.values, toProto)
			if got == nil || !slices.Equal(got, tt.want) {
				t.Errorf("ProtoNames(%q) = %#v, want %#v", tt.values, got, tt.want)
			}
		})
	}
}

func TestOffer(t *testing.T) {
	tests := []struct {
		name string
		verb string
		keys map[string]int
		want string
	}{
		{name: "nil", verb: "filter by", keys: nil, want: "this list offers none to filter by"},
		{name: "empty", verb: "sort by", keys: map[string]int{}, want: "this list offers none to sort by"},
		{name: "one", verb: "sort by", keys: map[string]int{"name": 1}, want: "sort by one of name"},
		{name: "sorted", verb: "filter by", keys: map[string]int{"status": 1, "age": 2, "name": 3}, want: "filter by one of age, name, status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := offer(tt.verb, tt.keys); got != tt.want {
				t.Errorf("offer() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	aliases := map[string]string{"hiredAt": "hired_at"}
	for in, want := range map[string]string{"hiredAt": "hired_at", "hired_at": "hired_at", "other": "other", "": ""} {
		if got := resolve(in, aliases); got != want {
			t.Errorf("resolve(%q) = %q, want %q", in, got, want)
		}
	}
	if got := resolve("x", nil); got != "x" {
		t.Errorf("resolve with nil aliases = %q, want x", got)
	}
}

func TestInvalidQueryError(t *testing.T) {
	err := invalidQuery("filter %s: %q is bad", "roles", "x")
	var invalid *InvalidQueryError
	if !errors.As(err, &invalid) {
		t.Fatalf("invalidQuery() = %T, want *InvalidQueryError", err)
	}
	if got, want := err.Error(), `query: filter roles: "x" is bad`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// employeeRow is what the Query tests scan.
type employeeRow struct {
	ID   int64
	Name string
}

type employee struct {
	Label string
}

func scanEmployee(r Row) (*employeeRow, error) {
	var e employeeRow
	if err := r.Scan(&e.ID, &e.Name); err != nil {
		return nil, err
	}
	return &e, nil
}

func toEmployee(r *employeeRow) *employee {
	return &employee{Label: fmt.Sprintf("%d:%s", r.ID, r.Name)}
}

// pageAnswer is the page statement's answer: the rows (id, name), each
// followed by total, the count of every matching row.
func pageAnswer(total int64, rows ...[]driver.Value) fakeAnswer {
	a := fakeAnswer{columns: []string{"id", "name", "count"}}
	for _, r := range rows {
		a.rows = append(a.rows, append(slices.Clone(r), total))
	}
	return a
}

// The catalog subqueries of the test specs, as the kit writes them: a
// column walked on its index (text on LOWER(column)) or grouped.
const (
	walkedName = "(WITH RECURSIVE walk(k, v, n) AS (" +
		"(SELECT LOWER(name) AS k, name::TEXT AS v, 1 FROM altalune_example_employees WHERE project_id = $1 AND name IS NOT NULL ORDER BY LOWER(name) LIMIT 1)" +
		" UNION ALL SELECT next.k, next.v, walk.n + 1 FROM walk, LATERAL " +
		"(SELECT LOWER(name) AS k, name::TEXT AS v FROM altalune_example_employees WHERE project_id = $1 AND LOWER(name) > walk.k ORDER BY LOWER(name) LIMIT 1) AS next" +
		" WHERE walk.n < 100)" +
		" SELECT COALESCE(json_agg(v ORDER BY n), '[]')::TEXT FROM walk)"
	groupedSalary = "(SELECT COALESCE(json_agg(v ORDER BY k), '[]')::TEXT FROM " +
		"(SELECT salary AS k, salary::TEXT AS v FROM altalune_example_employees WHERE project_id = $1 AND salary IS NOT NULL" +
		" GROUP BY salary ORDER BY salary LIMIT 100) AS c)"
	walkedDecimals = "(WITH RECURSIVE walk(k, v, n) AS (" +
		"(SELECT decimals AS k, decimals::TEXT AS v, 1 FROM currencies WHERE decimals IS NOT NULL ORDER BY decimals LIMIT 1)" +
		" UNION ALL SELECT next.k, next.v, walk.n + 1 FROM walk, LATERAL " +
		"(SELECT decimals AS k, decimals::TEXT AS v FROM currencies WHERE decimals > walk.k ORDER BY decimals LIMIT 1) AS next" +
		" WHERE walk.n < 100)" +
		" SELECT COALESCE(json_agg(v ORDER BY n), '[]')::TEXT FROM walk)"
	groupedCurrencyName = "(SELECT COALESCE(json_agg(v ORDER BY k), '[]')::TEXT FROM " +
		"(SELECT name AS k, name::TEXT AS v FROM currencies WHERE name IS NOT NULL GROUP BY name ORDER BY name LIMIT 100) AS c)"
)

func TestQuery(t *testing.T) {
	const where = " WHERE project_id = $1 AND (name ILIKE $2 OR email ILIKE $2) AND remote = ANY($3) AND role = ANY($4)"
	db := newFakeDB(t, func(q string, args []any) fakeAnswer {
		switch {
		case strings.HasPrefix(q, "SELECT id, name,"):
			return pageAnswer(7, []driver.Value{int64(4), "Ann"}, []driver.Value{int64(5), "Bob"})
		case strings.HasPrefix(q, "SELECT (WITH"):
			return fakeAnswer{columns: []string{"name", "salary"}, rows: [][]driver.Value{{`["Ann","Bob"]`, `[]`}}}
		}
		return fakeAnswer{err: fmt.Errorf("unexpected statement %q", q)}
	})
	spec := testSpec()
	spec.Columns = "id, name"
	params := &query.QueryParams{
		Pagination: query.PaginationParams{Page: 2, PageSize: 3},
		Keyword:    "an",
		Filters:    map[string][]string{"remote": {"true"}, "role": {"EMPLOYEE_ROLE_ENGINEER"}, "name": {}},
		Sorting:    &query.SortingParams{Field: "name", Order: query.SortOrderAsc},
	}
	got, err := Query(context.Background(), db, spec, params, scanEmployee, toEmployee, int64(7))
	if err != nil {
		t.Fatalf("Query() error = %v", err)
	}
	filterArgs := []any{int64(7), "%an%", []bool{true}, []string{"engineer"}}
	wantCalls := []fakeCall{
		{
			// The count rides on the page: one statement for both.
			query: "SELECT id, name, (SELECT COUNT(*) FROM altalune_example_employees" + where + ")" +
				" FROM altalune_example_employees" + where + " ORDER BY name ASC, id ASC LIMIT $5 OFFSET $6",
			args: append(slices.Clone(filterArgs), int64(3), int64(3)),
		},
		{
			// The catalog of every column that is not an enum or a
			// boolean, in one statement, scoped only.
			query: "SELECT " + walkedName + ", " + groupedSalary,
			args:  []any{int64(7)},
		},
	}
	calls := db.recorded()
	if !reflect.DeepEqual(calls, wantCalls) {
		t.Errorf("statements =\n%#v\nwant\n%#v", calls, wantCalls)
	}
	wantData := []*employee{{Label: "4:Ann"}, {Label: "5:Bob"}}
	if !reflect.DeepEqual(got.Data, wantData) {
		t.Errorf("Data = %v, want %v", got.Data, wantData)
	}
	if got.TotalRows != 7 || got.TotalPages != 3 {
		t.Errorf("TotalRows, TotalPages = %d, %d; want 7, 3", got.TotalRows, got.TotalPages)
	}
	wantFilters := map[string][]string{
		"name":   {"Ann", "Bob"},
		"remote": {"false", "true"},
		"roles":  {"engineer", "manager", "designer"},
		"salary": {},
	}
	if !reflect.DeepEqual(got.Filters, wantFilters) {
		t.Errorf("Filters = %#v, want %#v", got.Filters, wantFilters)
	}
}

func TestQueryCatalog(t *testing.T) {
	db := newFakeDB(t, func(q string, args []any) fakeAnswer {
		switch {
		case strings.HasPrefix(q, "SELECT code,"):
			return fakeAnswer{columns: []string{"code", "count"}}
		case strings.HasPrefix(q, "SELECT (WITH"):
			return fakeAnswer{columns: []string{"decimals", "name"}, rows: [][]driver.Value{{`[]`, `["Euro","Yen"]`}}}
		}
		return fakeAnswer{err: fmt.Errorf("unexpected statement %q", q)}
	})
	values := []string{"open", "closed"}
	spec := &QuerySpec{
		Table:        "currencies",
		Columns:      "code",
		DefaultSort:  "code",
		DefaultOrder: query.SortOrderAsc,
		Filters: map[string]Filter{
			"state":    {Column: "state", Values: values},
			"name":     {Column: "name", Text: true},
			"decimals": {Column: "decimals", Indexed: true},
			"active":   {Column: "active", Bool: true},
		},
		Sorts: map[string]string{"code": "code"},
	}
	got, err := Query(context.Background(), db, spec, nil, func(r Row) (*string, error) {
		var s string
		return &s, r.Scan(&s)
	}, func(s *string) *string { return s })
	if err != nil {
		t.Fatalf("Query() error = %v", err)
	}
	// A first page without rows needs no count: nothing matches.
	wantCalls := []fakeCall{
		{query: "SELECT code, (SELECT COUNT(*) FROM currencies) FROM currencies ORDER BY code ASC, id ASC LIMIT $1 OFFSET $2", args: []any{int64(DefaultPageSize), int64(0)}},
		{query: "SELECT " + walkedDecimals + ", " + groupedCurrencyName, args: []any{}},
	}
	if calls := db.recorded(); !reflect.DeepEqual(calls, wantCalls) {
		t.Errorf("statements =\n%#v\nwant\n%#v", calls, wantCalls)
	}
	if got.Data == nil || len(got.Data) != 0 {
		t.Errorf("Data = %#v, want an empty non-nil slice", got.Data)
	}
	if got.TotalRows != 0 || got.TotalPages != 0 {
		t.Errorf("TotalRows, TotalPages = %d, %d; want 0, 0", got.TotalRows, got.TotalPages)
	}
	// Enum and boolean values cost no statement (none is recorded above).
	wantFilters := map[string][]string{
		"state":    {"open", "closed"},
		"name":     {"Euro", "Yen"},
		"decimals": {},
		"active":   {"false", "true"},
	}
	if !reflect.DeepEqual(got.Filters, wantFilters) {
		t.Errorf("Filters = %#v, want %#v", got.Filters, wantFilters)
	}
	// The catalog lists a copy of the enum's values.
	got.Filters["state"][0] = "changed"
	if values[0] != "open" {
		t.Errorf("the catalog shares the spec's Values: %q", values)
	}
}

func TestQueryOneStatement(t *testing.T) {
	// Enum and boolean filters only: the page and its count are the whole
	// call.
	db := newFakeDB(t, func(q string, args []any) fakeAnswer {
		return pageAnswer(2, []driver.Value{int64(1), "a"}, []driver.Value{int64(2), "b"})
	})
	spec := testSpec()
	spec.Columns = "id, name"
	delete(spec.Filters, "name")
	delete(spec.Filters, "salary")
	got, err := Query(context.Background(), db, spec, nil, scanEmployee, toEmployee, int64(7))
	if err != nil {
		t.Fatalf("Query() error = %v", err)
	}
	want := []fakeCall{{
		query: "SELECT id, name, (SELECT COUNT(*) FROM altalune_example_employees WHERE project_id = $1)" +
			" FROM altalune_example_employees WHERE project_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3",
		args: []any{int64(7), int64(DefaultPageSize), int64(0)},
	}}
	if calls := db.recorded(); !reflect.DeepEqual(calls, want) {
		t.Errorf("statements =\n%#v\nwant\n%#v", calls, want)
	}
	if got.TotalRows != 2 || got.TotalPages != 1 || len(got.Data) != 2 {
		t.Errorf("TotalRows, TotalPages, rows = %d, %d, %d; want 2, 1, 2", got.TotalRows, got.TotalPages, len(got.Data))
	}
}

func TestQueryPastTheLastPage(t *testing.T) {
	const where = " WHERE project_id = $1 AND (name ILIKE $2 OR email ILIKE $2)"
	params := func() *query.QueryParams {
		return &query.QueryParams{Pagination: query.PaginationParams{Page: 4, PageSize: 3}, Keyword: "an"}
	}
	page := fakeCall{
		query: "SELECT id, name, (SELECT COUNT(*) FROM altalune_example_employees" + where + ")" +
			" FROM altalune_example_employees" + where + " ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4",
		args: []any{int64(7), "%an%", int64(3), int64(9)},
	}
	count := "(SELECT COUNT(*) FROM altalune_example_employees" + where + ")"

	t.Run("the count comes with the catalog", func(t *testing.T) {
		db := newFakeDB(t, func(q string, args []any) fakeAnswer {
			if strings.HasPrefix(q, "SELECT id, name,") {
				return pageAnswer(0)
			}
			return fakeAnswer{columns: []string{"count", "name", "salary"}, rows: [][]driver.Value{{int64(8), `["Ann"]`, `["10"]`}}}
		})
		spec := testSpec()
		spec.Columns = "id, name"
		got, err := Query(context.Background(), db, spec, params(), scanEmployee, toEmployee, int64(7))
		if err != nil {
			t.Fatalf("Query() error = %v", err)
		}
		want := []fakeCall{page, {query: "SELECT " + count + ", " + walkedName + ", " + groupedSalary, args: []any{int64(7), "%an%"}}}
		if calls := db.recorded(); !reflect.DeepEqual(calls, want) {
			t.Errorf("statements =\n%#v\nwant\n%#v", calls, want)
		}
		if got.TotalRows != 8 || got.TotalPages != 3 || len(got.Data) != 0 {
			t.Errorf("TotalRows, TotalPages, rows = %d, %d, %d; want 8, 3, 0", got.TotalRows, got.TotalPages, len(got.Data))
		}
		if want := []string{"Ann"}; !slices.Equal(got.Filters["name"], want) {
			t.Errorf("Filters[name] = %q, want %q", got.Filters["name"], want)
		}
	})

	t.Run("the count alone", func(t *testing.T) {
		db := newFakeDB(t, func(q string, args []any) fakeAnswer {
			if strings.HasPrefix(q, "SELECT id, name,") {
				return pageAnswer(0)
			}
			return fakeAnswer{columns: []string{"count"}, rows: [][]driver.Value{{int64(8)}}}
		})
		spec := testSpec()
		spec.Columns = "id, name"
		spec.Filters = nil
		got, err := Query(context.Background(), db, spec, params(), scanEmployee, toEmployee, int64(7))
		if err != nil {
			t.Fatalf("Query() error = %v", err)
		}
		want := []fakeCall{page, {query: "SELECT " + count, args: []any{int64(7), "%an%"}}}
		if calls := db.recorded(); !reflect.DeepEqual(calls, want) {
			t.Errorf("statements =\n%#v\nwant\n%#v", calls, want)
		}
		if got.TotalRows != 8 || got.TotalPages != 3 || len(got.Data) != 0 || len(got.Filters) != 0 {
			t.Errorf("TotalRows, TotalPages, rows, filters = %d, %d, %d, %v; want 8, 3, 0, none",
				got.TotalRows, got.TotalPages, len(got.Data), got.Filters)
		}
	})
}

func TestQueryCountsClamp(t *testing.T) {
	db := newFakeDB(t, func(q string, args []any) fakeAnswer {
		return pageAnswer(int64(1)<<40, []driver.Value{int64(1), "a"})
	})
	spec := &QuerySpec{Table: "t", Columns: "id, name", DefaultSort: "id", Sorts: map[string]string{"id": "id"}}
	params := &query.QueryParams{Pagination: query.PaginationParams{Page: 3, PageSize: 500}}
	got, err := Query(context.Background(), db, spec, params, scanEmployee, toEmployee)
	if err != nil {
		t.Fatalf("Query() error = %v", err)
	}
	if got.TotalRows != math.MaxInt32 || got.TotalPages != math.MaxInt32 {
		t.Errorf("TotalRows, TotalPages = %d, %d; want both %d", got.TotalRows, got.TotalPages, math.MaxInt32)
	}
	want := []fakeCall{{
		query: "SELECT id, name, (SELECT COUNT(*) FROM t) FROM t ORDER BY id ASC, id ASC LIMIT $1 OFFSET $2",
		args:  []any{int64(MaxPageSize), int64(2 * MaxPageSize)},
	}}
	if calls := db.recorded(); !reflect.DeepEqual(calls, want) {
		t.Errorf("statements = %#v, want %#v", calls, want)
	}
}

func TestQueryTotalPages(t *testing.T) {
	tests := []struct {
		total     int64
		size      int32
		wantPages int32
	}{
		{total: 0, size: 10, wantPages: 0},
		{total: 1, size: 10, wantPages: 1},
		{total: 10, size: 10, wantPages: 1},
		{total: 11, size: 10, wantPages: 2},
		{total: 100, size: 0, wantPages: 10},
		{total: 250, size: 100, wantPages: 3},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d by %d", tt.total, tt.size), func(t *testing.T) {
			db := newFakeDB(t, func(q string, args []any) fakeAnswer {
				if tt.total == 0 {
					return pageAnswer(0)
				}
				return pageAnswer(tt.total, []driver.Value{int64(1), "a"})
			})
			spec := &QuerySpec{Table: "t", Columns: "id, name", DefaultSort: "id", Sorts: map[string]string{"id": "id"}}
			params := &query.QueryParams{Pagination: query.PaginationParams{PageSize: tt.size}}
			got, err := Query(context.Background(), db, spec, params, scanEmployee, toEmployee)
			if err != nil {
				t.Fatalf("Query() error = %v", err)
			}
			if got.TotalRows != int32(tt.total) || got.TotalPages != tt.wantPages {
				t.Errorf("TotalRows, TotalPages = %d, %d; want %d, %d", got.TotalRows, got.TotalPages, tt.total, tt.wantPages)
			}
			if calls := db.recorded(); len(calls) != 1 {
				t.Errorf("statements = %#v, want the page only", calls)
			}
		})
	}
}

func TestQueryRefusesBeforeTheDatabase(t *testing.T) {
	tests := []struct {
		name   string
		params *query.QueryParams
		want   string
	}{
		{
			name:   "unknown filter",
			params: &query.QueryParams{Filters: map[string][]string{"colour": {"red"}}},
			want:   `query: unknown filter "colour"; filter by one of name, remote, roles, salary`,
		},
		{
			name:   "unknown sort",
			params: &query.QueryParams{Sorting: &query.SortingParams{Field: "colour"}},
			want:   `query: unknown sort field "colour"; sort by one of created_at, hired_at, name, role`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := unusedDB(t)
			got, err := Query(context.Background(), db, testSpec(), tt.params, scanEmployee, toEmployee, int64(7))
			var invalid *InvalidQueryError
			if !errors.As(err, &invalid) || err.Error() != tt.want {
				t.Errorf("Query() error = %v, want *InvalidQueryError %q", err, tt.want)
			}
			if got != nil {
				t.Errorf("Query() = %v with an error, want nil", got)
			}
			if calls := db.recorded(); len(calls) != 0 {
				t.Errorf("statements = %v, want none", calls)
			}
		})
	}
}

func TestQueryErrors(t *testing.T) {
	boom := errors.New("boom")
	spec := func(filters map[string]Filter) *QuerySpec {
		return &QuerySpec{
			Table:       "t",
			Columns:     "id, name",
			DefaultSort: "id",
			Sorts:       map[string]string{"id": "id"},
			Filters:     filters,
		}
	}
	byName := map[string]Filter{"name": {Column: "name", Text: true}}
	page := pageAnswer(2, []driver.Value{int64(1), "a"}, []driver.Value{int64(2), "b"})
	nameColumns := []string{"name"}
	pastTheEnd := &query.QueryParams{Pagination: query.PaginationParams{Page: 2}}
	tests := []struct {
		name    string
		filters map[string]Filter
		params  *query.QueryParams
		page    fakeAnswer
		meta    fakeAnswer
		scanErr error
		want    string
		wantIs  error
	}{
		{name: "page fails", page: fakeAnswer{err: boom}, want: "query t: boom", wantIs: boom},
		{name: "scan fails", page: page, scanErr: boom, want: "scan t: boom", wantIs: boom},
		{
			name: "count cannot be scanned",
			page: fakeAnswer{columns: page.columns, rows: [][]driver.Value{{int64(1), "a", nil}}},
			want: `scan t: sql: Scan error on column index 2, name "count": converting NULL to int64 is unsupported`,
		},
		{name: "rows fail", page: fakeAnswer{columns: page.columns, rows: page.rows, rowsErr: boom}, want: "query t: boom", wantIs: boom},
		{name: "filter values fail", filters: byName, page: page, meta: fakeAnswer{err: boom}, want: "filter values of t: boom", wantIs: boom},
		{
			name: "filter values have no row", filters: byName, page: page, meta: fakeAnswer{columns: nameColumns},
			want: "filter values of t: sql: no rows in result set",
		},
		{
			name: "filter values are NULL", filters: byName, page: page,
			meta: fakeAnswer{columns: nameColumns, rows: [][]driver.Value{{nil}}},
			want: `filter values of t: sql: Scan error on column index 0, name "name": converting NULL to string is unsupported`,
		},
		{
			name: "filter values are no JSON array", filters: byName, page: page,
			meta: fakeAnswer{columns: nameColumns, rows: [][]driver.Value{{`{"a":1}`}}},
			want: "filter values of t.name: json: cannot unmarshal object into Go value of type []string",
		},
		{
			name: "count past the last page fails", params: pastTheEnd, page: pageAnswer(0), meta: fakeAnswer{err: boom},
			want: "count t: boom", wantIs: boom,
		},
		{
			name: "count and filter values past the last page fail", filters: byName, params: pastTheEnd, page: pageAnswer(0), meta: fakeAnswer{err: boom},
			want: "count and filter values of t: boom", wantIs: boom,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := newFakeDB(t, func(q string, args []any) fakeAnswer {
				if strings.HasPrefix(q, "SELECT id, name,") {
					return tt.page
				}
				return tt.meta
			})
			scan := scanEmployee
			if tt.scanErr != nil {
				scan = func(Row) (*employeeRow, error) { return nil, tt.scanErr }
			}
			got, err := Query(context.Background(), db, spec(tt.filters), tt.params, scan, toEmployee)
			if errorMessage(err) != tt.want {
				t.Errorf("Query() error = %q, want %q", errorMessage(err), tt.want)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("Query() error %v does not wrap %v", err, tt.wantIs)
			}
			if got != nil {
				t.Errorf("Query() = %v with an error, want nil", got)
			}
		})
	}
}

func TestArrayFilter(t *testing.T) {
	spec := &QuerySpec{
		Table:   "nodes",
		Scope:   "project_id = $1",
		Filters: map[string]Filter{"tags": {Column: "tags", Array: true}},
	}
	requested := []string{"Greeting", "faq"}
	where, args, err := spec.where(&query.QueryParams{Filters: map[string][]string{"tags": requested}}, []any{int64(3)})
	if err != nil {
		t.Fatalf("where() error = %v", err)
	}
	if want := " WHERE project_id = $1 AND tags && $2"; where != want {
		t.Errorf("where() = %q, want %q", where, want)
	}
	if want := []any{int64(3), []string{"Greeting", "faq"}}; !reflect.DeepEqual(args, want) {
		t.Errorf("args = %#v, want %#v", args, want)
	}
	requested[0] = "changed"
	if args[1].([]string)[0] != "Greeting" {
		t.Error("the bound values share the request's slice")
	}
	want := "(SELECT COALESCE(json_agg(v ORDER BY v), '[]')::TEXT FROM (SELECT DISTINCT e AS v FROM nodes " +
		"CROSS JOIN LATERAL unnest(tags) AS e WHERE project_id = $1 AND e IS NOT NULL ORDER BY v LIMIT 100) AS c)"
	if got := spec.values(spec.Filters["tags"]); got != want {
		t.Errorf("values() =\n%s\nwant\n%s", got, want)
	}
}
