package domainkit

import (
	"context"
	"database/sql/driver"
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"testing"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
	"github.com/hrz8/altalune/internal/shared/query"
)

// keyedAnswer is the answer of a page statement of QueryAfter: the rows
// (id, name), each followed by total and its position in a sort by name
// (the name as text and the id).
func keyedAnswer(total int64, rows ...[]driver.Value) fakeAnswer {
	a := fakeAnswer{columns: []string{"id", "name", "count", "cursor_value", "cursor_id"}}
	for _, r := range rows {
		a.rows = append(a.rows, []driver.Value{r[0], r[1], total, r[1], r[0]})
	}
	return a
}

// cursorSpec is testSpec without the filters that need a catalog
// statement, and with a nullable sort.
func cursorSpec() *QuerySpec {
	spec := testSpec()
	spec.Columns = "id, name"
	delete(spec.Filters, "name")
	delete(spec.Filters, "salary")
	spec.NullableSorts = []string{"hired_at"}
	return spec
}

const (
	employeesScope = " WHERE project_id = $1"
	employeesCount = "(SELECT COUNT(*) FROM altalune_example_employees WHERE project_id = $1)"
)

func byName(order query.SortOrder, size int32) *query.QueryParams {
	return &query.QueryParams{
		Pagination: query.PaginationParams{Page: 1, PageSize: size},
		Sorting:    &query.SortingParams{Field: "name", Order: order},
	}
}

func TestQueryAfterWalksByCursor(t *testing.T) {
	fp := fingerprint("altalune_example_employees", employeesScope, []any{int64(7)})
	bob := "Bob"
	wantNext := (&cursor{Sort: "name", Order: "asc", Value: &bob, ID: 5, Query: fp}).encode()

	// The first page: one row more than its size says that another follows.
	db := newFakeDB(t, func(q string, args []any) fakeAnswer {
		return keyedAnswer(3, []driver.Value{int64(4), "Ann"}, []driver.Value{int64(5), "Bob"}, []driver.Value{int64(6), "Cid"})
	})
	got, next, err := QueryAfter(context.Background(), db, cursorSpec(), byName(query.SortOrderAsc, 2), "", scanEmployee, toEmployee, int64(7))
	if err != nil {
		t.Fatalf("QueryAfter() error = %v", err)
	}
	want := []fakeCall{{
		query: "SELECT id, name, " + employeesCount + ", (name)::TEXT AS cursor_value, id AS cursor_id" +
			" FROM altalune_example_employees WHERE project_id = $1 ORDER BY name ASC, id ASC LIMIT $2 OFFSET $3",
		args: []any{int64(7), int64(3), int64(0)},
	}}
	if calls := db.recorded(); !reflect.DeepEqual(calls, want) {
		t.Errorf("statements =\n%#v\nwant\n%#v", calls, want)
	}
	if wantData := []*employee{{Label: "4:Ann"}, {Label: "5:Bob"}}; !reflect.DeepEqual(got.Data, wantData) {
		t.Errorf("Data = %v, want %v", got.Data, wantData)
	}
	if got.TotalRows != 3 || got.TotalPages != 2 {
		t.Errorf("TotalRows, TotalPages = %d, %d; want 3, 2", got.TotalRows, got.TotalPages)
	}
	if next != wantNext {
		t.Errorf("next cursor = %q, want %q (after Bob, id 5)", next, wantNext)
	}

	// The page after it starts after (Bob, 5) and is the last.
	db = newFakeDB(t, func(q string, args []any) fakeAnswer {
		return keyedAnswer(3, []driver.Value{int64(6), "Cid"})
	})
	got, last, err := QueryAfter(context.Background(), db, cursorSpec(), byName(query.SortOrderAsc, 2), next, scanEmployee, toEmployee, int64(7))
	if err != nil {
		t.Fatalf("QueryAfter(next) error = %v", err)
	}
	want = []fakeCall{{
		query: "SELECT id, name, " + employeesCount + ", (name)::TEXT AS cursor_value, id AS cursor_id" +
			" FROM altalune_example_employees WHERE project_id = $1 AND (name, id) > ($2, $3) ORDER BY name ASC, id ASC LIMIT $4",
		args: []any{int64(7), "Bob", int64(5), int64(3)},
	}}
	if calls := db.recorded(); !reflect.DeepEqual(calls, want) {
		t.Errorf("statements =\n%#v\nwant\n%#v", calls, want)
	}
	if last != "" || len(got.Data) != 1 || got.TotalRows != 3 || got.TotalPages != 2 {
		t.Errorf("last page: next %q, %d rows, counts %d, %d; want no cursor, 1 row, 3, 2", last, len(got.Data), got.TotalRows, got.TotalPages)
	}
}

