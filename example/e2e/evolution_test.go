//go:build e2e

package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	migrations "github.com/hrz8/altalune/database"
	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

// The ticket table evolves across three deployed versions: the table, then
// category, external_ref and the on_hold state, then a unique external_ref
// and no estimate_minutes.
const (
	ticketsCreated int64 = 20240101000030
	ticketsV2      int64 = 20240201000000
	ticketsV3      int64 = 20240301000000
)

// tableShape lists a table's columns, constraints and indexes as PostgreSQL
// describes them, one line each, sorted: equal shapes mean equal tables.
func tableShape(t *testing.T, db *sql.DB, table string) []string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), `
		SELECT 'column ' || column_name || ' ' || data_type || coalesce('(' || character_maximum_length || ')', '')
		       || ' nullable=' || is_nullable || ' default=' || coalesce(column_default, '-')
		  FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1
		UNION ALL
		SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid)
		  FROM pg_constraint WHERE conrelid = $1::regclass
		UNION ALL
		SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = $1`,
		table)
	if err != nil {
		t.Fatalf("shape of %s: %v", table, err)
	}
	defer rows.Close()
	var shape []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		shape = append(shape, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(shape)
	return shape
}

func requireShape(t *testing.T, got, want []string, what string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s: table differs\n got: %s\nwant: %s", what, strings.Join(got, "\n      "), strings.Join(want, "\n      "))
	}
}

func sqlExec(t *testing.T, db *sql.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(t.Context(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func queryString(t *testing.T, db *sql.DB, query string, args ...any) string {
	t.Helper()
	var s string
	if err := db.QueryRowContext(t.Context(), query, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return s
}

// TestTicketEvolution applies the ticket migrations release by release with
// goose over rows of the first release, and compares the result with the
// fresh install the other tests run against; then a server of the last
// release serves the old rows, and each Down undoes exactly its release.
func TestTicketEvolution(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	name := fmt.Sprintf("altalune_e2e_evolution_%d", time.Now().UnixNano())
	url, err := createDatabase(ctx, adminURL, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dropDatabase(context.Background(), adminURL, name) })
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	provider, err := migrations.NewProvider(db)
	if err != nil {
		t.Fatal(err)
	}
	upTo := func(version int64) {
		t.Helper()
		if _, err := provider.UpTo(ctx, version); err != nil {
			t.Fatalf("goose up to %d: %v", version, err)
		}
	}

	// Release 1: a project, its partitions, two tickets.
	upTo(ticketsCreated - 30) // the projects table
	projectID := fmt.Sprintf("evo%011d", time.Now().UnixNano()%1e11)
	sqlExec(t, db, `INSERT INTO altalune_projects (public_id, name) VALUES ($1, 'Evolution')`, projectID)
	upTo(ticketsCreated)
	sqlExec(t, db, `INSERT INTO altalune_example_tickets (public_id, project_id, reference, title, body, priority, estimate_minutes)
		SELECT v.id, p.id, v.ref, v.title, 'Body', v.priority, v.estimate
		  FROM altalune_projects p, (VALUES ('tkevolution001', 'EVO-1', 'Old one', 'high', 90),
		                                    ('tkevolution002', 'EVO-2', 'Old two', 'low', 5)) AS v(id, ref, title, priority, estimate)
		 WHERE p.public_id = $1`, projectID)
	v1Shape := tableShape(t, db, ticketsTable)

	upTo(ticketsV2)
	v2Shape := tableShape(t, db, ticketsTable)
	requireEqual(t, queryString(t, db, `SELECT string_agg(reference || ':' || category || ':' || (external_ref IS NULL)::text, ',' ORDER BY reference)
		FROM altalune_example_tickets`), "EVO-1::true,EVO-2::true", "v2: the added columns take their defaults")
	upTo(ticketsV3)
	requireEqual(t, queryString(t, db, `SELECT count(*)::text FROM information_schema.columns
		WHERE table_name = $1 AND column_name = 'estimate_minutes'`, ticketsTable), "0", "v3 drops estimate_minutes")

	fresh, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	requireShape(t, tableShape(t, db, ticketsTable), tableShape(t, fresh, ticketsTable), "release by release vs fresh install")

	t.Run("a server of the last release serves the old rows", func(t *testing.T) {
		srv, err := startServer(serverBin, url, jwksPath)
		if err != nil {
			t.Fatal(err)
		}
		defer srv.stop()
		api := newConnectAPI("http://"+srv.httpAddr+"/api", rootToken())
		res, err := api.Tickets.Get(ctxFor(t), &altalunev1.GetTicketRequest{ProjectId: projectID, TicketId: "tkevolution001"})
		requireOK(t, err, "GetTicket")
		tk := res.GetTicket()
		requireEqual(t, tk.GetReference(), "EVO-1", "reference")
		requireEqual(t, tk.GetPriority(), priorityHigh, "priority")
		requireEqual(t, tk.GetCategory(), "", "category")
		if tk.ExternalRef != nil || tk.GetEstimateMinutes() != 0 {
			t.Fatalf("external_ref %v, estimate_minutes %d; want unset, 0 (dropped)", tk.ExternalRef, tk.GetEstimateMinutes())
		}
		upd := ticketUpdateFrom(projectID, tk)
		upd.ExternalRef = ptr("EXT-EVO-1")
		_, err = api.Tickets.Update(ctxFor(t), upd)
		requireOK(t, err, "UpdateTicket")
		other := ticketUpdateFrom(projectID, tk)
		other.TicketId, other.Reference, other.ExternalRef = "tkevolution002", "EVO-2", ptr("ext-evo-1")
		_, err = api.Tickets.Update(ctxFor(t), other)
		requireAPIError(t, err, "UpdateTicket with a taken external_ref (in other case)", connect.CodeAlreadyExists, codeTicketExists, anyMeta)
	})

	// Down of v3 undoes v3 alone (estimate_minutes returns with its default),
	// Down of v2 undoes v2 alone; the other columns keep their values.
	downTo := func(version int64) {
		t.Helper()
		if _, err := provider.DownTo(ctx, version); err != nil {
			t.Fatalf("goose down to %d: %v", version, err)
		}
	}
	sqlExec(t, db, `UPDATE altalune_example_tickets SET external_ref = NULL`)
	downTo(ticketsV2) // also rolls back the later migrations of other tables
	requireShape(t, tableShape(t, db, ticketsTable), v2Shape, "after Down of v3")
	downTo(ticketsCreated)
	requireShape(t, tableShape(t, db, ticketsTable), v1Shape, "after Down of v2")
	requireEqual(t, queryString(t, db, `SELECT string_agg(reference || ':' || title || ':' || priority || ':' || estimate_minutes, ',' ORDER BY reference)
		FROM altalune_example_tickets`), "EVO-1:Old one:high:0,EVO-2:Old two:low:0", "rows after Down")
}
