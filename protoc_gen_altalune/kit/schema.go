package domainkit

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/hrz8/altalune/internal/postgres"
)

// Table is the table a generated repository assumes: every column, check
// and index its statements rely on, written as its create migration writes
// them.
type Table struct {
	// Name is the table's name, as the repository's statements write it
	// (resolved through the connection's search_path).
	Name string
	// Partitioned is set for a table partitioned by LIST (project_id).
	Partitioned bool
	// PrimaryKey lists the primary key's columns: "project_id, id".
	PrimaryKey string
	Columns    []Column
	Indexes    []Index
}

// Column is one column of a Table.
type Column struct {
	Name string
	// Definition is the column's type, nullability and default, as in
	// CREATE TABLE: "VARCHAR(20) NOT NULL DEFAULT 'active'".
	Definition string
	// Check is the CHECK of an enum column, "status IN ('active', 'leave')";
	// empty for other columns.
	Check string
}

// Index is one index of a Table. The repository maps unique violations to
// domain errors by the names of unique indexes, so names matter.
type Index struct {
	Name   string
	Unique bool
	// Key lists the key columns and expressions: "project_id, LOWER(email)".
	Key string
	// Method is the index's access method when it is not a b-tree: "GIN"
	// for the index of an array column.
	Method string
}

// Difference is one way a live table differs from what the generated
// repository assumes, and the SQL (or action) that removes it.
type Difference struct {
	Table   string
	Problem string
	Fix     string
	// SQL is set when Fix is SQL to run as it is; otherwise Fix describes
	// what to do.
	SQL bool
}

// String is the difference on one line.
func (d Difference) String() string {
	return d.Table + ": " + d.Problem + "; fix: " + d.Fix
}

// expectedTable is the name of the temporary table CheckSchema builds from
// a Table's definitions, so that PostgreSQL normalises both sides alike.
const expectedTable = "altalune_schema_check_expected"

// CheckSchema compares each live table with the Table the generated
// repository assumes and answers every difference: a missing table or
// column, another type, nullability, default or enum CHECK, a missing
// unique or plain index (or the same index under another name), an index
// of that name with another definition, another primary key or
// partitioning, a project whose rows no partition holds, a unique index the
// repository does not map, and a NOT NULL column without default that the
// generated INSERT does not write.
//
// PostgreSQL describes both sides: for each Table, inside a transaction
// that is always rolled back, the expected definitions are created as a
// temporary table and its catalog entries (format_type, pg_get_expr,
// pg_get_constraintdef, pg_get_indexdef) are compared with the live
// table's. Nothing is written; the role needs the TEMP privilege. The
// differences come in the order of tables, then of the definitions.
func CheckSchema(ctx context.Context, db postgres.DB, tables ...Table) ([]Difference, error) {
	var diffs []Difference
	for _, t := range tables {
		want, live, err := describe(ctx, db.GetDB(), t)
		if err != nil {
			return nil, fmt.Errorf("schema check of %s: %w", t.Name, err)
		}
		diffs = append(diffs, compareTable(t, want, live)...)
	}
	return diffs, nil
}

// describe answers the catalog facts of t's expected definitions and of
// the live table (nil when there is none).
func describe(ctx context.Context, db *sql.DB, t Table) (want, live *tableFacts, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = tx.Rollback() }()
	for _, stmt := range expectedDDL(t) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			if strings.HasSuffix(stmt, " "+trigramOpclass+")") {
				return nil, nil, fmt.Errorf("the expected definitions: %w (a trigram index needs the pg_trgm "+
					"extension in the database: CREATE EXTENSION pg_trgm)", err)
			}
			return nil, nil, fmt.Errorf("the expected definitions: %w", err)
		}
	}
	if want, err = readFacts(ctx, tx, "pg_temp."+expectedTable); err != nil {
		return nil, nil, err
	}
	if live, err = readFacts(ctx, tx, t.Name); err != nil || live == nil || live.partitionKey != listByProject {
		return want, live, err
	}
	err = scanRows(ctx, tx, qUnpartitioned, []any{t.Name}, func(rows *sql.Rows) error {
		var id int64
		err := rows.Scan(&id)
		live.unpartitioned = append(live.unpartitioned, id)
		return err
	})
	return want, live, err
}