func TestQueryAfterPageByNumber(t *testing.T) {
	// Without a cursor, the page params names, and the cursor after it.
	db := newFakeDB(t, func(q string, args []any) fakeAnswer {
		return keyedAnswer(9, []driver.Value{int64(4), "Ann"}, []driver.Value{int64(5), "Bob"})
	})
	params := byName(query.SortOrderDesc, 1)
	params.Pagination.Page = 3
	got, next, err := QueryAfter(context.Background(), db, cursorSpec(), params, "", scanEmployee, toEmployee, int64(7))
	if err != nil {
		t.Fatalf("QueryAfter() error = %v", err)
	}
	if calls := db.recorded(); len(calls) != 1 || !strings.HasSuffix(calls[0].query, " ORDER BY name DESC, id DESC LIMIT $2 OFFSET $3") ||
		!reflect.DeepEqual(calls[0].args, []any{int64(7), int64(2), int64(2)}) {
		t.Errorf("statements = %#v, want page 3 of 1 row and one more", calls)
	}
	c, err := decodeCursor(next)
	if err != nil || c.Sort != "name" || c.Order != "desc" || c.Value == nil || *c.Value != "Ann" || c.ID != 4 {
		t.Errorf("next cursor = %+v (%v), want after Ann, id 4, by name desc", c, err)
	}
	if len(got.Data) != 1 || got.TotalPages != 9 {
		t.Errorf("rows, pages = %d, %d; want 1, 9", len(got.Data), got.TotalPages)
	}
}

func TestQueryAfterPastTheEnd(t *testing.T) {
	// The rows after the cursor are gone: the count comes on its own.
	fp := fingerprint("altalune_example_employees", employeesScope, []any{int64(7)})
	after := (&cursor{Sort: "created_at", Order: "desc", Value: new(string), ID: 3, Query: fp}).encode()
	db := newFakeDB(t, func(q string, args []any) fakeAnswer {
		if strings.HasPrefix(q, "SELECT id, name,") {
			return keyedAnswer(0)
		}
		return fakeAnswer{columns: []string{"count"}, rows: [][]driver.Value{{int64(4)}}}
	})
	got, next, err := QueryAfter(context.Background(), db, cursorSpec(), nil, after, scanEmployee, toEmployee, int64(7))
	if err != nil {
		t.Fatalf("QueryAfter() error = %v", err)
	}
	calls := db.recorded()
	if len(calls) != 2 || calls[1].query != "SELECT "+employeesCount || !reflect.DeepEqual(calls[1].args, []any{int64(7)}) {
		t.Errorf("statements = %#v, want the page, then the count", calls)
	}
	if next != "" || len(got.Data) != 0 || got.TotalRows != 4 || got.TotalPages != 1 {
		t.Errorf("next %q, %d rows, counts %d, %d; want none, 0, 4, 1", next, len(got.Data), got.TotalRows, got.TotalPages)
	}
}

func TestQueryAfterWithoutScope(t *testing.T) {
	spec := &QuerySpec{Table: "t", Columns: "id, name", DefaultSort: "id", DefaultOrder: query.SortOrderAsc, Sorts: map[string]string{"id": "id"}}
	one := "1"
	after := (&cursor{Sort: "id", Order: "asc", Value: &one, ID: 1, Query: fingerprint("t", "", nil)}).encode()
	db := newFakeDB(t, func(q string, args []any) fakeAnswer { return keyedAnswer(1, []driver.Value{int64(2), "b"}) })
	if _, _, err := QueryAfter(context.Background(), db, spec, nil, after, scanEmployee, toEmployee); err != nil {
		t.Fatalf("QueryAfter() error = %v", err)
	}
	want := "SELECT id, name, (SELECT COUNT(*) FROM t), (id)::TEXT AS cursor_value, id AS cursor_id FROM t WHERE (id, id) > ($1, $2) ORDER BY id ASC, id ASC LIMIT $3"
	if calls := db.recorded(); len(calls) == 0 || calls[0].query != want {
		t.Errorf("statements = %#v, want first %q", calls, want)
	}
}

