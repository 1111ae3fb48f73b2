// Package domainkit holds the helpers every generated domain shares: the query
// builder, the mapping of unique violations, conversions, request checks,
// access rules and the Connect and gRPC adapters.
//
// protoc-gen-altalune writes it into the target as it is, its imports of
// the target's own packages pointed where the plugin's parameters say they
// are.
package domainkit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
	"github.com/hrz8/altalune/internal/postgres"
	"github.com/hrz8/altalune/internal/shared/query"
)

// Row is what a scan function reads; *sql.Row and *sql.Rows both are.
type Row interface {
	Scan(dest ...any) error
}

// Page sizes of Query: DefaultPageSize when none is asked, never more than
// MaxPageSize.
const (
	DefaultPageSize = 10
	MaxPageSize     = 100
)

// MaxFilterValues bounds the distinct values the filter catalog lists for
// one column.
const MaxFilterValues = 100

// Filter is one filterable column. Requested values are compared so that an
// index on the column (LOWER(column) for text) serves.
type Filter struct {
	Column string
	// Values lists an enum's stored values in declaration order, and Names
	// their proto names in the same order: a requested value is either,
	// ignoring case, and the filter catalog lists Values.
	Values []string
	Names  []string
	// Bool marks a boolean column: "true" or "false".
	Bool bool
	// Text marks a text column, matched ignoring case.
	Text bool
	// Array marks an array of text: a row matches when its array holds any
	// of the requested values, as stored (an overlap, &&, which a GIN index
	// on the column serves). The catalog lists the distinct elements.
	Array bool
	// Indexed says that an index serves the column's catalog: a b-tree
	// whose key is the scope's column, if any, then the column itself
	// (LOWER(column) for a text column), as the plain or unique index of a
	// filterable field is. See QuerySpec.catalog.
	Indexed bool
}

// match is the condition on the requested values of the filter key, bound
// as $n.
func (f Filter) match(key string, requested []string, n int) (string, any, error) {
	switch {
	case f.Values != nil:
		values := make([]string, 0, len(requested))
		for _, v := range requested {
			i := slices.IndexFunc(f.Values, func(known string) bool { return strings.EqualFold(v, known) })
			if i < 0 {
				i = slices.IndexFunc(f.Names, func(name string) bool { return strings.EqualFold(v, name) })
			}
			if i < 0 {
				return "", nil, invalidQuery("filter %s: %q is not a value; use one of %s", key, v, strings.Join(f.Values, ", "))
			}
			values = append(values, f.Values[i])
		}
		return fmt.Sprintf("%s = ANY($%d)", f.Column, n), values, nil
	case f.Bool:
		values := make([]bool, 0, len(requested))
		for _, v := range requested {
			b, err := strconv.ParseBool(strings.ToLower(v))
			if err != nil {
				return "", nil, invalidQuery("filter %s: %q is not true or false", key, v)
			}
			values = append(values, b)
		}
		return fmt.Sprintf("%s = ANY($%d)", f.Column, n), values, nil
	}
	if f.Array {
		return fmt.Sprintf("%s && $%d", f.Column, n), slices.Clone(requested), nil
	}
	values := make([]string, len(requested))
	for i, v := range requested {
		values[i] = strings.ToLower(v)
	}
	if f.Text {
		return fmt.Sprintf("LOWER(%s) = ANY($%d)", f.Column, n), values, nil
	}
	return fmt.Sprintf("LOWER(%s::TEXT) = ANY($%d)", f.Column, n), values, nil
}

// ProtoNames are the proto names of an enum's values, in their order.
func ProtoNames[D any, P fmt.Stringer](values []D, toProto func(D) P) []string {
	names := make([]string, len(values))
	for i, v := range values {
		names[i] = toProto(v).String()
	}
	return names
}

// InvalidQueryError is a Query request that asks for what the list does not
// offer: an unknown filter or sort field, or a filter value that cannot
// match. The service answers it as an invalid payload.
type InvalidQueryError struct {
	msg string
}

