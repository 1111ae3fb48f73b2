//go:build e2e

package e2e

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

// Query behaviour, exercised on employees (a partitioned entity).

// queryEmployees runs QueryEmployees and fails the test on error.
func queryEmployees(t *testing.T, api *API, projectID string, q *altalunev1.QueryRequest) *altalunev1.QueryEmployeesResponse {
	t.Helper()
	res, err := api.Employees.Query(ctxFor(t), &altalunev1.QueryEmployeesRequest{ProjectId: projectID, Query: q})
	requireOK(t, err, fmt.Sprintf("QueryEmployees(%s)", protoText(q)))
	return res
}

func page(n, size int32) *altalunev1.Pagination {
	return &altalunev1.Pagination{Page: n, PageSize: size}
}

func filters(kv ...any) map[string]*altalunev1.StringList {
	out := map[string]*altalunev1.StringList{}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = &altalunev1.StringList{Values: kv[i+1].([]string)}
	}
	return out
}

func sortBy(field string, order altalunev1.SortOrder) *altalunev1.Sorting {
	return &altalunev1.Sorting{Field: field, Order: order}
}

const (
	asc  = altalunev1.SortOrder_SORT_ORDER_ASC
	desc = altalunev1.SortOrder_SORT_ORDER_DESC
)

// What the employee list offers: filter keys and sort fields (sorted, as
// the refusals list them) and the stored enum values (in declaration order).
var (
	employeeFilterKeys = []string{"remote", "roles", "statuses"}
	employeeSortFields = []string{"age", "created_at", "email", "employee_number", "hired_at", "name",
		"phone", "remote", "role", "salary", "status", "updated_at"}
	employeeStatusValues = []string{"active", "inactive", "leave"}
	employeeRoleValues   = []string{"engineer", "manager", "designer"}
)

// The messages of the Query refusals.

func unknownFilterMessage(key string, offered []string) string {
	if len(offered) == 0 {
		return fmt.Sprintf("query: unknown filter %q; this list offers none to filter by", key)
	}
	return fmt.Sprintf("query: unknown filter %q; filter by one of %s", key, strings.Join(offered, ", "))
}

func unknownSortMessage(field string, offered []string) string {
	return fmt.Sprintf("query: unknown sort field %q; sort by one of %s", field, strings.Join(offered, ", "))
}

func notAValueMessage(key, value string, values []string) string {
	return fmt.Sprintf("query: filter %s: %q is not a value; use one of %s", key, value, strings.Join(values, ", "))
}

func notABoolMessage(key, value string) string {
	return fmt.Sprintf("query: filter %s: %q is not true or false", key, value)
}

// requireRefused checks that a call was refused as an invalid payload
// (InvalidArgument, code 60001) with exactly the message want.
func requireRefused(t *testing.T, err error, call, want string) {
	t.Helper()
	requireInvalidPayload(t, err, call)
	if ae, _ := decodeError(err); ae.Message != want {
		t.Fatalf("%s: message %q, want %q", call, ae.Message, want)
	}
}

// refuseEmployeeQuery runs QueryEmployees, which must be refused with the
// message want.
func refuseEmployeeQuery(t *testing.T, api *API, projectID string, q *altalunev1.QueryRequest, want string) {
	t.Helper()
	_, err := api.Employees.Query(ctxFor(t), &altalunev1.QueryEmployeesRequest{ProjectId: projectID, Query: q})
	requireRefused(t, err, fmt.Sprintf("QueryEmployees(%s)", protoText(q)), want)
}

// employeeMatchesKeyword is the reference keyword search: case-insensitive
// substring of name, email, employee_number or phone.
func employeeMatchesKeyword(e *altalunev1.Employee, kw string) bool {
	kw = strings.ToLower(kw)
	for _, s := range []string{e.GetName(), e.GetEmail(), e.GetEmployeeNumber(), e.GetPhone()} {
		if strings.Contains(strings.ToLower(s), kw) {
			return true
		}
	}
	return false
}

func selectEmployees(all []*altalunev1.Employee, keep func(*altalunev1.Employee) bool) []string {
	var out []string
	for _, e := range all {
		if keep(e) {
			out = append(out, e.GetId())
		}
	}
	return out
}

// reversed returns the IDs newest first (the default employee order).
func reversed(items []*altalunev1.Employee) []string {
	out := ids(items)
	slices.Reverse(out)
	return out
}