func TestKeysetCondition(t *testing.T) {
	value := "2024-05-01"
	tests := []struct {
		name     string
		order    sorted
		value    *string
		wantSQL  string
		wantArgs []any
	}{
		{
			name: "ascending", order: sorted{name: "name", expr: "name"}, value: &value,
			wantSQL: "(name, id) > ($4, $5)", wantArgs: []any{value, int64(9)},
		},
		{
			name: "descending", order: sorted{name: "name", expr: "name", desc: true}, value: &value,
			wantSQL: "(name, id) < ($4, $5)", wantArgs: []any{value, int64(9)},
		},
		{
			name: "nullable ascending: the NULLs follow every value", order: sorted{name: "hired_at", expr: "hired_at", nullable: true}, value: &value,
			wantSQL: "((hired_at, id) > ($4, $5) OR hired_at IS NULL)", wantArgs: []any{value, int64(9)},
		},
		{
			name: "nullable descending: the NULLs came first", order: sorted{name: "hired_at", expr: "hired_at", desc: true, nullable: true}, value: &value,
			wantSQL: "(hired_at, id) < ($4, $5)", wantArgs: []any{value, int64(9)},
		},
		{
			name: "after a NULL ascending: the NULLs left", order: sorted{name: "hired_at", expr: "hired_at", nullable: true},
			wantSQL: "(hired_at IS NULL AND id > $4)", wantArgs: []any{int64(9)},
		},
		{
			name: "after a NULL descending: the NULLs left, then every value", order: sorted{name: "hired_at", expr: "hired_at", desc: true, nullable: true},
			wantSQL: "((hired_at IS NULL AND id < $4) OR hired_at IS NOT NULL)", wantArgs: []any{int64(9)},
		},
		{
			name: "an enum in declaration order", order: sorted{name: "role", expr: "array_position(ARRAY['a', 'b'], role::TEXT)", desc: true}, value: &value,
			wantSQL: "(array_position(ARRAY['a', 'b'], role::TEXT), id) < ($4, $5)", wantArgs: []any{value, int64(9)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := &keyset{order: tt.order, after: &cursor{Value: tt.value, ID: 9}}
			gotSQL, gotArgs := k.condition(4)
			if gotSQL != tt.wantSQL || !reflect.DeepEqual(gotArgs, tt.wantArgs) {
				t.Errorf("condition(4) = %q, %#v; want %q, %#v", gotSQL, gotArgs, tt.wantSQL, tt.wantArgs)
			}
		})
	}
}

func TestCursorEncoding(t *testing.T) {
	value := "Ann \"Lee\" ü"
	for _, c := range []cursor{
		{Sort: "name", Order: "asc", Value: &value, ID: 42, Query: "0123456789abcdef"},
		{Sort: "hired_at", Order: "desc", ID: 1},
	} {
		text := c.encode()
		if strings.ContainsAny(text, "+/=") {
			t.Errorf("encode() = %q, want unpadded base64url", text)
		}
		got, err := decodeCursor(text)
		if err != nil {
			t.Fatalf("decodeCursor(%q) error = %v", text, err)
		}
		if !reflect.DeepEqual(*got, c) {
			t.Errorf("decodeCursor(encode(%+v)) = %+v", c, *got)
		}
	}
}

