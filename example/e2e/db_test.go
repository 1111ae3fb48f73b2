//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Tables of the example module.
const (
	projectsTable   = "altalune_projects"
	employeesTable  = "altalune_example_employees"
	ticketsTable    = "altalune_example_tickets"
	currenciesTable = "altalune_currencies"
	apiKeysTable    = "altalune_api_keys"
	rolesTable      = "altalune_roles"
	nodesTable      = "altalune_chatbot_nodes"
	settingsTable   = "altalune_project_settings"
	commentsTable   = "altalune_example_ticket_comments"
)

// partitionedTables are partitioned by project_id.
var partitionedTables = []string{employeesTable, ticketsTable, apiKeysTable}

const dbTimeout = 15 * time.Second

// database is one connection to the server's database, shared by the tests
// (a pgx.Conn is not safe for concurrent use, hence the mutex).
type database struct {
	mu   sync.Mutex
	conn *pgx.Conn
}

func openDatabase(ctx context.Context, url string) (*database, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	return &database{conn: conn}, nil
}

func (d *database) close() {
	ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
	defer cancel()
	_ = d.conn.Close(ctx)
}

// dbScan runs a query returning one row and scans it into dest.
func dbScan(t *testing.T, sql string, args []any, dest ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), dbTimeout)
	defer cancel()
	testDB.mu.Lock()
	defer testDB.mu.Unlock()
	if err := testDB.conn.QueryRow(ctx, sql, args...).Scan(dest...); err != nil {
		t.Fatalf("SQL %q %v: %v", sql, args, err)
	}
}

// dbExec runs a statement.
func dbExec(t *testing.T, sql string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), dbTimeout)
	defer cancel()
	testDB.mu.Lock()
	defer testDB.mu.Unlock()
	if _, err := testDB.conn.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("SQL %q %v: %v", sql, args, err)
	}
}

// dbStrings runs a query returning one text column.
func dbStrings(t *testing.T, sql string, args ...any) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), dbTimeout)
	defer cancel()
	testDB.mu.Lock()
	defer testDB.mu.Unlock()
	rows, err := testDB.conn.Query(ctx, sql, args...)
	if err != nil {
		t.Fatalf("SQL %q %v: %v", sql, args, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("SQL %q %v: %v", sql, args, err)
	}
	return out
}

// dbCount runs a SELECT count(*) ... query.
func dbCount(t *testing.T, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	dbScan(t, sql, args, &n)
	return n
}

// countRows counts every row of a table (all partitions).
func countRows(t *testing.T, table string) int64 {
	t.Helper()
	return dbCount(t, "SELECT count(*) FROM "+pgx.Identifier{table}.Sanitize())
}

// requireRowCount checks the number of rows of a table.
func requireRowCount(t *testing.T, table string, want int64) {
	t.Helper()
	if got := countRows(t, table); got != want {
		t.Fatalf("table %s has %d rows, want %d", table, got, want)
	}
}

// projectInternalID looks up the internal BIGINT ID of a project.
func projectInternalID(t *testing.T, publicID string) int64 {
	t.Helper()
	var id int64
	dbScan(t, "SELECT id FROM altalune_projects WHERE public_id = $1", []any{publicID}, &id)
	return id
}

// partitionName is the partition of table for a project.
func partitionName(table string, projectID int64) string {
	return fmt.Sprintf("%s_p%d", table, projectID)
}

// partitionsOf lists the partitions attached to a table.
func partitionsOf(t *testing.T, table string) []string {
	t.Helper()
	return dbStrings(t, `
		SELECT c.relname::text
		FROM pg_inherits i
		JOIN pg_class c ON c.oid = i.inhrelid
		JOIN pg_class p ON p.oid = i.inhparent
		WHERE p.relname = $1 AND p.relnamespace = 'public'::regnamespace
		ORDER BY 1`, table)
}

// relkind returns pg_class.relkind of a public table ("r" plain, "p"
// partitioned), or "" when it does not exist.
func relkind(t *testing.T, table string) string {
	t.Helper()
	kinds := dbStrings(t, `SELECT relkind::text FROM pg_class WHERE relname = $1 AND relnamespace = 'public'::regnamespace`, table)
	if len(kinds) == 0 {
		return ""
	}
	return kinds[0]
}

// columnsOf lists the columns of a public table.
func columnsOf(t *testing.T, table string) []string {
	t.Helper()
	return dbStrings(t, `
		SELECT column_name::text FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`, table)
}

// rowPartition is the partition a row with the given public ID lives in.
func rowPartition(t *testing.T, table, publicID string) string {
	t.Helper()
	var rel string
	dbScan(t, "SELECT tableoid::regclass::text FROM "+pgx.Identifier{table}.Sanitize()+" WHERE public_id = $1",
		[]any{publicID}, &rel)
	return rel
}

// requireTableIntact checks that a table still exists and has want rows.
func requireTableIntact(t *testing.T, table string, want int64) {
	t.Helper()
	if relkind(t, table) == "" {
		t.Fatalf("table %s no longer exists", table)
	}
	requireRowCount(t, table, want)
}

// plannedRelations runs EXPLAIN (FORMAT JSON) on a query and returns the
// relations the plan scans.
func plannedRelations(t *testing.T, query string) []string {
	t.Helper()
	var raw []byte
	dbScan(t, "EXPLAIN (FORMAT JSON) "+query, nil, &raw)
	var plans []struct {
		Plan map[string]any `json:"Plan"`
	}
	if err := json.Unmarshal(raw, &plans); err != nil {
		t.Fatalf("parse EXPLAIN output %s: %v", raw, err)
	}
	seen := map[string]bool{}
	var walk func(node map[string]any)
	walk = func(node map[string]any) {
		if rel, ok := node["Relation Name"].(string); ok {
			seen[rel] = true
		}
		if kids, ok := node["Plans"].([]any); ok {
			for _, k := range kids {
				if m, ok := k.(map[string]any); ok {
					walk(m)
				}
			}
		}
	}
	for _, p := range plans {
		walk(p.Plan)
	}
	out := make([]string, 0, len(seen))
	for rel := range seen {
		out = append(out, rel)
	}
	slices.Sort(out)
	return out
}
