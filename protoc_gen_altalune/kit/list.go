package domainkit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hrz8/altalune/internal/postgres"
)

// MaxListRows bounds what List answers: a list without paging is meant for
// short lists (a project's roles, its chatbot nodes), and one that grows
// beyond it fails loudly rather than answer a part of the rows or all of a
// huge table.
const MaxListRows = 1000

// ErrListTooLong is the error of a List that more than MaxListRows rows
// match.
var ErrListTooLong = errors.New("more rows than a list without paging answers; page through them with Query")

// List returns every row in scope (the values of spec.Scope) in the spec's
// default order, at most MaxListRows of them: with more, it answers
// ErrListTooLong. scan reads a row and convert makes the domain value of it.
func List[R, T any](ctx context.Context, db postgres.DB, spec *QuerySpec, scan func(Row) (*R, error), convert func(*R) *T, scope ...any) ([]*T, error) {
	orderBy, _ := spec.orderBy(nil) // the default sort is one of the spec's own
	where := ""
	if spec.Scope != "" {
		where = " WHERE " + spec.Scope
	}
	stmt := fmt.Sprintf("SELECT %s FROM %s%s ORDER BY %s LIMIT %d", spec.Columns, spec.Table, where, orderBy, MaxListRows+1)
	rows, err := db.QueryContext(ctx, stmt, scope...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", spec.Table, err)
	}
	defer rows.Close()
	data, err := collect(rows, rows, scan, convert, nil, "list", spec.Table)
	if err != nil {
		return nil, err
	}
	if len(data) > MaxListRows {
		return nil, fmt.Errorf("list %s: %w (%d at most)", spec.Table, ErrListTooLong, MaxListRows)
	}
	return data, nil
}

// collect appends to data every row rows holds, each read by scan from row
// (rows itself, or a Row over it) and made a domain value by convert. A
// failure names the statement: what (query, list) and table.
func collect[R, T any](rows *sql.Rows, row Row, scan func(Row) (*R, error), convert func(*R) *T, data []*T, what, table string) ([]*T, error) {
	for rows.Next() {
		r, err := scan(row)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", table, err)
		}
		data = append(data, convert(r))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, table, err)
	}
	return data, nil
}