// expectedDDL creates t's definitions as a temporary table.
func expectedDDL(t Table) []string {
	defs := make([]string, 0, len(t.Columns)+1)
	for _, c := range t.Columns {
		def := c.Name + " " + c.Definition
		if c.Check != "" {
			def += " CHECK (" + c.Check + ")"
		}
		defs = append(defs, def)
	}
	defs = append(defs, "PRIMARY KEY ("+t.PrimaryKey+")")
	stmts := []string{"CREATE TEMP TABLE " + expectedTable + " (" + strings.Join(defs, ", ") + ") ON COMMIT DROP"}
	for _, i := range t.Indexes {
		stmts = append(stmts, createIndex(i, expectedTable))
	}
	return stmts
}

func createIndex(i Index, table string) string {
	unique := ""
	if i.Unique {
		unique = "UNIQUE "
	}
	using := ""
	if i.Method != "" {
		using = "USING " + i.Method + " "
	}
	return "CREATE " + unique + "INDEX " + i.Name + " ON " + table + " " + using + "(" + i.Key + ")"
}

// trigramOpclass is the operator class of a trigram index (search_index),
// which the pg_trgm extension provides.
const trigramOpclass = "gin_trgm_ops"

// listByProject is the partitioning the repository of a partitioned entity
// assumes, as pg_get_partkeydef writes it.
const listByProject = "LIST (project_id)"

// tableFacts is what the catalog says of a table.
type tableFacts struct {
	partitionKey string // "LIST (project_id)"; empty when not partitioned
	columns      []columnFacts
	checks       []checkFacts
	indexes      []indexFacts
	// unpartitioned lists the projects that no partition of a table
	// partitioned by project holds (nor a DEFAULT partition).
	unpartitioned []int64
}

type columnFacts struct {
	name     string
	typ      string // format_type: character varying(20)
	notNull  bool
	identity bool
	dflt     string // pg_get_expr of the default; empty when none
}

// checkFacts is a CHECK constraint on one column.
type checkFacts struct {
	name   string
	column string
	def    string // pg_get_constraintdef: CHECK (...)
}

type indexFacts struct {
	name       string
	unique     bool
	primary    bool
	valid      bool
	constraint bool   // the index of a UNIQUE (or EXCLUDE) constraint of the same name
	def        string // pg_get_indexdef from USING on: USING btree (project_id, lower((email)::text))
}

// drop is the statement that drops the index of table.
func (i *indexFacts) drop(table string) string {
	if i.constraint {
		return "ALTER TABLE " + table + " DROP CONSTRAINT " + i.name
	}
	return "DROP INDEX " + i.name
}

const (
	qTable = `SELECT to_regclass($1) IS NOT NULL, COALESCE(pg_get_partkeydef(to_regclass($1)), '')`
	// Columns in their order, with type, nullability, identity and default.
	qColumns = `
SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity <> '',
	COALESCE(pg_get_expr(d.adbin, d.adrelid), '')
FROM pg_attribute a
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`
	// CHECK constraints on one column.
	qChecks = `
SELECT c.conname, a.attname, pg_get_constraintdef(c.oid)
FROM pg_constraint c
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
WHERE c.conrelid = $1::regclass AND c.contype = 'c' AND cardinality(c.conkey) = 1
ORDER BY a.attnum, c.conname`
	// Indexes by name, their definitions from USING on (the part that does
	// not name the index or the table).
	qIndexes = `
SELECT i.relname, x.indisunique, x.indisprimary, x.indisvalid,
	EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = x.indrelid AND c.conindid = x.indexrelid AND c.contype IN ('u', 'x')),
	substr(pg_get_indexdef(x.indexrelid), strpos(pg_get_indexdef(x.indexrelid), ' USING ') + 1)
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
WHERE x.indrelid = $1::regclass
ORDER BY i.relname`
)

// qUnpartitioned lists the projects that no partition of the table holds:
// where a project's rows go, when the project was created before the table
// or by other means than the project service, which makes partitions.
const qUnpartitioned = `
SELECT p.id
FROM altalune_projects p
WHERE NOT EXISTS (
	SELECT 1
	FROM pg_inherits i
	JOIN pg_class c ON c.oid = i.inhrelid
	WHERE i.inhparent = $1::regclass AND (
		pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'
		OR quote_literal(p.id) = ANY (string_to_array(
			substring(pg_get_expr(c.relpartbound, c.oid) FROM '^FOR VALUES IN \((.*)\)$'), ', '))))
ORDER BY p.id`