func (e *InvalidQueryError) Error() string {
	return "query: " + e.msg
}

func invalidQuery(format string, args ...any) error {
	return &InvalidQueryError{msg: fmt.Sprintf(format, args...)}
}

// QuerySpec says how one table may be searched, filtered and sorted. Every
// column named here comes from generated code: a request only picks among
// them by key, and its values always travel as bind parameters.
type QuerySpec struct {
	Table   string
	Columns string
	// Scope is the condition on the scope values passed to Query ($1, ...),
	// or "" for a table without scope.
	Scope string
	// DefaultSort (a key of Sorts) and DefaultOrder apply when a request
	// names no sort field.
	DefaultSort  string
	DefaultOrder query.SortOrder
	// Search lists the text columns the keyword is matched against.
	Search []string
	// Filters are keyed by filter key and FilterAliases maps the other
	// spellings a request may use (field and JSON names) to it.
	Filters       map[string]Filter
	FilterAliases map[string]string
	// Sorts are keyed by field name and SortAliases maps the JSON names to
	// it. A sort is an SQL expression: an enum column sorts in declaration
	// order.
	Sorts       map[string]string
	SortAliases map[string]string
	// NullableSorts lists the keys of Sorts whose value may be NULL, which
	// PostgreSQL sorts after every value ascending and before them
	// descending: the cursor of QueryAfter must step over them.
	NullableSorts []string
}

// QueryParams reads a QueryRequest, which may be nil or partly set, into
// the parameters of Query: page 1 of DefaultPageSize rows unless given, the
// keyword, every filter key with its values, and the sorting when it names a
// field (ascending unless DESC).
func QueryParams(req *altalunev1.QueryRequest) *query.QueryParams {
	params := &query.QueryParams{
		Pagination: query.PaginationParams{
			Page:     max(req.GetPagination().GetPage(), 1),
			PageSize: req.GetPagination().GetPageSize(),
		},
		Keyword: req.GetKeyword(),
		Filters: make(map[string][]string, len(req.GetFilters())),
	}
	if params.Pagination.PageSize < 1 {
		params.Pagination.PageSize = DefaultPageSize
	}
	for key, list := range req.GetFilters() {
		params.Filters[key] = slices.Clone(list.GetValues())
	}
	if field := req.GetSorting().GetField(); field != "" {
		order := query.SortOrderAsc
		if req.GetSorting().GetOrder() == altalunev1.SortOrder_SORT_ORDER_DESC {
			order = query.SortOrderDesc
		}
		params.Sorting = &query.SortingParams{Field: field, Order: order}
	}
	return params
}

// Query returns one page of the rows matching params, with the total row and
// page counts and the filter catalog. scope holds the values of spec.Scope;
// scan reads a row and convert makes the domain value of it.
//
// A call is one statement, the page, when every filter of the list is an
// enum or a boolean (or it has none), and at most two otherwise:
//
//   - the page carries the count of every matching row beside each of its
//     rows, as an uncorrelated subquery that PostgreSQL computes once, with
//     a plan of its own (an index-only count where an index allows). It is
//     not COUNT(*) OVER (), which would make PostgreSQL read every matching
//     row in full before the LIMIT;
//   - the values of the other filters, for the catalog, are one more
//     statement for all of them (see catalog);
//   - a page past the last one has no row to carry the count: the count is
//     then asked again, in the catalog's statement when there is one, else
//     on its own. A first page without rows needs no count: nothing
//     matches.
func Query[R, T any](ctx context.Context, db postgres.DB, spec *QuerySpec, params *query.QueryParams, scan func(Row) (*R, error), convert func(*R) *T, scope ...any) (*query.QueryResult[T], error) {
	result, _, err := queryPage(ctx, db, spec, params, nil, scan, convert, scope)
	return result, err
}