func TestDecodeCursorRefuses(t *testing.T) {
	good := (&cursor{Sort: "name", Order: "asc", ID: 3, Query: "q"}).encode()
	raw, _ := base64.RawURLEncoding.DecodeString(good)
	flipped := append([]byte(nil), raw...)
	flipped[2] ^= 0x20
	notJSON := []byte("not json")
	notJSON = append(notJSON, checksum(notJSON)...)
	for name, text := range map[string]string{
		"empty":                  "",
		"not base64url":          "a+b/c==",
		"padded":                 good + "=",
		"no longer than the sum": base64.RawURLEncoding.EncodeToString(raw[len(raw)-cursorSum:]),
		"one byte short":         base64.RawURLEncoding.EncodeToString(raw[:len(raw)-1]),
		"a bit flipped":          base64.RawURLEncoding.EncodeToString(flipped),
		"summed, but no JSON":    base64.RawURLEncoding.EncodeToString(notJSON),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := decodeCursor(text)
			var invalid *InvalidQueryError
			if !errors.As(err, &invalid) || got != nil {
				t.Fatalf("decodeCursor(%q) = %v, %v; want an *InvalidQueryError", text, got, err)
			}
			want := "query: the cursor is not one this list gave (malformed or altered); ask without a cursor to start from the first page"
			if err.Error() != want {
				t.Errorf("error = %q, want %q", err, want)
			}
		})
	}
}

func TestFingerprint(t *testing.T) {
	base := fingerprint("t", " WHERE project_id = $1 AND role = ANY($2)", []any{int64(7), []string{"engineer"}})
	if len(base) != 2*cursorSum {
		t.Errorf("fingerprint = %q, want %d hex digits", base, 2*cursorSum)
	}
	if again := fingerprint("t", " WHERE project_id = $1 AND role = ANY($2)", []any{int64(7), []string{"engineer"}}); again != base {
		t.Errorf("fingerprint is not stable: %q, then %q", base, again)
	}
	for name, other := range map[string]string{
		"another table":   fingerprint("u", " WHERE project_id = $1 AND role = ANY($2)", []any{int64(7), []string{"engineer"}}),
		"another project": fingerprint("t", " WHERE project_id = $1 AND role = ANY($2)", []any{int64(8), []string{"engineer"}}),
		"another value":   fingerprint("t", " WHERE project_id = $1 AND role = ANY($2)", []any{int64(7), []string{"manager"}}),
		"another filter":  fingerprint("t", " WHERE project_id = $1 AND status = ANY($2)", []any{int64(7), []string{"engineer"}}),
	} {
		if other == base {
			t.Errorf("%s: the same fingerprint %q", name, other)
		}
	}
}

func TestQueryAfterRefuses(t *testing.T) {
	fp := fingerprint("altalune_example_employees", employeesScope, []any{int64(7)})
	ann := "Ann"
	byNameAsc := (&cursor{Sort: "name", Order: "asc", Value: &ann, ID: 4, Query: fp}).encode()
	tests := []struct {
		name   string
		params *query.QueryParams
		cursor string
		scope  int64
		want   string
	}{
		{
			name: "malformed", params: byName(query.SortOrderAsc, 2), cursor: "!!", scope: 7,
			want: "query: the cursor is not one this list gave (malformed or altered); ask without a cursor to start from the first page",
		},
		{
			name: "another direction", params: byName(query.SortOrderDesc, 2), cursor: byNameAsc, scope: 7,
			want: `query: the cursor continues a list sorted by "name" asc, not by "name" desc; ask with the sorting it was given for, or without a cursor to start again`,
		},
		{
			name: "the default sort", params: nil, cursor: byNameAsc, scope: 7,
			want: `query: the cursor continues a list sorted by "name" asc, not by "created_at" desc; ask with the sorting it was given for, or without a cursor to start again`,
		},
		{
			name: "another project", params: byName(query.SortOrderAsc, 2), cursor: byNameAsc, scope: 8,
			want: "query: the cursor continues a list of another keyword, filters or project; ask with the keyword and filters it was given for, or without a cursor to start again",
		},
		{
			name: "a filter more", cursor: byNameAsc, scope: 7,
			params: &query.QueryParams{Filters: map[string][]string{"remote": {"true"}}, Sorting: &query.SortingParams{Field: "name"}},
			want:   "query: the cursor continues a list of another keyword, filters or project; ask with the keyword and filters it was given for, or without a cursor to start again",
		},
		{
			name: "a page number beside the cursor", cursor: byNameAsc, scope: 7,
			params: &query.QueryParams{Pagination: query.PaginationParams{Page: 2}, Sorting: &query.SortingParams{Field: "name"}},
			want:   "query: a cursor and a page number cannot be given together; leave the page unset to read the page after the cursor",
		},
		{
			name: "an unknown sort, before the cursor is read", cursor: "!!", scope: 7,
			params: &query.QueryParams{Sorting: &query.SortingParams{Field: "colour"}},
			want:   `query: unknown sort field "colour"; sort by one of created_at, hired_at, name, role`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := unusedDB(t)
			got, next, err := QueryAfter(context.Background(), db, cursorSpec(), tt.params, tt.cursor, scanEmployee, toEmployee, tt.scope)
			var invalid *InvalidQueryError
			if !errors.As(err, &invalid) || err.Error() != tt.want {
				t.Errorf("QueryAfter() error = %v, want *InvalidQueryError %q", err, tt.want)
			}
			if got != nil || next != "" {
				t.Errorf("QueryAfter() = %v, %q with an error, want nothing", got, next)
			}
		})
	}
}