func TestEmployeeQueryKeyword(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, api *API) {
		p := newProject(t, api)
		var all []*altalunev1.Employee
		add := func(name, email, number string, phone *string, salary float64) {
			req := newEmployeeRequest(p.PublicID)
			req.Name, req.Email, req.EmployeeNumber, req.Phone, req.Salary = name, email, number, phone, salary
			all = append(all, createEmployee(t, api, req))
		}
		add("Alice Wonder", "alice.w@corp.example", "A-100", ptr("555-0100"), 12345.5)
		add("Bob Builder", "bob@builders.example", "B-200", nil, 2000)
		add("Carol 100% Sure", "carol@corp.example", "C-300", ptr("555 0300"), 3000)
		add("Dave Under_score", "dave@corp.example", "D_400", ptr(""), 4000)
		add("Eve Plain", "eve@plain.example", "E-500", ptr("+1 (555) 0500"), 5000)

		for _, c := range []struct{ name, keyword string }{
			{"empty keyword matches everything", ""},
			{"name", "alice"},
			{"name in another case", "ALICE wOnDeR"},
			{"email", "builders.example"},
			{"email domain shared by several", "@CORP."},
			{"employee number in another case", "b-200"},
			{"phone", "555-01"},
			{"phone with parentheses", "(555)"},
			{"salary is not searchable", "12345"},
			{"percent sign is literal", "%"},
			{"percent inside a word is literal", "100%"},
			{"underscore is literal", "_"},
			{"underscore inside a word is literal", "r_s"},
			{"backslash is literal", `\`},
			{"no match", "zzz-nothing-here"},
		} {
			t.Run(c.name, func(t *testing.T) {
				res := queryEmployees(t, api, p.PublicID, &altalunev1.QueryRequest{Keyword: c.keyword, Pagination: page(1, 100)})
				want := selectEmployees(all, func(e *altalunev1.Employee) bool { return employeeMatchesKeyword(e, c.keyword) })
				requireSameSet(t, ids(res.GetData()), want, fmt.Sprintf("employees matching keyword %q", c.keyword))
				requireMeta(t, res.GetMeta(), int32(len(want)), int32(min(len(want), 1)))
			})
		}
	})
}

func TestEmployeeQueryFilters(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, api *API) {
		p := newProject(t, api)
		type spec struct {
			role   altalunev1.EmployeeRole
			status altalunev1.EmployeeStatus
			remote bool
		}
		const (
			engineer = altalunev1.EmployeeRole_EMPLOYEE_ROLE_ENGINEER
			manager  = altalunev1.EmployeeRole_EMPLOYEE_ROLE_MANAGER
			designer = altalunev1.EmployeeRole_EMPLOYEE_ROLE_DESIGNER
			active   = altalunev1.EmployeeStatus_EMPLOYEE_STATUS_ACTIVE
			inactive = altalunev1.EmployeeStatus_EMPLOYEE_STATUS_INACTIVE
			onLeave  = altalunev1.EmployeeStatus_EMPLOYEE_STATUS_ON_LEAVE
		)
		var all []*altalunev1.Employee
		for _, s := range []spec{
			{engineer, active, true},
			{engineer, inactive, false},
			{manager, active, false},
			{manager, onLeave, true},
			{designer, onLeave, false},
			{engineer, active, false},
		} {
			req := newEmployeeRequest(p.PublicID)
			req.Role, req.Status, req.Remote = s.role, s.status, s.remote
			all = append(all, createEmployee(t, api, req))
		}
		is := func(pred func(e *altalunev1.Employee) bool) []string { return selectEmployees(all, pred) }

		for _, c := range []struct {
			name    string
			filters map[string]*altalunev1.StringList
			want    []string
		}{
			{"status active", filters("status", []string{"active"}),
				is(func(e *altalunev1.Employee) bool { return e.GetStatus() == active })},
			{"status value in upper case", filters("status", []string{"ACTIVE"}),
				is(func(e *altalunev1.Employee) bool { return e.GetStatus() == active })},
			{"status on leave by its database value", filters("status", []string{"leave"}),
				is(func(e *altalunev1.Employee) bool { return e.GetStatus() == onLeave })},
			{"several values are OR", filters("status", []string{"active", "leave"}),
				is(func(e *altalunev1.Employee) bool { return e.GetStatus() != inactive })},
			{"several keys are AND", filters("status", []string{"active"}, "role", []string{"engineer"}),
				is(func(e *altalunev1.Employee) bool { return e.GetStatus() == active && e.GetRole() == engineer })},
			{"role OR within AND status", filters("role", []string{"manager", "DESIGNER"}, "status", []string{"leave"}),
				is(func(e *altalunev1.Employee) bool { return e.GetRole() != engineer && e.GetStatus() == onLeave })},
			{"bool true", filters("remote", []string{"true"}),
				is(func(e *altalunev1.Employee) bool { return e.GetRemote() })},
			{"bool in upper case", filters("remote", []string{"TRUE"}),
				is(func(e *altalunev1.Employee) bool { return e.GetRemote() })},
			{"bool false", filters("remote", []string{"false"}),
				is(func(e *altalunev1.Employee) bool { return !e.GetRemote() })},
			{"bool as strconv spells it", filters("remote", []string{"T", "1"}),
				is(func(e *altalunev1.Employee) bool { return e.GetRemote() })},
			{"bool both ways", filters("remote", []string{"true", "F"}), ids(all)},
			{"status by its proto name", filters("status", []string{"EMPLOYEE_STATUS_ON_LEAVE"}),
				is(func(e *altalunev1.Employee) bool { return e.GetStatus() == onLeave })},
			{"status by its proto name in lower case", filters("status", []string{"employee_status_on_leave"}),
				is(func(e *altalunev1.Employee) bool { return e.GetStatus() == onLeave })},
			{"role by its proto name", filters("role", []string{"EMPLOYEE_ROLE_MANAGER"}),
				is(func(e *altalunev1.Employee) bool { return e.GetRole() == manager })},
			{"stored values and proto names mixed", filters("status", []string{"Active", "EMPLOYEE_STATUS_INACTIVE"}),
				is(func(e *altalunev1.Employee) bool { return e.GetStatus() != onLeave })},
			{"by the catalog key statuses", filters("statuses", []string{"leave"}),
				is(func(e *altalunev1.Employee) bool { return e.GetStatus() == onLeave })},
			{"by the catalog key roles", filters("roles", []string{"engineer", "EMPLOYEE_ROLE_DESIGNER"}),
				is(func(e *altalunev1.Employee) bool { return e.GetRole() != manager })},
			{"known key with no values filters nothing", filters("status", []string{}), ids(all)},
		} {
			t.Run(c.name, func(t *testing.T) {
				res := queryEmployees(t, api, p.PublicID, &altalunev1.QueryRequest{Filters: c.filters, Pagination: page(1, 100)})
				requireSameSet(t, ids(res.GetData()), c.want, "filtered employees")
				requireMeta(t, res.GetMeta(), int32(len(c.want)), int32(min(len(c.want), 1)))
			})
		}

		for _, c := range []struct {
			name    string
			filters map[string]*altalunev1.StringList
			want    string
		}{
			{"unknown key is refused", filters("no_such_field", []string{"x"}),
				unknownFilterMessage("no_such_field", employeeFilterKeys)},
			{"unknown key next to a known one is refused", filters("no_such_field", []string{"x"}, "remote", []string{"true"}),
				unknownFilterMessage("no_such_field", employeeFilterKeys)},
			{"unknown key without values is refused", filters("no_such_field", []string{}),
				unknownFilterMessage("no_such_field", employeeFilterKeys)},
			{"field that is not filterable is refused", filters("name", []string{"x"}),
				unknownFilterMessage("name", employeeFilterKeys)},
			{"number field that is not filterable is refused", filters("salary", []string{"1000"}),
				unknownFilterMessage("salary", employeeFilterKeys)},
			{"invalid status is refused", filters("status", []string{"retired"}),
				notAValueMessage("statuses", "retired", employeeStatusValues)},
			{"invalid status next to a valid one is refused", filters("status", []string{"active", "retired"}),
				notAValueMessage("statuses", "retired", employeeStatusValues)},
			{"invalid status under the catalog key is refused", filters("statuses", []string{"retired"}),
				notAValueMessage("statuses", "retired", employeeStatusValues)},
			{"empty status is refused", filters("status", []string{""}),
				notAValueMessage("statuses", "", employeeStatusValues)},
			{"proto name without its prefix is refused", filters("status", []string{"ON_LEAVE"}),
				notAValueMessage("statuses", "ON_LEAVE", employeeStatusValues)},
			{"the unspecified proto name is refused", filters("status", []string{"EMPLOYEE_STATUS_UNSPECIFIED"}),
				notAValueMessage("statuses", "EMPLOYEE_STATUS_UNSPECIFIED", employeeStatusValues)},
			{"another enum's proto name is refused", filters("status", []string{"EMPLOYEE_ROLE_MANAGER"}),
				notAValueMessage("statuses", "EMPLOYEE_ROLE_MANAGER", employeeStatusValues)},
			{"invalid role is refused", filters("role", []string{"ceo"}),
				notAValueMessage("roles", "ceo", employeeRoleValues)},
			{"invalid bool is refused", filters("remote", []string{"yes"}),
				notABoolMessage("remote", "yes")},
			{"empty bool is refused", filters("remote", []string{"true", ""}),
				notABoolMessage("remote", "")},
		} {
			t.Run(c.name, func(t *testing.T) {
				refuseEmployeeQuery(t, api, p.PublicID, &altalunev1.QueryRequest{Filters: c.filters, Pagination: page(1, 100)}, c.want)
			})
		}

		t.Run("valid value no row has matches nothing", func(t *testing.T) {
			// A project of active engineers only.
			q := newProject(t, api)
			var staff []string
			for range 2 {
				staff = append(staff, createEmployee(t, api, newEmployeeRequest(q.PublicID)).GetId())
			}
			for _, f := range []map[string]*altalunev1.StringList{
				filters("status", []string{"leave"}),
				filters("status", []string{"EMPLOYEE_STATUS_INACTIVE"}),
				filters("statuses", []string{"inactive", "leave"}),
				filters("role", []string{"designer"}),
				filters("remote", []string{"true"}),
			} {
				res := queryEmployees(t, api, q.PublicID, &altalunev1.QueryRequest{Filters: f, Pagination: page(1, 100)})
				requireStrings(t, ids(res.GetData()), nil, fmt.Sprintf("employees filtered by %s", protoText(&altalunev1.QueryRequest{Filters: f})))
				requireMeta(t, res.GetMeta(), 0, 0)
			}
			res := queryEmployees(t, api, q.PublicID, &altalunev1.QueryRequest{Filters: filters("status", []string{"active"}), Pagination: page(1, 100)})
			requireSameSet(t, ids(res.GetData()), staff, "active employees")
		})

		t.Run("proto name and stored value give the same rows", func(t *testing.T) {
			for _, c := range []struct{ key, stored, protoName string }{
				{"status", "leave", "EMPLOYEE_STATUS_ON_LEAVE"},
				{"status", "leave", "employee_status_on_leave"},
				{"status", "inactive", "Employee_Status_Inactive"},
				{"statuses", "active", "EMPLOYEE_STATUS_ACTIVE"},
				{"role", "manager", "EMPLOYEE_ROLE_MANAGER"},
				{"roles", "designer", "employee_role_designer"},
			} {
				byValue := queryEmployees(t, api, p.PublicID, &altalunev1.QueryRequest{Filters: filters(c.key, []string{c.stored}), Pagination: page(1, 100)})
				byName := queryEmployees(t, api, p.PublicID, &altalunev1.QueryRequest{Filters: filters(c.key, []string{c.protoName}), Pagination: page(1, 100)})
				if len(byValue.GetData()) == 0 {
					t.Fatalf("%s=%q matched no employee", c.key, c.stored)
				}
				requireStrings(t, ids(byName.GetData()), ids(byValue.GetData()), fmt.Sprintf("%s=%q vs %s=%q", c.key, c.protoName, c.key, c.stored))
				requireProtoEqual(t, byName.GetMeta(), byValue.GetMeta(), fmt.Sprintf("meta of %s=%q", c.key, c.protoName))
			}
		})

		t.Run("field name and catalog key give the same rows", func(t *testing.T) {
			for _, c := range []struct {
				alias, key string
				values     []string
			}{
				{"status", "statuses", []string{"active"}},
				{"status", "statuses", []string{"leave", "INACTIVE"}},
				{"status", "statuses", []string{"EMPLOYEE_STATUS_ON_LEAVE"}},
				{"role", "roles", []string{"engineer"}},
				{"role", "roles", []string{"manager", "designer"}},
			} {
				byAlias := queryEmployees(t, api, p.PublicID, &altalunev1.QueryRequest{Filters: filters(c.alias, c.values), Pagination: page(1, 100)})
				byKey := queryEmployees(t, api, p.PublicID, &altalunev1.QueryRequest{Filters: filters(c.key, c.values), Pagination: page(1, 100)})
				if len(byKey.GetData()) == 0 {
					t.Fatalf("%s=%q matched no employee", c.key, c.values)
				}
				requireStrings(t, ids(byAlias.GetData()), ids(byKey.GetData()), fmt.Sprintf("%s=%q vs %s=%q", c.alias, c.values, c.key, c.values))
				requireProtoEqual(t, byAlias.GetMeta(), byKey.GetMeta(), fmt.Sprintf("meta of %s=%q", c.alias, c.values))
			}
		})

		t.Run("filters combine with the keyword", func(t *testing.T) {
			target := all[3]
			res := queryEmployees(t, api, p.PublicID, &altalunev1.QueryRequest{
				Keyword: target.GetEmployeeNumber(),
				Filters: filters("status", []string{"leave"}),
			})
			requireStrings(t, ids(res.GetData()), []string{target.GetId()}, "employees")
			res = queryEmployees(t, api, p.PublicID, &altalunev1.QueryRequest{
				Keyword: target.GetEmployeeNumber(),
				Filters: filters("status", []string{"active"}),
			})
			requireStrings(t, ids(res.GetData()), nil, "employees")
		})
	})
}

func TestEmployeeQueryFilterCatalog(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, api *API) {
		p := newProject(t, api)
		for range 2 {
			req := newEmployeeRequest(p.PublicID)
			req.Status = altalunev1.EmployeeStatus_EMPLOYEE_STATUS_ACTIVE
			createEmployee(t, api, req)
		}
		wantEnums := func(t *testing.T, got map[string][]string) {
			t.Helper()
			requireSameSet(t, got["statuses"], []string{"active", "inactive", "leave"}, "meta.filters[statuses]")
			requireSameSet(t, got["roles"], []string{"designer", "engineer", "manager"}, "meta.filters[roles]")
		}

		t.Run("enum values are all listed, bools as present", func(t *testing.T) {
			got := catalog(queryEmployees(t, api, p.PublicID, nil).GetMeta())
			// The enum filters are keyed roles and statuses, not by the
			// field names role and status.
			requireSameSet(t, mapsKeys(got), []string{"roles", "statuses", "remote"}, "meta.filters keys")
			wantEnums(t, got)
			requireStrings(t, got["remote"], []string{"false", "true"}, "meta.filters[remote] (both, whatever the rows hold)")
		})

		t.Run("every listed key and value filters", func(t *testing.T) {
			got := catalog(queryEmployees(t, api, p.PublicID, nil).GetMeta())
			for key, values := range got {
				for _, v := range values {
					queryEmployees(t, api, p.PublicID, &altalunev1.QueryRequest{Filters: filters(key, []string{v})})
				}
			}
		})

		t.Run("distinct values sorted", func(t *testing.T) {
			req := newEmployeeRequest(p.PublicID)
			req.Remote = true
			createEmployee(t, api, req)
			got := catalog(queryEmployees(t, api, p.PublicID, nil).GetMeta())
			wantEnums(t, got)
			requireStrings(t, got["remote"], []string{"false", "true"}, "meta.filters[remote]")
		})

		t.Run("catalog describes the project, not the page", func(t *testing.T) {
			res := queryEmployees(t, api, p.PublicID, &altalunev1.QueryRequest{
				Filters:    filters("remote", []string{"true"}),
				Pagination: page(1, 1),
			})
			got := catalog(res.GetMeta())
			wantEnums(t, got)
			requireStrings(t, got["remote"], []string{"false", "true"}, "meta.filters[remote]")
		})

		t.Run("empty project", func(t *testing.T) {
			empty := newProject(t, api)
			res := queryEmployees(t, api, empty.PublicID, nil)
			requireMeta(t, res.GetMeta(), 0, 0)
			if len(res.GetData()) != 0 {
				t.Fatalf("empty project returned %d employees", len(res.GetData()))
			}
			wantEnums(t, catalog(res.GetMeta()))
		})
	})
}

func mapsKeys(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// employeeSortKeys compares two employees by a sort field; enums sort in
// declaration (enum number) order, not by their stored strings.
var employeeSortKeys = map[string][]func(a, b *altalunev1.Employee) int{
	"name":            {func(a, b *altalunev1.Employee) int { return cmp.Compare(a.GetName(), b.GetName()) }},
	"email":           {func(a, b *altalunev1.Employee) int { return cmp.Compare(a.GetEmail(), b.GetEmail()) }},
	"employee_number": {func(a, b *altalunev1.Employee) int { return cmp.Compare(a.GetEmployeeNumber(), b.GetEmployeeNumber()) }},
	"phone":           {func(a, b *altalunev1.Employee) int { return cmp.Compare(a.GetPhone(), b.GetPhone()) }},
	"age":             {func(a, b *altalunev1.Employee) int { return cmp.Compare(a.GetAge().GetValue(), b.GetAge().GetValue()) }},
	"hired_at":        {func(a, b *altalunev1.Employee) int { return compareTS(a.GetHiredAt(), b.GetHiredAt()) }},
	"salary":          {func(a, b *altalunev1.Employee) int { return cmp.Compare(a.GetSalary(), b.GetSalary()) }},
	"remote":          {func(a, b *altalunev1.Employee) int { return cmp.Compare(b2i(a.GetRemote()), b2i(b.GetRemote())) }},
	"created_at":      {func(a, b *altalunev1.Employee) int { return compareTS(a.GetCreatedAt(), b.GetCreatedAt()) }},
	"updated_at":      {func(a, b *altalunev1.Employee) int { return compareTS(a.GetUpdatedAt(), b.GetUpdatedAt()) }},
	"status":          {func(a, b *altalunev1.Employee) int { return cmp.Compare(a.GetStatus(), b.GetStatus()) }},
	"role":            {func(a, b *altalunev1.Employee) int { return cmp.Compare(a.GetRole(), b.GetRole()) }},
}

func compareTS(a, b *timestamppb.Timestamp) int { return a.AsTime().Compare(b.AsTime()) }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sortedBy reports whether items are ordered by one of the comparators.
func sortedBy[T any](items []T, order altalunev1.SortOrder, comparators []func(a, b T) int) bool {
	for _, c := range comparators {
		if slices.IsSortedFunc(items, func(a, b T) int {
			if order == desc {
				return c(b, a)
			}
			return c(a, b)
		}) {
			return true
		}
	}
	return false
}

func TestEmployeeQuerySorting(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, api *API) {
		p := newProject(t, api)
		type row struct {
			name, email, number, phone string
			age                        int32
			hired                      int
			salary                     float64
			remote                     bool
			role                       altalunev1.EmployeeRole
			status                     altalunev1.EmployeeStatus
		}
		// Values differ in their first character, so that every collation
		// orders them the same way.
		var all []*altalunev1.Employee
		for _, r := range []row{
			{"charlie", "bravo@sort.example", "d4", "3", 40, 2015, 300, true, altalunev1.EmployeeRole_EMPLOYEE_ROLE_MANAGER, altalunev1.EmployeeStatus_EMPLOYEE_STATUS_INACTIVE},
			{"alpha", "delta@sort.example", "b2", "1", 20, 2020, 100, false, altalunev1.EmployeeRole_EMPLOYEE_ROLE_ENGINEER, altalunev1.EmployeeStatus_EMPLOYEE_STATUS_ON_LEAVE},
			{"delta", "alpha@sort.example", "a1", "4", 30, 2010, 400, true, altalunev1.EmployeeRole_EMPLOYEE_ROLE_DESIGNER, altalunev1.EmployeeStatus_EMPLOYEE_STATUS_ACTIVE},
			{"bravo", "charlie@sort.example", "c3", "2", 50, 2018, 200, false, altalunev1.EmployeeRole_EMPLOYEE_ROLE_ENGINEER, altalunev1.EmployeeStatus_EMPLOYEE_STATUS_ACTIVE},
		} {
			req := &altalunev1.CreateEmployeeRequest{
				ProjectId: p.PublicID, Name: r.name, Email: r.email, EmployeeNumber: r.number, Phone: ptr(r.phone),
				Age: wrapperspb.Int32(r.age), HiredAt: timestamppb.New(micros(r.hired, time.June, 1, 0, 0, 0, 0)),
				Salary: r.salary, Remote: r.remote, Role: r.role, Status: r.status,
			}
			all = append(all, createEmployee(t, api, req))
			time.Sleep(5 * time.Millisecond) // distinct created_at
		}
		newestFirst := reversed(all)

		for _, field := range slices.Sorted(func(yield func(string) bool) {
			for k := range employeeSortKeys {
				if !yield(k) {
					return
				}
			}
		}) {
			for _, order := range []altalunev1.SortOrder{asc, desc} {
				t.Run(field+" "+order.String(), func(t *testing.T) {
					res := queryEmployees(t, api, p.PublicID, &altalunev1.QueryRequest{Sorting: sortBy(field, order)})
					requireSameSet(t, ids(res.GetData()), ids(all), "sorted employees")
					if !sortedBy(res.GetData(), order, employeeSortKeys[field]) {
						var vals []string
						for _, e := range res.GetData() {
							vals = append(vals, employeeField(e, field))
						}
						t.Fatalf("sorting by %s %s returned %s values in the order %q", field, order, field, vals)
					}
				})
			}
		}

		t.Run("lowerCamel JSON names", func(t *testing.T) {
			for _, c := range []struct{ camel, snake string }{
				{"employeeNumber", "employee_number"},
				{"hiredAt", "hired_at"},
				{"createdAt", "created_at"},
				{"updatedAt", "updated_at"},
			} {
				for _, order := range []altalunev1.SortOrder{asc, desc} {
					camel := queryEmployees(t, api, p.PublicID, &altalunev1.QueryRequest{Sorting: sortBy(c.camel, order)})
					snake := queryEmployees(t, api, p.PublicID, &altalunev1.QueryRequest{Sorting: sortBy(c.snake, order)})
					requireStrings(t, ids(camel.GetData()), ids(snake.GetData()), fmt.Sprintf("order by %s %s vs %s", c.camel, order, c.snake))
				}
			}
		})

		t.Run("default order is newest first", func(t *testing.T) {
			requireStrings(t, ids(queryEmployees(t, api, p.PublicID, nil).GetData()), newestFirst, "employees without sorting")
		})

		t.Run("empty sort field uses the default", func(t *testing.T) {
			for _, s := range []*altalunev1.Sorting{sortBy("", asc), sortBy("", desc), {}} {
				res := queryEmployees(t, api, p.PublicID, &altalunev1.QueryRequest{Sorting: s})
				requireStrings(t, ids(res.GetData()), newestFirst, fmt.Sprintf("employees sorted by %q %s", s.GetField(), s.GetOrder()))
			}
		})

		t.Run("unknown sort field is refused", func(t *testing.T) {
			for _, s := range []*altalunev1.Sorting{
				sortBy("no_such_field", asc),
				sortBy("no_such_field", desc),
				sortBy("symbol_image", asc),
				sortBy("project_id", asc),
				sortBy("id", desc),
			} {
				refuseEmployeeQuery(t, api, p.PublicID, &altalunev1.QueryRequest{Sorting: s}, unknownSortMessage(s.GetField(), employeeSortFields))
			}
		})

		t.Run("unknown sort field's message lists the valid keys", func(t *testing.T) {
			_, err := api.Employees.Query(ctxFor(t), &altalunev1.QueryEmployeesRequest{ProjectId: p.PublicID,
				Query: &altalunev1.QueryRequest{Sorting: sortBy("no_such_field", asc)}})
			requireInvalidPayload(t, err, "QueryEmployees sorted by no_such_field")
			ae, _ := decodeError(err)
			const prefix = `query: unknown sort field "no_such_field"; sort by one of `
			listed, ok := strings.CutPrefix(ae.Message, prefix)
			if !ok {
				t.Fatalf("message %q does not start with %q", ae.Message, prefix)
			}
			keys := strings.Split(listed, ", ")
			requireStrings(t, keys, slices.Sorted(maps.Keys(employeeSortKeys)), "sort fields the message offers")
			for _, k := range keys {
				res := queryEmployees(t, api, p.PublicID, &altalunev1.QueryRequest{Sorting: sortBy(k, desc)})
				requireSameSet(t, ids(res.GetData()), ids(all), "employees sorted by the offered field "+k)
			}
		})
	})
}

func employeeField(e *altalunev1.Employee, field string) string {
	switch field {
	case "name":
		return e.GetName()
	case "email":
		return e.GetEmail()
	case "employee_number":
		return e.GetEmployeeNumber()
	case "phone":
		return e.GetPhone()
	case "age":
		return strconv.Itoa(int(e.GetAge().GetValue()))
	case "hired_at":
		return e.GetHiredAt().AsTime().Format(time.RFC3339Nano)
	case "salary":
		return strconv.FormatFloat(e.GetSalary(), 'g', -1, 64)
	case "remote":
		return strconv.FormatBool(e.GetRemote())
	case "created_at":
		return e.GetCreatedAt().AsTime().Format(time.RFC3339Nano)
	case "updated_at":
		return e.GetUpdatedAt().AsTime().Format(time.RFC3339Nano)
	case "status":
		return e.GetStatus().String()
	case "role":
		return e.GetRole().String()
	}
	return "?"
}

func TestEmployeeQueryPagination(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, api *API) {
		p := newProject(t, api)
		const total = 23
		var all []*altalunev1.Employee
		for i := range total {
			req := newEmployeeRequest(p.PublicID)
			req.Remote = i%3 == 0 // 8 remote employees
			all = append(all, createEmployee(t, api, req))
		}
		newestFirst := reversed(all)

		t.Run("default page is the first 10", func(t *testing.T) {
			for _, q := range []*altalunev1.QueryRequest{nil, {}, {Pagination: page(0, 0)}} {
				res := queryEmployees(t, api, p.PublicID, q)
				requireMeta(t, res.GetMeta(), total, 3)
				requireStrings(t, ids(res.GetData()), newestFirst[:10], "first page")
			}
		})

		t.Run("pages of 10", func(t *testing.T) {
			var seen []string
			for n, wantLen := range map[int32]int{1: 10, 2: 10, 3: 3} {
				res := queryEmployees(t, api, p.PublicID, &altalunev1.QueryRequest{Pagination: page(n, 10)})
				requireMeta(t, res.GetMeta(), total, 3)
				if len(res.GetData()) != wantLen {
					t.Fatalf("page %d has %d employees, want %d", n, len(res.GetData()), wantLen)
				}
				start := int(n-1) * 10
				requireStrings(t, ids(res.GetData()), newestFirst[start:start+wantLen], fmt.Sprintf("page %d", n))
				seen = append(seen, ids(res.GetData())...)
			}
			requireSameSet(t, seen, newestFirst, "employees over all pages")
		})

		t.Run("page past the end is empty with the counts intact", func(t *testing.T) {
			for _, n := range []int32{4, 50} {
				res := queryEmployees(t, api, p.PublicID, &altalunev1.QueryRequest{Pagination: page(n, 10)})
				requireMeta(t, res.GetMeta(), total, 3)
				if len(res.GetData()) != 0 {
					t.Fatalf("page %d has %d employees, want none", n, len(res.GetData()))
				}
			}
		})

		t.Run("other page sizes", func(t *testing.T) {
			for _, c := range []struct {
				page, size int32
				wantLen    int
				wantPages  int32
			}{
				{1, 1, 1, 23}, {23, 1, 1, 23}, {5, 5, 3, 5}, {1, 23, 23, 1}, {1, 100, 23, 1}, {2, 22, 1, 2},
			} {
				res := queryEmployees(t, api, p.PublicID, &altalunev1.QueryRequest{Pagination: page(c.page, c.size)})
				requireMeta(t, res.GetMeta(), total, c.wantPages)
				if len(res.GetData()) != c.wantLen {
					t.Fatalf("page %d of size %d has %d employees, want %d", c.page, c.size, len(res.GetData()), c.wantLen)
				}
				start := int(c.page-1) * int(c.size)
				requireStrings(t, ids(res.GetData()), newestFirst[start:start+c.wantLen], fmt.Sprintf("page %d of size %d", c.page, c.size))
			}
		})

		t.Run("counts are of the matching rows", func(t *testing.T) {
			res := queryEmployees(t, api, p.PublicID, &altalunev1.QueryRequest{
				Filters:    filters("remote", []string{"true"}),
				Pagination: page(2, 5),
			})
			requireMeta(t, res.GetMeta(), 8, 2)
			if len(res.GetData()) != 3 {
				t.Fatalf("page 2 of 8 remote employees has %d rows, want 3", len(res.GetData()))
			}
		})

		t.Run("invalid query payloads", func(t *testing.T) {
			for name, q := range map[string]*altalunev1.QueryRequest{
				"page size 101":           {Pagination: page(1, 101)},
				"negative page":           {Pagination: page(-1, 10)},
				"negative page size":      {Pagination: page(1, -1)},
				"keyword of 201 chars":    {Keyword: strings.Repeat("k", 201)},
				"sort field of 65 chars":  {Sorting: sortBy(strings.Repeat("s", 65), asc)},
				"page size 101, page two": {Pagination: page(2, 101)},
				"NUL in the keyword":      {Keyword: "Employee\x00"},
				"NUL in a filter key":     {Filters: filters("status\x00", []string{"active"})},
				"NUL in a filter value":   {Filters: filters("status", []string{"active\x00"})},
				"NUL in the sort field":   {Sorting: sortBy("name\x00", asc)},
			} {
				t.Run(name, func(t *testing.T) {
					_, err := api.Employees.Query(ctxFor(t), &altalunev1.QueryEmployeesRequest{ProjectId: p.PublicID, Query: q})
					requireInvalidPayload(t, err, "QueryEmployees")
				})
			}
		})
	})
}