// QueryAfter is Query paged by cursor as well as by number (keyset paging).
// An empty cursor asks for the page params names (the first unless it names
// another); a cursor, for the page that follows the row it was made from,
// in the same order, and then params may name no page beyond the first.
// Beside the page it answers the cursor of the next one, "" when no row
// follows.
//
// A cursor holds the sort key and direction, the sort value and id of the
// last row of its page, and a fingerprint of the query (table, scope,
// keyword and filters): a cursor that was altered, or that is used with
// another sorting or query, is an InvalidQueryError. The page after it is
// the rows (value, id) > (its value, its id) (< descending) in the ORDER BY
// of Query, which reads the index (scope, column, id) of the sort from
// there on rather than every row before it, as OFFSET does. NULLs of a
// nullable sort (NullableSorts) come after every value ascending and
// before them descending, as PostgreSQL sorts them. The count, the page
// count and the catalog are those of the whole query, as Query answers
// them.
func QueryAfter[R, T any](ctx context.Context, db postgres.DB, spec *QuerySpec, params *query.QueryParams, cursor string, scan func(Row) (*R, error), convert func(*R) *T, scope ...any) (*query.QueryResult[T], string, error) {
	return queryPage(ctx, db, spec, params, &cursor, scan, convert, scope)
}

// queryPage is Query, and QueryAfter when cursor is set.
func queryPage[R, T any](ctx context.Context, db postgres.DB, spec *QuerySpec, params *query.QueryParams, cursor *string, scan func(Row) (*R, error), convert func(*R) *T, scope []any) (*query.QueryResult[T], string, error) {
	if params == nil {
		params = &query.QueryParams{}
	}
	where, args, err := spec.where(params, scope)
	if err != nil {
		return nil, "", err
	}
	order, err := spec.sorting(params.Sorting)
	if err != nil {
		return nil, "", err
	}
	page, size := pageOf(params.Pagination)
	offset := (page - 1) * size
	var keys *keyset
	if cursor != nil {
		if keys, err = spec.keyset(*cursor, order, where, args); err != nil {
			return nil, "", err
		}
		if keys.after != nil && page > 1 {
			return nil, "", errPageAndCursor()
		}
	}
	count := "(SELECT COUNT(*) FROM " + spec.Table + where + ")"
	pageArgs := slices.Clip(args)
	var stmt string
	switch {
	case keys == nil:
		pageArgs = append(pageArgs, size, offset)
		stmt = fmt.Sprintf("SELECT %s, %s FROM %s%s ORDER BY %s LIMIT $%d OFFSET $%d",
			spec.Columns, count, spec.Table, where, order.orderBy(), len(pageArgs)-1, len(pageArgs))
	case keys.after == nil:
		// One row more than the page says whether another page follows.
		pageArgs = append(pageArgs, size+1, offset)
		stmt = fmt.Sprintf("SELECT %s, %s, %s FROM %s%s ORDER BY %s LIMIT $%d OFFSET $%d",
			spec.Columns, count, order.positionColumns(), spec.Table, where, order.orderBy(), len(pageArgs)-1, len(pageArgs))
	default:
		cond, condArgs := keys.condition(len(pageArgs) + 1)
		pageArgs = append(append(pageArgs, condArgs...), size+1)
		stmt = fmt.Sprintf("SELECT %s, %s, %s FROM %s%s ORDER BY %s LIMIT $%d",
			spec.Columns, count, order.positionColumns(), spec.Table, and(where, cond), order.orderBy(), len(pageArgs))
	}
	rows, err := db.QueryContext(ctx, stmt, pageArgs...)
	if err != nil {
		return nil, "", fmt.Errorf("query %s: %w", spec.Table, err)
	}
	defer rows.Close()
	var total int64
	counted := countedRow{rows: rows, total: &total}
	if keys != nil {
		counted.read = &[]position{}
	}
	data, err := collect(rows, counted, scan, convert, make([]*T, 0, size+1), "query", spec.Table)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if keys != nil && int64(len(data)) > size {
		data = data[:size]
		next = keys.next((*counted.read)[size-1])
	}
	var recount *countQuery
	if len(data) == 0 && (offset > 0 || keys != nil && keys.after != nil) {
		recount = &countQuery{where: where, args: args, total: &total}
	}
	filters, err := spec.catalog(ctx, db, scope, recount)
	if err != nil {
		return nil, "", err
	}
	return &query.QueryResult[T]{
		Data:       data,
		TotalRows:  clampInt32(total),
		TotalPages: clampInt32((total + size - 1) / size),
		Filters:    filters,
	}, next, nil
}