func TestQueryAfterErrors(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name   string
		answer fakeAnswer
		want   string
	}{
		{name: "page fails", answer: fakeAnswer{err: boom}, want: "query altalune_example_employees: boom"},
		{
			name:   "position cannot be scanned",
			answer: fakeAnswer{columns: keyedAnswer(0).columns, rows: [][]driver.Value{{int64(1), "a", int64(1), "a", nil}}},
			want:   `scan altalune_example_employees: sql: Scan error on column index 4, name "cursor_id": converting NULL to int64 is unsupported`,
		},
		{
			name:   "catalog fails",
			answer: fakeAnswer{columns: keyedAnswer(0).columns},
			want:   "filter values of altalune_example_employees: boom",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := newFakeDB(t, func(q string, args []any) fakeAnswer {
				if strings.HasPrefix(q, "SELECT id, name,") {
					return tt.answer
				}
				return fakeAnswer{err: boom}
			})
			spec := cursorSpec()
			spec.Filters["salary"] = Filter{Column: "salary"}
			got, next, err := QueryAfter(context.Background(), db, spec, nil, "", scanEmployee, toEmployee, int64(7))
			if errorMessage(err) != tt.want {
				t.Errorf("QueryAfter() error = %q, want %q", errorMessage(err), tt.want)
			}
			if got != nil || next != "" {
				t.Errorf("QueryAfter() = %v, %q with an error, want nothing", got, next)
			}
		})
	}
}

func TestCursorParams(t *testing.T) {
	for _, tt := range []struct {
		name   string
		req    *altalunev1.QueryRequest
		cursor string
		refuse bool
	}{
		{name: "nil request, no cursor", req: nil},
		{name: "nil request, a cursor", req: nil, cursor: "c"},
		{name: "a page, no cursor", req: &altalunev1.QueryRequest{Pagination: &altalunev1.Pagination{Page: 3, PageSize: 5}}},
		{name: "a size and a cursor", req: &altalunev1.QueryRequest{Pagination: &altalunev1.Pagination{PageSize: 5}}, cursor: "c"},
		{name: "page 1 and a cursor", req: &altalunev1.QueryRequest{Pagination: &altalunev1.Pagination{Page: 1}}, cursor: "c", refuse: true},
		{name: "page 2 and a cursor", req: &altalunev1.QueryRequest{Pagination: &altalunev1.Pagination{Page: 2, PageSize: 5}}, cursor: "c", refuse: true},
		{name: "a negative page and a cursor", req: &altalunev1.QueryRequest{Pagination: &altalunev1.Pagination{Page: -1}}, cursor: "c", refuse: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CursorParams(tt.req, tt.cursor)
			if tt.refuse {
				var invalid *InvalidQueryError
				if !errors.As(err, &invalid) || got != nil {
					t.Fatalf("CursorParams() = %v, %v; want an *InvalidQueryError", got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("CursorParams() error = %v", err)
			}
			if want := QueryParams(tt.req); !reflect.DeepEqual(got, want) {
				t.Errorf("CursorParams() = %+v, want QueryParams' %+v", got, want)
			}
		})
	}
}
