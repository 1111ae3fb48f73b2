//go:build e2e

package e2e

import (
	"encoding/base64"
	"fmt"
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

// Cursor (keyset) paging of QueryEmployees: the request's cursor, the
// response's next_cursor.

// The messages of the cursor refusals.
const (
	badCursorMessage = "query: the cursor is not one this list gave (malformed or altered); " +
		"ask without a cursor to start from the first page"
	otherQueryCursorMessage = "query: the cursor continues a list of another keyword, filters or project; " +
		"ask with the keyword and filters it was given for, or without a cursor to start again"
	pageAndCursorMessage = "query: a cursor and a page number cannot be given together; " +
		"leave the page unset to read the page after the cursor"
)

func otherSortCursorMessage(gotField, gotOrder, wantField, wantOrder string) string {
	return fmt.Sprintf("query: the cursor continues a list sorted by %q %s, not by %q %s; "+
		"ask with the sorting it was given for, or without a cursor to start again", gotField, gotOrder, wantField, wantOrder)
}

// queryEmployeesAfter runs QueryEmployees with a cursor and fails the test
// on error.
func queryEmployeesAfter(t *testing.T, api *API, projectID string, q *altalunev1.QueryRequest, cursor string) *altalunev1.QueryEmployeesResponse {
	t.Helper()
	res, err := api.Employees.Query(ctxFor(t), &altalunev1.QueryEmployeesRequest{ProjectId: projectID, Query: q, Cursor: cursor})
	requireOK(t, err, fmt.Sprintf("QueryEmployees(%s, cursor %q)", protoText(q), cursor))
	return res
}

// refuseCursor runs QueryEmployees with a cursor, which must be refused
// with the message want.
func refuseCursor(t *testing.T, api *API, projectID string, q *altalunev1.QueryRequest, cursor, want string) {
	t.Helper()
	_, err := api.Employees.Query(ctxFor(t), &altalunev1.QueryEmployeesRequest{ProjectId: projectID, Query: q, Cursor: cursor})
	requireRefused(t, err, fmt.Sprintf("QueryEmployees(%s, cursor %q)", protoText(q), cursor), want)
}

// withSize is q (nil: an empty query) asking for pages of size rows and no
// page number.
func withSize(q *altalunev1.QueryRequest, size int32) *altalunev1.QueryRequest {
	out := &altalunev1.QueryRequest{}
	if q != nil {
		out = proto.Clone(q).(*altalunev1.QueryRequest)
	}
	out.Pagination = &altalunev1.Pagination{PageSize: size}
	return out
}

// walkByCursor reads every page of q by cursor, pages of size rows, and
// returns the IDs in the order read. Every page but the last is full and
// has a next_cursor, the last has none, and each carries the counts of the
// whole query.
func walkByCursor(t *testing.T, api *API, projectID string, q *altalunev1.QueryRequest, size int32) []string {
	t.Helper()
	var seen []string
	cursor := ""
	for calls := 0; ; calls++ {
		if calls > 200 {
			t.Fatalf("walking %s by cursor: no last page after %d pages", protoText(q), calls)
		}
		res := queryEmployeesAfter(t, api, projectID, withSize(q, size), cursor)
		rows := res.GetMeta().GetRowCount()
		requireMeta(t, res.GetMeta(), rows, (rows+size-1)/size)
		seen = append(seen, ids(res.GetData())...)
		if res.GetNextCursor() == "" {
			if int32(len(seen)) != rows {
				t.Fatalf("walking %s by cursor: %d rows read, row_count %d", protoText(q), len(seen), rows)
			}
			return seen
		}
		if int32(len(res.GetData())) != size {
			t.Fatalf("walking %s by cursor: a page of %d rows (size %d) has a next_cursor", protoText(q), len(res.GetData()), size)
		}
		cursor = res.GetNextCursor()
	}
}

// walkByPage reads every page of q by number, pages of size rows.
func walkByPage(t *testing.T, api *API, projectID string, q *altalunev1.QueryRequest, size int32) []string {
	t.Helper()
	first := withSize(q, size)
	res := queryEmployees(t, api, projectID, first)
	seen := ids(res.GetData())
	for n := int32(2); n <= res.GetMeta().GetPageCount(); n++ {
		next := withSize(q, size)
		next.Pagination.Page = n
		seen = append(seen, ids(queryEmployees(t, api, projectID, next).GetData())...)
	}
	return seen
}

// requireSameWalk checks that q reads the same rows in the same order by
// cursor as by page number, each row once.
func requireSameWalk(t *testing.T, api *API, projectID string, q *altalunev1.QueryRequest, size int32) []string {
	t.Helper()
	byCursor := walkByCursor(t, api, projectID, q, size)
	requireStrings(t, byCursor, walkByPage(t, api, projectID, q, size), fmt.Sprintf("%s by cursor vs by page, size %d", protoText(q), size))
	requireSameSet(t, slices.Compact(slices.Sorted(slices.Values(byCursor))), byCursor, "rows read by cursor, each once")
	return byCursor
}

func TestEmployeeQueryCursor(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, api *API) {
		p := newProject(t, api)
		const total = 23
		var all []*altalunev1.Employee
		// Names, ages and roles repeat (ties on the sort column); one phone
		// in four and one age in three is NULL.
		for i := range total {
			req := newEmployeeRequest(p.PublicID)
			req.Name = fmt.Sprintf("Cursor %c", 'A'+i%5)
			if i%4 != 0 {
				req.Phone = ptr(fmt.Sprintf("+1 555 %04d", (i*7)%10))
			}
			if i%3 != 0 {
				req.Age = wrapperspb.Int32(int32(20 + i%4))
			}
			if i%5 != 0 {
				req.HiredAt = timestamppb.New(micros(2020, time.January, 1+i%3, 0, 0, 0, 0))
			}
			req.Role = []altalunev1.EmployeeRole{
				altalunev1.EmployeeRole_EMPLOYEE_ROLE_ENGINEER,
				altalunev1.EmployeeRole_EMPLOYEE_ROLE_MANAGER,
				altalunev1.EmployeeRole_EMPLOYEE_ROLE_DESIGNER,
			}[i%3]
			req.Remote = i%3 == 0 // 8 remote employees
			req.Salary = float64(1000 + 250*(i%6))
			all = append(all, createEmployee(t, api, req))
		}
		// Six employees share one created_at: ties on the default sort.
		dbExec(t, "UPDATE altalune_example_employees SET created_at = $1 WHERE public_id = ANY($2)",
			time.Date(2024, time.May, 1, 12, 0, 0, 0, time.UTC), ids(all[4:10]))

		t.Run("every sort, both directions, by cursor as by page", func(t *testing.T) {
			queries := []*altalunev1.QueryRequest{nil}
			for _, field := range []string{"name", "phone", "age", "hired_at", "salary", "role", "status", "remote", "created_at"} {
				for _, order := range []altalunev1.SortOrder{asc, desc} {
					queries = append(queries, &altalunev1.QueryRequest{Sorting: sortBy(field, order)})
				}
			}
			for _, q := range queries {
				t.Run(protoText(q), func(t *testing.T) {
					requireSameSet(t, requireSameWalk(t, api, p.PublicID, q, 4), ids(all), "employees read by cursor")
				})
			}
		})

		t.Run("pages of one row over ties and NULLs", func(t *testing.T) {
			for _, q := range []*altalunev1.QueryRequest{
				{Sorting: sortBy("name", asc)},
				{Sorting: sortBy("phone", desc)},
				{Sorting: sortBy("age", asc)},
				nil,
			} {
				requireSameWalk(t, api, p.PublicID, q, 1)
			}
		})

		t.Run("keyword and filters", func(t *testing.T) {
			q := &altalunev1.QueryRequest{
				Keyword: "cursor b",
				Filters: filters("remote", []string{"false"}),
				Sorting: sortBy("age", desc),
			}
			got := requireSameWalk(t, api, p.PublicID, q, 2)
			want := selectEmployees(all, func(e *altalunev1.Employee) bool {
				return employeeMatchesKeyword(e, "cursor b") && !e.GetRemote()
			})
			requireSameSet(t, got, want, "employees matching the keyword and the filter")
			requireSameWalk(t, api, p.PublicID, &altalunev1.QueryRequest{Filters: filters("roles", []string{"manager", "designer"})}, 5)
		})

		t.Run("the last page has no next cursor, also when it is full", func(t *testing.T) {
			q := &altalunev1.QueryRequest{Filters: filters("remote", []string{"true"})}
			first := queryEmployeesAfter(t, api, p.PublicID, withSize(q, 4), "")
			requireMeta(t, first.GetMeta(), 8, 2)
			if first.GetNextCursor() == "" {
				t.Fatal("page 1 of 2 has no next_cursor")
			}
			second := queryEmployeesAfter(t, api, p.PublicID, withSize(q, 4), first.GetNextCursor())
			requireMeta(t, second.GetMeta(), 8, 2)
			if len(second.GetData()) != 4 || second.GetNextCursor() != "" {
				t.Fatalf("page 2 of 2: %d rows, next_cursor %q; want 4 rows and none", len(second.GetData()), second.GetNextCursor())
			}
			none := queryEmployeesAfter(t, api, p.PublicID, withSize(&altalunev1.QueryRequest{Keyword: "no such employee"}, 4), "")
			requireMeta(t, none.GetMeta(), 0, 0)
			if len(none.GetData()) != 0 || none.GetNextCursor() != "" {
				t.Fatalf("a query matching nothing: %d rows, next_cursor %q", len(none.GetData()), none.GetNextCursor())
			}
		})

		t.Run("page sizes may change from page to page", func(t *testing.T) {
			q := &altalunev1.QueryRequest{Sorting: sortBy("name", desc)}
			want := walkByPage(t, api, p.PublicID, q, total)
			var got []string
			cursor := ""
			for _, size := range []int32{5, 3, 7, 100} {
				res := queryEmployeesAfter(t, api, p.PublicID, withSize(q, size), cursor)
				got = append(got, ids(res.GetData())...)
				cursor = res.GetNextCursor()
			}
			if cursor != "" {
				t.Fatalf("next_cursor %q after every row", cursor)
			}
			requireStrings(t, got, want, "employees read in pages of 5, 3, 7 and 100")
		})

		t.Run("a page by number hands out the cursor of the next one", func(t *testing.T) {
			q := &altalunev1.QueryRequest{Sorting: sortBy("phone", asc), Pagination: page(2, 5)}
			res := queryEmployees(t, api, p.PublicID, q)
			want := walkByPage(t, api, p.PublicID, &altalunev1.QueryRequest{Sorting: sortBy("phone", asc)}, total)
			requireStrings(t, ids(res.GetData()), want[5:10], "page 2")
			rest := walkFrom(t, api, p.PublicID, &altalunev1.QueryRequest{Sorting: sortBy("phone", asc)}, 5, res.GetNextCursor())
			requireStrings(t, rest, want[10:], "the pages after page 2, by cursor")
		})

		t.Run("a cursor and a page number together are refused", func(t *testing.T) {
			res := queryEmployeesAfter(t, api, p.PublicID, withSize(nil, 5), "")
			for _, n := range []int32{1, 2, 3} {
				refuseCursor(t, api, p.PublicID, &altalunev1.QueryRequest{Pagination: page(n, 5)}, res.GetNextCursor(), pageAndCursorMessage)
			}
			// A page number alone, or a size beside a cursor, is served.
			queryEmployeesAfter(t, api, p.PublicID, &altalunev1.QueryRequest{Pagination: page(3, 5)}, "")
			queryEmployeesAfter(t, api, p.PublicID, &altalunev1.QueryRequest{Pagination: page(0, 7)}, res.GetNextCursor())
		})

		t.Run("a malformed or altered cursor is refused", func(t *testing.T) {
			q := &altalunev1.QueryRequest{Sorting: sortBy("name", asc)}
			good := queryEmployeesAfter(t, api, p.PublicID, withSize(q, 5), "").GetNextCursor()
			raw, err := base64.RawURLEncoding.DecodeString(good)
			if err != nil {
				t.Fatalf("next_cursor %q is not unpadded base64url: %v", good, err)
			}
			altered := slices.Clone(raw)
			altered[len(altered)/2] ^= 0x01
			truncated := raw[:len(raw)-1]
			for name, cursor := range map[string]string{
				"one bit changed": base64.RawURLEncoding.EncodeToString(altered),
				"one byte short":  base64.RawURLEncoding.EncodeToString(truncated),
				"padded":          good + "=",
				"not base64":      "not a cursor!",
				"too short":       "AAAA",
				"JSON only":       base64.RawURLEncoding.EncodeToString([]byte(`{"s":"name","o":"asc","v":"x","i":1,"q":"0"}`)),
			} {
				t.Run(name, func(t *testing.T) {
					refuseCursor(t, api, p.PublicID, q, cursor, badCursorMessage)
				})
			}
		})

		t.Run("a cursor is refused by another query", func(t *testing.T) {
			q := &altalunev1.QueryRequest{Keyword: "cursor", Filters: filters("remote", []string{"false"}), Sorting: sortBy("name", asc)}
			cursor := queryEmployeesAfter(t, api, p.PublicID, withSize(q, 3), "").GetNextCursor()
			other := func(change func(q *altalunev1.QueryRequest)) *altalunev1.QueryRequest {
				c := proto.Clone(q).(*altalunev1.QueryRequest)
				change(c)
				return c
			}
			for name, q := range map[string]*altalunev1.QueryRequest{
				"another filter value": other(func(q *altalunev1.QueryRequest) { q.Filters = filters("remote", []string{"true"}) }),
				"one more filter": other(func(q *altalunev1.QueryRequest) {
					q.Filters["statuses"] = &altalunev1.StringList{Values: []string{"active"}}
				}),
				"no filter":       other(func(q *altalunev1.QueryRequest) { q.Filters = nil }),
				"another keyword": other(func(q *altalunev1.QueryRequest) { q.Keyword = "cursor a" }),
				"no keyword":      other(func(q *altalunev1.QueryRequest) { q.Keyword = "" }),
			} {
				t.Run(name, func(t *testing.T) {
					refuseCursor(t, api, p.PublicID, q, cursor, otherQueryCursorMessage)
				})
			}
			refuseCursor(t, api, p.PublicID, other(func(q *altalunev1.QueryRequest) { q.Sorting = sortBy("name", desc) }), cursor,
				otherSortCursorMessage("name", "asc", "name", "desc"))
			refuseCursor(t, api, p.PublicID, other(func(q *altalunev1.QueryRequest) { q.Sorting = nil }), cursor,
				otherSortCursorMessage("name", "asc", "created_at", "desc"))
			// The same query spelled otherwise is the same query: a filter
			// value in capitals.
			same := other(func(q *altalunev1.QueryRequest) { q.Filters = filters("remote", []string{"FALSE"}) })
			queryEmployeesAfter(t, api, p.PublicID, withSize(same, 3), cursor)
			// Another project, the same query.
			q2 := newProject(t, api)
			refuseCursor(t, api, q2.PublicID, q, cursor, otherQueryCursorMessage)
		})

		t.Run("rows written between pages", func(t *testing.T) {
			q := &altalunev1.QueryRequest{Sorting: sortBy("name", asc)}
			before := walkByPage(t, api, p.PublicID, q, total)
			first := queryEmployeesAfter(t, api, p.PublicID, withSize(q, 5), "")
			requireStrings(t, ids(first.GetData()), before[:5], "page 1")
			// One employee sorts before the cursor, one after it; the row
			// the cursor was made from is deleted.
			early := newEmployeeRequest(p.PublicID)
			early.Name = "Cursor 0 early"
			late := newEmployeeRequest(p.PublicID)
			late.Name = "Cursor Z late"
			earlyID := createEmployee(t, api, early).GetId()
			lateID := createEmployee(t, api, late).GetId()
			t.Cleanup(func() {
				for _, id := range []string{earlyID, lateID} {
					_, _ = api.Employees.Delete(ctxFor(t), &altalunev1.DeleteEmployeeRequest{ProjectId: p.PublicID, EmployeeId: id})
				}
			})
			last := before[4]
			_, err := api.Employees.Delete(ctxFor(t), &altalunev1.DeleteEmployeeRequest{ProjectId: p.PublicID, EmployeeId: last})
			requireOK(t, err, "DeleteEmployee")
			rest := walkFrom(t, api, p.PublicID, q, 5, first.GetNextCursor())
			requireStrings(t, rest, append(slices.Clone(before[5:]), lateID), "the pages after page 1")

			// Newest first (the default order): rows created after page 1
			// come before it and are not read again.
			newest := queryEmployeesAfter(t, api, p.PublicID, withSize(nil, 4), "")
			wantRest := walkByPage(t, api, p.PublicID, nil, 100)[4:]
			createEmployee(t, api, newEmployeeRequest(p.PublicID))
			requireStrings(t, walkFrom(t, api, p.PublicID, nil, 4, newest.GetNextCursor()), wantRest, "the pages after page 1, newest first")
		})
	})
}

// walkFrom reads the pages of q from cursor on, pages of size rows.
func walkFrom(t *testing.T, api *API, projectID string, q *altalunev1.QueryRequest, size int32, cursor string) []string {
	t.Helper()
	var seen []string
	for cursor != "" {
		res := queryEmployeesAfter(t, api, projectID, withSize(q, size), cursor)
		seen = append(seen, ids(res.GetData())...)
		cursor = res.GetNextCursor()
	}
	return seen
}
