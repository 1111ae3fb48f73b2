package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/hrz8/altalune/internal/domain/employee"
	"github.com/hrz8/altalune/internal/shared/domainkit"
	"github.com/hrz8/altalune/internal/shared/query"
)

// catalogSpec is the generated employee list's spec (the same columns,
// scope, sorts and enum and boolean filters) with one more filter, on a
// text column whose values the catalog reads from the table: as the
// generator writes it today (grouped), or with Indexed set (walked on its
// index).
func catalogSpec(column string, indexed bool) *domainkit.QuerySpec {
	return &domainkit.QuerySpec{
		Table:        "altalune_example_employees",
		Columns:      baselineColumns,
		Scope:        "project_id = $1",
		DefaultSort:  "created_at",
		DefaultOrder: query.SortOrderDesc,
		Search:       []string{"name", "email", "employee_number", "phone"},
		Filters: map[string]domainkit.Filter{
			"roles":    {Column: "role", Values: domainkit.Strings(employee.EmployeeRoleValues)},
			"statuses": {Column: "status", Values: domainkit.Strings(employee.EmployeeStatusValues)},
			"remote":   {Column: "remote", Bool: true},
			column:     {Column: column, Text: true, Indexed: indexed},
		},
		Sorts: map[string]string{"created_at": "created_at"},
	}
}

// catalog measures page 1 of a list with a filter catalog read from the
// table, the two ways the kit reads it, on text columns with an index
// (project_id, LOWER(column)), as a filterable (or unique) text field gets
// from its migration: employee_number (unique: every row a value) and name
// (1024 values; its index is created here, the Employee proto does not
// make name filterable).
func (b *bench) catalog(ctx context.Context) error {
	t := time.Now()
	if _, err := b.db.db.ExecContext(ctx,
		"CREATE INDEX bench_employees_lower_name ON altalune_example_employees (project_id, LOWER(name))"); err != nil {
		return err
	}
	if _, err := b.db.db.ExecContext(ctx, "VACUUM ANALYZE altalune_example_employees"); err != nil {
		return err
	}
	built := time.Since(t)
	var rows []row
	for _, column := range []string{"employee_number", "name"} {
		grouped, walked := catalogSpec(column, false), catalogSpec(column, true)
		run := func(spec *domainkit.QuerySpec) func(context.Context) (*query.QueryResult[baselineEmployee], error) {
			return func(ctx context.Context) (*query.QueryResult[baselineEmployee], error) {
				return domainkit.Query(ctx, b.db, spec, params(1, 10), scanRow, func(e *baselineEmployee) *baselineEmployee { return e }, b.project)
			}
		}
		g, err := run(grouped)(ctx)
		if err != nil {
			return fmt.Errorf("catalog of %s, grouped: %w", column, err)
		}
		w, err := run(walked)(ctx)
		if err != nil {
			return fmt.Errorf("catalog of %s, walked: %w", column, err)
		}
		if !maps.EqualFunc(g.Filters, w.Filters, slices.Equal) || len(w.Filters[column]) != domainkit.MaxFilterValues || g.TotalRows != w.TotalRows {
			return fmt.Errorf("catalog of %s: grouped %v (%d rows) and walked %v (%d rows) differ",
				column, g.Filters[column], g.TotalRows, w.Filters[column], w.TotalRows)
		}
		r := row{name: "page 1, catalog of " + column}
		discard := func(f func(context.Context) (*query.QueryResult[baselineEmployee], error)) func(context.Context) error {
			return func(ctx context.Context) error { _, err := f(ctx); return err }
		}
		if err := b.alternate(ctx, discard(run(grouped)), discard(run(walked)), b.o.warmup, b.o.calls, &r); err != nil {
			return err
		}
		rows = append(rows, r)
	}
	if _, err := b.db.db.ExecContext(ctx, "DROP INDEX bench_employees_lower_name"); err != nil {
		return err
	}
	fmt.Printf("\nFilter catalog of a text column (the generated spec plus a filter on the column; index (project_id, LOWER(name)) built in %.0f ms);\n"+
		"grouped: as generated today; walked: with Filter.Indexed; ratio = walked / grouped\n\n", float64(built.Microseconds())/1000)
	printTable(rows, "grouped", "walked")
	return nil
}

func scanRow(r domainkit.Row) (*baselineEmployee, error) { return scanBaseline(r) }
