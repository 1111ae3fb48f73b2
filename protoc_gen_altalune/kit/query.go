// Package domainkit holds the helpers every generated domain shares: the query
// builder, the mapping of unique violations, conversions, request checks,
// access rules and the Connect and gRPC adapters.
//
// protoc-gen-altalune writes it into the target as it is, its imports of
// the target's own packages pointed where the plugin's parameters say they
// are.
package domainkit

import (
	"context"
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
func Query[R, T any](ctx context.Context, db postgres.DB, spec *QuerySpec, params *query.QueryParams, scan func(Row) (*R, error), convert func(*R) *T, scope ...any) (*query.QueryResult[T], error) {
	if params == nil {
		params = &query.QueryParams{}
	}
	where, args, err := spec.where(params, scope)
	if err != nil {
		return nil, err
	}
	orderBy, err := spec.orderBy(params.Sorting)
	if err != nil {
		return nil, err
	}
	var total int64
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+spec.Table+where, args...).Scan(&total); err != nil {
		return nil, fmt.Errorf("count %s: %w", spec.Table, err)
	}
	page, size := pageOf(params.Pagination)
	args = append(args, size, (page-1)*size)
	stmt := fmt.Sprintf("SELECT %s FROM %s%s ORDER BY %s LIMIT $%d OFFSET $%d",
		spec.Columns, spec.Table, where, orderBy, len(args)-1, len(args))
	rows, err := db.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", spec.Table, err)
	}
	defer rows.Close()
	data := make([]*T, 0, size)
	for rows.Next() {
		row, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", spec.Table, err)
		}
		data = append(data, convert(row))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query %s: %w", spec.Table, err)
	}
	filters, err := spec.catalog(ctx, db, scope)
	if err != nil {
		return nil, err
	}
	return &query.QueryResult[T]{
		Data:       data,
		TotalRows:  clampInt32(total),
		TotalPages: clampInt32((total + size - 1) / size),
		Filters:    filters,
	}, nil
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
	key, order := s.DefaultSort, s.DefaultOrder
	if sorting != nil {
		key, order = resolve(sorting.Field, s.SortAliases), sorting.Order
		if _, ok := s.Sorts[key]; !ok {
			return "", invalidQuery("unknown sort field %q; %s", sorting.Field, offer("sort by", s.Sorts))
		}
	}
	direction := "ASC"
	if order == query.SortOrderDesc {
		direction = "DESC"
	}
	return s.Sorts[key] + " " + direction + ", id " + direction, nil
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
// holds (at most MaxFilterValues of them).
func (s *QuerySpec) catalog(ctx context.Context, db postgres.DB, scope []any) (map[string][]string, error) {
	catalog := make(map[string][]string, len(s.Filters))
	for _, key := range slices.Sorted(maps.Keys(s.Filters)) {
		filter := s.Filters[key]
		// Values known without the table cost no statement: an enum's, and
		// a boolean's two.
		if filter.Values != nil {
			catalog[key] = slices.Clone(filter.Values)
			continue
		}
		if filter.Bool {
			catalog[key] = []string{"false", "true"}
			continue
		}
		values, err := s.distinct(ctx, db, filter.Column, scope)
		if err != nil {
			return nil, err
		}
		catalog[key] = values
	}
	return catalog, nil
}

func (s *QuerySpec) distinct(ctx context.Context, db postgres.DB, column string, scope []any) ([]string, error) {
	where := " WHERE " + column + " IS NOT NULL"
	if s.Scope != "" {
		where += " AND " + s.Scope
	}
	// Grouped by the column itself, so that numbers and times sort as such.
	stmt := fmt.Sprintf("SELECT %s::TEXT FROM %s%s GROUP BY %s ORDER BY %s LIMIT %d",
		column, s.Table, where, column, column, MaxFilterValues)
	rows, err := db.QueryContext(ctx, stmt, scope...)
	if err != nil {
		return nil, fmt.Errorf("filter values of %s.%s: %w", s.Table, column, err)
	}
	defer rows.Close()
	values := []string{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("filter values of %s.%s: %w", s.Table, column, err)
		}
		values = append(values, v)
	}
	return values, rows.Err()
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