// queryer is a transaction, or anything else that queries like one.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// readFacts reads the catalog facts of the table name resolves to; nil when
// there is no such table.
func readFacts(ctx context.Context, q queryer, name string) (*tableFacts, error) {
	var exists bool
	f := &tableFacts{}
	if err := scanRows(ctx, q, qTable, []any{name}, func(rows *sql.Rows) error {
		return rows.Scan(&exists, &f.partitionKey)
	}); err != nil || !exists {
		return nil, err
	}
	if err := scanRows(ctx, q, qColumns, []any{name}, func(rows *sql.Rows) error {
		var c columnFacts
		err := rows.Scan(&c.name, &c.typ, &c.notNull, &c.identity, &c.dflt)
		f.columns = append(f.columns, c)
		return err
	}); err != nil {
		return nil, err
	}
	if err := scanRows(ctx, q, qChecks, []any{name}, func(rows *sql.Rows) error {
		var c checkFacts
		err := rows.Scan(&c.name, &c.column, &c.def)
		f.checks = append(f.checks, c)
		return err
	}); err != nil {
		return nil, err
	}
	if err := scanRows(ctx, q, qIndexes, []any{name}, func(rows *sql.Rows) error {
		var i indexFacts
		err := rows.Scan(&i.name, &i.unique, &i.primary, &i.valid, &i.constraint, &i.def)
		f.indexes = append(f.indexes, i)
		return err
	}); err != nil {
		return nil, err
	}
	return f, nil
}