// and adds cond to a WHERE clause (which may be empty).
func and(where, cond string) string {
	if where == "" {
		return " WHERE " + cond
	}
	return where + " AND " + cond
}

// countedRow is a row of the page statement: the columns scan reads, then
// the count of every matching row, which it reads into total, then, when
// read is set, the row's position in the order of a keyset, which it
// appends to read.
type countedRow struct {
	rows  *sql.Rows
	total *int64
	read  *[]position
}

func (r countedRow) Scan(dest ...any) error {
	dest = append(slices.Clip(dest), r.total)
	if r.read == nil {
		return r.rows.Scan(dest...)
	}
	var p position
	if err := r.rows.Scan(append(dest, &p.value, &p.id)...); err != nil {
		return err
	}
	*r.read = append(*r.read, p)
	return nil
}

// countQuery asks the catalog's statement for the count of the rows
// matching where (bound to args), read into total.
type countQuery struct {
	where string
	args  []any
	total *int64
}

// where builds the WHERE clause of params: the scope, the keyword as a
// case-insensitive substring of any search column, and each filter as a
// match of any of its values. A filter key the list does not offer is
// refused.
func (s *QuerySpec) where(params *query.QueryParams, scope []any) (string, []any, error) {
	var conds []string
	args := append([]any(nil), scope...)
	if s.Scope != "" {
		conds = append(conds, s.Scope)
	}
	if params.Keyword != "" && len(s.Search) > 0 {
		args = append(args, "%"+escapeLike(params.Keyword)+"%")
		matches := make([]string, len(s.Search))
		for i, column := range s.Search {
			matches[i] = fmt.Sprintf("%s ILIKE $%d", column, len(args))
		}
		conds = append(conds, "("+strings.Join(matches, " OR ")+")")
	}
	for _, requested := range slices.Sorted(maps.Keys(params.Filters)) {
		key := resolve(requested, s.FilterAliases)
		filter, ok := s.Filters[key]
		if !ok {
			return "", nil, invalidQuery("unknown filter %q; %s", requested, offer("filter by", s.Filters))
		}
		values := params.Filters[requested]
		if len(values) == 0 {
			continue
		}
		cond, value, err := filter.match(key, values, len(args)+1)
		if err != nil {
			return "", nil, err
		}
		args = append(args, value)
		conds = append(conds, cond)
	}
	if len(conds) == 0 {
		return "", args, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// orderBy is the ORDER BY list of a sort request, ties broken by id. A sort
// field the list does not offer is refused.
func (s *QuerySpec) orderBy(sorting *query.SortingParams) (string, error) {
	order, err := s.sorting(sorting)
	if err != nil {
		return "", err
	}
	return order.orderBy(), nil
}

// sorted is the order of a query: by a key of Sorts, its SQL expression,
// in a direction, ties broken by id in the same direction.
type sorted struct {
	name, expr string
	desc       bool
	nullable   bool // the value may be NULL (NullableSorts)
}

// sorting is the order a sort request asks for (the default one when it
// names no field). A sort field the list does not offer is refused.
func (s *QuerySpec) sorting(sorting *query.SortingParams) (sorted, error) {
	key, order := s.DefaultSort, s.DefaultOrder
	if sorting != nil {
		key, order = resolve(sorting.Field, s.SortAliases), sorting.Order
		if _, ok := s.Sorts[key]; !ok {
			return sorted{}, invalidQuery("unknown sort field %q; %s", sorting.Field, offer("sort by", s.Sorts))
		}
	}
	return sorted{name: key, expr: s.Sorts[key], desc: order == query.SortOrderDesc, nullable: slices.Contains(s.NullableSorts, key)}, nil
}

func (o sorted) direction() string {
	if o.desc {
		return "DESC"
	}
	return "ASC"
}

func (o sorted) orderBy() string {
	return o.expr + " " + o.direction() + ", id " + o.direction()
}

// positionColumns is the select list of a row's position in the order:
// its sort value as text (which PostgreSQL reads back as the value) and its
// id, named so that the ORDER BY is not ambiguous.
func (o sorted) positionColumns() string {
	return "(" + o.expr + ")::TEXT AS cursor_value, id AS cursor_id"
}

// position is where a row stands in an order: its sort value as text
// (invalid for NULL) and its id.
type position struct {
	value sql.NullString
	id    int64
}

// cursor is what a cursor of QueryAfter holds: the sort key and direction
// of its query, the position of the last row of its page, and the
// fingerprint of the query.
type cursor struct {
	Sort  string  `json:"s"`
	Order string  `json:"o"`
	Value *string `json:"v"`
	ID    int64   `json:"i"`
	Query string  `json:"q"`
}

// cursorSum is the size of the checksum that ends a cursor.
const cursorSum = 8

// encode is the cursor as a client sees it: base64url (unpadded) of its
// JSON and a checksum of it, which tells an altered or truncated cursor.
// The checksum is no signature: a cursor is opaque, not secret.
func (c *cursor) encode() string {
	body, _ := json.Marshal(c) // strings and an integer: it cannot fail
	return base64.RawURLEncoding.EncodeToString(append(body, checksum(body)...))
}

func checksum(body []byte) []byte {
	sum := sha256.Sum256(body)
	return sum[:cursorSum]
}

// decodeCursor reads a cursor encode made; anything else is refused.
func decodeCursor(s string) (*cursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil && len(raw) > cursorSum {
		body, sum := raw[:len(raw)-cursorSum], raw[len(raw)-cursorSum:]
		var c cursor
		if bytes.Equal(checksum(body), sum) && json.Unmarshal(body, &c) == nil {
			return &c, nil
		}
	}
	return nil, invalidQuery("the cursor is not one this list gave (malformed or altered); " +
		"ask without a cursor to start from the first page")
}

// fingerprint identifies the rows of a query: its table and WHERE clause
// with the values bound to it (the scope, the keyword and the filters, as
// they are matched).
func fingerprint(table, where string, args []any) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%#v", table, where, args))
	return hex.EncodeToString(sum[:cursorSum])
}

// keyset is the cursor paging of one query: its order, its fingerprint and
// the position its page follows (nil: none, the page is the one params
// names).
type keyset struct {
	order sorted
	query string
	after *cursor
}

// keyset reads the cursor of a query in order whose rows match where,
// bound to args: a cursor made for another query or order is refused.
func (s *QuerySpec) keyset(text string, order sorted, where string, args []any) (*keyset, error) {
	k := &keyset{order: order, query: fingerprint(s.Table, where, args)}
	if text == "" {
		return k, nil
	}
	c, err := decodeCursor(text)
	if err != nil {
		return nil, err
	}
	if c.Sort != order.name || c.Order != strings.ToLower(order.direction()) {
		return nil, invalidQuery("the cursor continues a list sorted by %q %s, not by %q %s; "+
			"ask with the sorting it was given for, or without a cursor to start again",
			c.Sort, c.Order, order.name, strings.ToLower(order.direction()))
	}
	if c.Query != k.query {
		return nil, invalidQuery("the cursor continues a list of another keyword, filters or project; " +
			"ask with the keyword and filters it was given for, or without a cursor to start again")
	}
	k.after = c
	return k, nil
}

// condition keeps the rows that follow the cursor in the order, its values
// bound as $n on: (value, id) > (the cursor's) ascending, < descending,
// which the index (scope, column, id) of the sort serves. NULLs come last
// ascending and first descending.
func (k *keyset) condition(n int) (string, []any) {
	op := ">"
	if k.order.desc {
		op = "<"
	}
	expr, c := k.order.expr, k.after
	if c.Value == nil {
		cond := fmt.Sprintf("%s IS NULL AND id %s $%d", expr, op, n)
		if k.order.desc {
			return fmt.Sprintf("((%s) OR %s IS NOT NULL)", cond, expr), []any{c.ID}
		}
		return "(" + cond + ")", []any{c.ID}
	}
	cond := fmt.Sprintf("(%s, id) %s ($%d, $%d)", expr, op, n, n+1)
	if k.order.nullable && !k.order.desc {
		cond = fmt.Sprintf("(%s OR %s IS NULL)", cond, expr)
	}
	return cond, []any{*c.Value, c.ID}
}

// next is the cursor of the page after the row at p.
func (k *keyset) next(p position) string {
	c := cursor{Sort: k.order.name, Order: strings.ToLower(k.order.direction()), ID: p.id, Query: k.query}
	if p.value.Valid {
		c.Value = &p.value.String
	}
	return c.encode()
}

// CursorParams reads a QueryRequest as QueryParams does, for a Query that
// pages by cursor too (QueryAfter): a cursor says where the page starts, so
// a request with a cursor that names a page number as well is refused.
func CursorParams(req *altalunev1.QueryRequest, cursor string) (*query.QueryParams, error) {
	if cursor != "" && req.GetPagination().GetPage() != 0 {
		return nil, errPageAndCursor()
	}
	return QueryParams(req), nil
}

func errPageAndCursor() error {
	return invalidQuery("a cursor and a page number cannot be given together; " +
		"leave the page unset to read the page after the cursor")
}

// offer says which keys a list accepts.
func offer[V any](verb string, keys map[string]V) string {
	if len(keys) == 0 {
		return "this list offers none to " + verb
	}
	return verb + " one of " + strings.Join(slices.Sorted(maps.Keys(keys)), ", ")
}

func resolve(key string, aliases map[string]string) string {
	if name, ok := aliases[key]; ok {
		return name
	}
	return key
}

// catalog lists, for each filter, the values a client can filter on: every
// value of an enum or a boolean, and the values a column of another type
// holds (at most MaxFilterValues of them, in the column's order). When
// count is set, it also counts count's rows.
//
// Values known without the table cost no statement: an enum's, and a
// boolean's two. The others come in one statement for every column (and
// the count), one JSON array per column. How a column's values are read
// depends on its index:
//
//   - Indexed: the index is walked from value to value, each step one
//     descent to the first key above the previous value (a loose index
//     scan): at most MaxFilterValues descents, whatever the number of rows.
//     A text column is walked on LOWER(column), its index's key, so the
//     catalog lists each value once ignoring case (spelled as one of its
//     rows spells it), as a filter compares it.
//   - otherwise: the rows of the partition are grouped by the column and
//     the first MaxFilterValues groups kept, which reads every row (or
//     every entry of an index on the column) on every call.
func (s *QuerySpec) catalog(ctx context.Context, db postgres.DB, scope []any, count *countQuery) (map[string][]string, error) {
	catalog := make(map[string][]string, len(s.Filters))
	var read []string
	var columns []string
	for _, key := range slices.Sorted(maps.Keys(s.Filters)) {
		filter := s.Filters[key]
		switch {
		case filter.Values != nil:
			catalog[key] = slices.Clone(filter.Values)
		case filter.Bool:
			catalog[key] = []string{"false", "true"}
		default:
			read = append(read, key)
			columns = append(columns, s.values(filter))
		}
	}
	args := scope
	what := "filter values of " + s.Table
	if count != nil {
		columns = append([]string{"(SELECT COUNT(*) FROM " + s.Table + count.where + ")"}, columns...)
		args = count.args
		what = "count " + s.Table
		if len(read) > 0 {
			what = "count and filter values of " + s.Table
		}
	}
	if len(columns) == 0 {
		return catalog, nil
	}
	lists := make([]string, len(read))
	dest := make([]any, 0, len(columns))
	if count != nil {
		dest = append(dest, count.total)
	}
	for i := range lists {
		dest = append(dest, &lists[i])
	}
	if err := db.QueryRowContext(ctx, "SELECT "+strings.Join(columns, ", "), args...).Scan(dest...); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	for i, key := range read {
		values := []string{}
		if err := json.Unmarshal([]byte(lists[i]), &values); err != nil {
			return nil, fmt.Errorf("filter values of %s.%s: %w", s.Table, s.Filters[key].Column, err)
		}
		catalog[key] = values
	}
	return catalog, nil
}

// values is the subquery that answers the catalog of one filter as a JSON
// array of text.
func (s *QuerySpec) values(filter Filter) string {
	column := filter.Column
	scope := ""
	if s.Scope != "" {
		scope = s.Scope + " AND "
	}
	if filter.Array {
		// The distinct elements, from every row of the scope (a GIN index
		// does not serve an ordered walk).
		return fmt.Sprintf("(SELECT COALESCE(json_agg(v ORDER BY v), '[]')::TEXT FROM "+
			"(SELECT DISTINCT e AS v FROM %s CROSS JOIN LATERAL unnest(%s) AS e WHERE %se IS NOT NULL ORDER BY v LIMIT %d) AS c)",
			s.Table, column, scope, MaxFilterValues)
	}
	if !filter.Indexed {
		// Grouped by the column itself, so that numbers and times sort as
		// such.
		return fmt.Sprintf("(SELECT COALESCE(json_agg(v ORDER BY k), '[]')::TEXT FROM "+
			"(SELECT %s AS k, %s::TEXT AS v FROM %s WHERE %s%s IS NOT NULL GROUP BY %s ORDER BY %s LIMIT %d) AS c)",
			column, column, s.Table, scope, column, column, column, MaxFilterValues)
	}
	key := column
	if filter.Text {
		key = "LOWER(" + column + ")"
	}
	// walk(k, v, n): the n-th key of the index and a value of the column
	// under it. Each step is one descent of the index to the first key
	// above the previous one.
	return fmt.Sprintf("(WITH RECURSIVE walk(k, v, n) AS ("+
		"(SELECT %[1]s AS k, %[2]s::TEXT AS v, 1 FROM %[3]s WHERE %[4]s%[2]s IS NOT NULL ORDER BY %[1]s LIMIT 1)"+
		" UNION ALL SELECT next.k, next.v, walk.n + 1 FROM walk, LATERAL "+
		"(SELECT %[1]s AS k, %[2]s::TEXT AS v FROM %[3]s WHERE %[4]s%[1]s > walk.k ORDER BY %[1]s LIMIT 1) AS next"+
		" WHERE walk.n < %[5]d)"+
		" SELECT COALESCE(json_agg(v ORDER BY n), '[]')::TEXT FROM walk)",
		key, column, s.Table, scope, MaxFilterValues)
}

// pageOf is the page (from 1) and size a pagination request asks for,
// within bounds.
func pageOf(p query.PaginationParams) (page, size int64) {
	page, size = int64(p.Page), int64(p.PageSize)
	if page < 1 {
		page = 1
	}
	if size < 1 {
		size = DefaultPageSize
	}
	return page, min(size, MaxPageSize)
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// escapeLike makes every character of s match itself in a LIKE pattern.
func escapeLike(s string) string {
	return likeEscaper.Replace(s)
}

// clampInt32 is n as an int32, saturating instead of wrapping.
func clampInt32(n int64) int32 {
	return int32(min(n, math.MaxInt32))
}
