//go:build e2e

package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hrz8/altalune/internal/postgres"
	"github.com/hrz8/altalune/internal/shared/domainkit"
	"github.com/hrz8/altalune/internal/shared/query"
)

// The two ways the filter catalog reads a column's values (see
// domainkit.QuerySpec.catalog), on the reference target's tables: walking
// the column's index lists what grouping its rows lists, a text column once
// per value ignoring case. Each spec below filters one column under two
// keys, walked and grouped, so that both lists come from the same statement
// and snapshot.

func queryCatalog(t *testing.T, spec *domainkit.QuerySpec, params *query.QueryParams, scope ...any) *query.QueryResult[string] {
	t.Helper()
	db, err := postgres.Connect(t.Context(), dbURL)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer db.Close()
	res, err := domainkit.Query(t.Context(), db, spec, params, func(r domainkit.Row) (*string, error) {
		var s string
		return &s, r.Scan(&s)
	}, func(s *string) *string { return s }, scope...)
	if err != nil {
		t.Fatalf("domainkit.Query: %v", err)
	}
	return res
}

func TestFilterCatalogWalksTheIndex(t *testing.T) {
	p := newProject(t, protocols[0])
	// 300 tickets: 120 categories ignoring case, each spelt two ways
	// (rows 1-119 and 240-300 "Queue n", rows 120-239 "QUEUE n"); seven
	// assignees, and none on one ticket in five.
	dbExec(t, `
INSERT INTO altalune_example_tickets (public_id, project_id, reference, category, assignee_email)
SELECT 'catalog' || lpad(g::TEXT, 7, '0'), $1, 'CAT-' || g,
       CASE WHEN g / 120 = 1 THEN 'QUEUE ' ELSE 'Queue ' END || (g % 120),
       CASE WHEN g % 5 = 0 THEN NULL ELSE 'agent' || (g % 7) || '@support.example' END
FROM generate_series(1, 300) AS g`, p.ID)
	spec := &domainkit.QuerySpec{
		Table:        ticketsTable,
		Columns:      "public_id",
		Scope:        "project_id = $1",
		DefaultSort:  "created_at",
		DefaultOrder: query.SortOrderDesc,
		Sorts:        map[string]string{"created_at": "created_at"},
		Filters: map[string]domainkit.Filter{
			"category_walked":  {Column: "category", Text: true, Indexed: true},
			"category_grouped": {Column: "category", Text: true},
			"email_walked":     {Column: "assignee_email", Text: true, Indexed: true},
			"email_grouped":    {Column: "assignee_email", Text: true},
		},
	}

	res := queryCatalog(t, spec, nil, p.ID)
	if res.TotalRows != 300 || len(res.Data) != domainkit.DefaultPageSize {
		t.Fatalf("TotalRows, rows = %d, %d; want 300, %d", res.TotalRows, len(res.Data), domainkit.DefaultPageSize)
	}
	where := " FROM altalune_example_tickets WHERE project_id = $1"
	emails := dbStrings(t, "SELECT DISTINCT assignee_email"+where+" AND assignee_email IS NOT NULL ORDER BY 1", p.ID)
	requireStrings(t, res.Filters["email_grouped"], emails, "assignee_email grouped")
	requireStrings(t, res.Filters["email_walked"], emails, "assignee_email walked")

	grouped := dbStrings(t, "SELECT DISTINCT category"+where+" ORDER BY 1 LIMIT 100", p.ID)
	requireStrings(t, res.Filters["category_grouped"], grouped, "category grouped")
	// Walked: the first 100 values ignoring case, each spelt as one of its
	// rows spells it.
	walked := res.Filters["category_walked"]
	keys := dbStrings(t, "SELECT DISTINCT LOWER(category)"+where+" ORDER BY 1 LIMIT 100", p.ID)
	lowered := make([]string, len(walked))
	for i, v := range walked {
		lowered[i] = strings.ToLower(v)
	}
	requireStrings(t, lowered, keys, "category walked, lower-cased")
	spellings := dbStrings(t, "SELECT DISTINCT category"+where, p.ID)
	for _, v := range walked {
		if !slices.Contains(spellings, v) {
			t.Errorf("category walked lists %q, which no row holds", v)
		}
	}

	// Past the last page: no row carries the count, which comes with the
	// catalog.
	past := queryCatalog(t, spec, &query.QueryParams{Pagination: query.PaginationParams{Page: 40, PageSize: 10}}, p.ID)
	if past.TotalRows != 300 || past.TotalPages != 30 || len(past.Data) != 0 {
		t.Fatalf("past the last page: TotalRows, TotalPages, rows = %d, %d, %d; want 300, 30, 0", past.TotalRows, past.TotalPages, len(past.Data))
	}
	requireStrings(t, past.Filters["category_walked"], walked, "category walked, past the last page")
	requireStrings(t, past.Filters["email_walked"], emails, "assignee_email walked, past the last page")
}

func TestFilterCatalogWalksNumbers(t *testing.T) {
	// The table is global: start from an empty one.
	dbExec(t, "DELETE FROM altalune_currencies")
	for i, places := range []uint32{8, 2, 0, 2, 3} {
		req := newCurrencyRequest()
		req.DecimalPlaces = places
		req.Circulation = []uint64{1 << 63, 5, 18446744073709551615, 5, 0}[i]
		createCurrency(t, protocols[0], req)
	}
	spec := &domainkit.QuerySpec{
		Table:        currenciesTable,
		Columns:      "code",
		DefaultSort:  "code",
		DefaultOrder: query.SortOrderAsc,
		Sorts:        map[string]string{"code": "code"},
		Filters: map[string]domainkit.Filter{
			"places_walked":      {Column: "decimal_places", Indexed: true},
			"places_grouped":     {Column: "decimal_places"},
			"circulation_walked": {Column: "circulation", Indexed: true}, // NUMERIC(20, 0)
			"circulation_grp":    {Column: "circulation"},
			"created_walked":     {Column: "created_at", Indexed: true},
			"created_grouped":    {Column: "created_at"},
		},
	}
	res := queryCatalog(t, spec, nil)
	requireStrings(t, res.Filters["places_grouped"], []string{"0", "2", "3", "8"}, "decimal_places grouped")
	requireStrings(t, res.Filters["places_walked"], []string{"0", "2", "3", "8"}, "decimal_places walked")
	circulation := []string{"0", "5", fmt.Sprint(uint64(1 << 63)), "18446744073709551615"}
	requireStrings(t, res.Filters["circulation_grp"], circulation, "circulation grouped")
	requireStrings(t, res.Filters["circulation_walked"], circulation, "circulation walked")
	if len(res.Filters["created_grouped"]) == 0 {
		t.Errorf("created_at grouped lists nothing")
	}
	requireStrings(t, res.Filters["created_walked"], res.Filters["created_grouped"], "created_at walked")
	if got := res.TotalRows; got != 5 {
		t.Errorf("TotalRows = %d, want 5", got)
	}
}