// scanRows runs query and calls scan on each row.
func scanRows(ctx context.Context, q queryer, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (f *tableFacts) column(name string) *columnFacts {
	for i := range f.columns {
		if f.columns[i].name == name {
			return &f.columns[i]
		}
	}
	return nil
}

func (f *tableFacts) index(name string) *indexFacts {
	for i := range f.indexes {
		if f.indexes[i].name == name {
			return &f.indexes[i]
		}
	}
	return nil
}

func (f *tableFacts) primaryKey() *indexFacts {
	for i := range f.indexes {
		if f.indexes[i].primary {
			return &f.indexes[i]
		}
	}
	return nil
}

// checksOn answers the CHECK constraints on the column.
func (f *tableFacts) checksOn(column string) []checkFacts {
	var checks []checkFacts
	for _, c := range f.checks {
		if c.column == column {
			checks = append(checks, c)
		}
	}
	return checks
}

// compareTable answers the differences of the live table (nil when there is
// none) from t, whose expected definitions PostgreSQL described as want.
func compareTable(t Table, want, live *tableFacts) []Difference {
	d := &differ{table: t.Name}
	if live == nil {
		d.action("the table does not exist", "apply its create migration")
		return d.diffs
	}

	wantKey := ""
	if t.Partitioned {
		wantKey = listByProject
	}
	switch {
	case live.partitionKey == wantKey:
	case wantKey == "":
		d.action("the table is partitioned by "+live.partitionKey+", the repository expects a table that is not partitioned",
			"recreate it unpartitioned under another name, copy the rows, swap the names")
	case live.partitionKey == "":
		d.action("the table is not partitioned, the repository expects PARTITION BY "+wantKey,
			"recreate it PARTITION BY %s under another name with a partition per project, copy the rows, swap the names", wantKey)
	default:
		d.action("the table is partitioned by "+live.partitionKey+", the repository expects "+wantKey,
			"recreate it PARTITION BY %s under another name with a partition per project, copy the rows, swap the names", wantKey)
	}

	if len(live.unpartitioned) > 0 {
		ids := make([]string, len(live.unpartitioned))
		creates := make([]string, len(live.unpartitioned))
		for i, id := range live.unpartitioned {
			ids[i] = fmt.Sprint(id)
			creates[i] = fmt.Sprintf("CREATE TABLE %s_p%d PARTITION OF %[1]s FOR VALUES IN (%[2]d)", t.Name, id)
		}
		projects := "project "
		if len(ids) > 1 {
			projects = "projects "
		}
		d.sql("no partition holds the rows of "+projects+strings.Join(ids, ", ")+" (every write to them fails)",
			"%s", strings.Join(creates, "; "))
	}

	for _, c := range t.Columns {
		d.diffs = append(d.diffs, compareColumn(t, c, want.column(c.Name), want, live)...)
	}
	for _, c := range live.columns {
		if want.column(c.name) == nil && c.notNull && c.dflt == "" && !c.identity {
			d.sql(fmt.Sprintf("column %s is NOT NULL without a default and the generated INSERT does not write it (every create fails)", c.name),
				"ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL",
				t.Name, c.name)
		}
	}

	wantPK, livePK := want.primaryKey(), live.primaryKey()
	switch {
	case livePK == nil:
		d.sql("the table has no primary key, the repository expects PRIMARY KEY ("+t.PrimaryKey+")",
			"ALTER TABLE %s ADD PRIMARY KEY (%s)", t.Name, t.PrimaryKey)
	case livePK.def != wantPK.def:
		d.sql(fmt.Sprintf("primary key %s is %s, the repository expects %s", livePK.name, shown(livePK.def), shown(wantPK.def)),
			"ALTER TABLE %s DROP CONSTRAINT %s, ADD PRIMARY KEY (%s)", t.Name, livePK.name, t.PrimaryKey)
	}

	// A live index is matched by its name, else by its definition (one
	// index under another name), and each matches one expected index.
	matched := map[string]bool{}
	for _, i := range t.Indexes {
		matched[i.Name] = live.index(i.Name) != nil
	}
	for _, i := range t.Indexes {
		w := want.index(i.Name)
		kind := "index"
		if i.Unique {
			kind = "unique index"
		}
		l := live.index(i.Name)
		if l != nil {
			if l.def != w.def || l.unique != w.unique {
				what := shown(l.def)
				if l.unique && !i.Unique {
					what = "unique, " + what
				} else if !l.unique && i.Unique {
					what = "not unique, " + what
				}
				d.sql(fmt.Sprintf("%s %s is %s, the repository expects %s", kind, i.Name, what, shown(w.def)),
					"%s; %s", l.drop(t.Name), createIndex(i, t.Name))
			} else if !l.valid {
				d.sql(fmt.Sprintf("%s %s is not valid (a build that failed, or a partition whose index is not attached): not every row is in it", kind, i.Name),
					"%s; %s", l.drop(t.Name), createIndex(i, t.Name))
			}
			continue
		}
		if other := renamed(live, w, matched); other != nil {
			matched[other.name] = true
			d.sql(fmt.Sprintf("%s %s is named %s", kind, i.Name, other.name),
				"ALTER INDEX %s RENAME TO %s", other.name, i.Name)
			continue
		}
		d.sql(fmt.Sprintf("%s %s %s is missing", kind, i.Name, shown(w.def)), "%s", createIndex(i, t.Name))
	}
	for _, l := range live.indexes {
		if l.unique && !l.primary && !matched[l.name] {
			d.action(fmt.Sprintf("unique index %s %s is not one the repository maps: its violations are answered as internal errors, not already-exists", l.name, shown(l.def)),
				"%s, or declare its field unique", l.drop(t.Name))
		}
	}
	return d.diffs
}

// differ collects the differences of one table.
type differ struct {
	table string
	diffs []Difference
}

// sql adds a difference whose fix is SQL.
func (d *differ) sql(problem, format string, args ...any) {
	d.diffs = append(d.diffs, Difference{Table: d.table, Problem: problem, Fix: fmt.Sprintf(format, args...), SQL: true})
}

// action adds a difference whose fix is an action to take.
func (d *differ) action(problem, format string, args ...any) {
	d.diffs = append(d.diffs, Difference{Table: d.table, Problem: problem, Fix: fmt.Sprintf(format, args...)})
}

// shown is an index definition as a difference shows it: the key alone for
// the default method, btree.
func shown(def string) string {
	return strings.TrimPrefix(def, "USING btree ")
}

// renamed answers the live index, not matched yet, that has w's definition
// under another name; nil when there is none.
func renamed(live *tableFacts, w *indexFacts, matched map[string]bool) *indexFacts {
	i := slices.IndexFunc(live.indexes, func(l indexFacts) bool {
		return !matched[l.name] && !l.primary && l.unique == w.unique && l.def == w.def
	})
	if i < 0 {
		return nil
	}
	return &live.indexes[i]
}

// compareColumn answers the differences of column c of the live table from
// its expected definition, which PostgreSQL described as w.
func compareColumn(t Table, c Column, w *columnFacts, want, live *tableFacts) []Difference {
	d := &differ{table: t.Name}
	l := live.column(c.Name)
	if l == nil {
		fix := fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", t.Name, c.Name, c.Definition)
		if c.Check != "" {
			fix += " CHECK (" + c.Check + ")"
		}
		d.sql(fmt.Sprintf("column %s is missing", c.Name), "%s", fix)
		return d.diffs
	}
	if l.typ != w.typ {
		d.sql(fmt.Sprintf("column %s is %s, the repository expects %s", c.Name, l.typ, w.typ),
			"ALTER TABLE %s ALTER COLUMN %s TYPE %s", t.Name, c.Name, w.typ)
	}
	if w.identity {
		// Any way of numbering rows serves: the INSERT never writes the column.
		if !l.identity && l.dflt == "" {
			d.action(fmt.Sprintf("column %s has neither an identity nor a default, the repository expects GENERATED BY DEFAULT AS IDENTITY", c.Name),
				"ALTER TABLE %s ALTER COLUMN %s ADD GENERATED BY DEFAULT AS IDENTITY (START WITH <max(%[2]s) + 1>)", t.Name, c.Name)
		}
	} else {
		switch {
		case l.notNull && !w.notNull:
			d.sql(fmt.Sprintf("column %s is NOT NULL, the repository expects it nullable (writing NULL fails)", c.Name),
				"ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL", t.Name, c.Name)
		case !l.notNull && w.notNull && w.dflt != "":
			d.sql(fmt.Sprintf("column %s is nullable, the repository expects NOT NULL (reading NULL fails)", c.Name),
				"UPDATE %s SET %s = %s WHERE %[2]s IS NULL; ALTER TABLE %[1]s ALTER COLUMN %[2]s SET NOT NULL", t.Name, c.Name, w.dflt)
		case !l.notNull && w.notNull:
			d.action(fmt.Sprintf("column %s is nullable, the repository expects NOT NULL (reading NULL fails)", c.Name),
				"fill its NULLs, then ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", t.Name, c.Name)
		}
		switch {
		case l.dflt == w.dflt:
		case w.dflt == "":
			d.sql(fmt.Sprintf("column %s has DEFAULT %s, the repository expects none", c.Name, l.dflt),
				"ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", t.Name, c.Name)
		case l.dflt == "":
			d.sql(fmt.Sprintf("column %s has no default, the repository expects DEFAULT %s", c.Name, w.dflt),
				"ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", t.Name, c.Name, w.dflt)
		default:
			d.sql(fmt.Sprintf("column %s has DEFAULT %s, the repository expects DEFAULT %s", c.Name, l.dflt, w.dflt),
				"ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", t.Name, c.Name, w.dflt)
		}
	}
	if c.Check == "" {
		return d.diffs
	}
	wantCheck := want.checksOn(c.Name)[0]
	liveChecks := live.checksOn(c.Name)
	if slices.ContainsFunc(liveChecks, func(l checkFacts) bool { return l.def == wantCheck.def }) {
		return d.diffs
	}
	if len(liveChecks) == 0 {
		d.sql(fmt.Sprintf("column %s has no CHECK, the repository expects %s", c.Name, wantCheck.def),
			"ALTER TABLE %s ADD CHECK (%s)", t.Name, c.Check)
		return d.diffs
	}
	var defs, drops []string
	for _, l := range liveChecks {
		defs = append(defs, l.name+" "+l.def)
		drops = append(drops, "DROP CONSTRAINT "+l.name)
	}
	d.sql(fmt.Sprintf("column %s has %s, the repository expects %s", c.Name, strings.Join(defs, " and "), wantCheck.def),
		"ALTER TABLE %s %s, ADD CHECK (%s)", t.Name, strings.Join(drops, ", "), c.Check)
	return d.diffs
}
