// Command querybench compares the Query, Create and Update of the reference
// target's generated employee repository with a repository written by hand
// the way the target's domains are, on the same table and data, against the
// PostgreSQL of $ALTALUNE_DATABASE_URL (a throwaway one: it migrates it,
// loads rows and writes). Run it through bench/query/run.sh, which starts
// that server and stops it afterwards.
//
// Every figure is taken in this run, the two repositories called in turn
// (ABBA...) so that the noise of a shared machine hits both alike. Nothing
// is asserted on time; the command fails when the two repositories answer
// a shape differently.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/hrz8/altalune/internal/domain/employee"
	"github.com/hrz8/altalune/internal/shared/domainkit"
	"github.com/hrz8/altalune/internal/shared/query"
)

type options struct {
	projects  int
	rows      int
	calls     int
	warmup    int
	writes    int
	indexCost bool
}

func main() {
	var o options
	flag.IntVar(&o.projects, "projects", 2, "projects, each with its partition")
	flag.IntVar(&o.rows, "rows", 100_000, "employees per project")
	flag.IntVar(&o.calls, "calls", 60, "timed calls per shape and repository")
	flag.IntVar(&o.warmup, "warmup", 5, "untimed calls per shape and repository before the timed ones")
	flag.IntVar(&o.writes, "writes", 200, "timed Create and Update calls per repository")
	flag.BoolVar(&o.indexCost, "index-cost", false,
		"then drop the Query indexes of the migrations (trigram GIN on the searched columns, (project_id, name, id)), "+
			"measure again without them and build them again")
	flag.Parse()
	url := os.Getenv("ALTALUNE_DATABASE_URL")
	if url == "" {
		fmt.Fprintln(os.Stderr, "querybench: ALTALUNE_DATABASE_URL is not set; run bench/query/run.sh")
		os.Exit(2)
	}
	if err := run(context.Background(), url, o); err != nil {
		fmt.Fprintln(os.Stderr, "querybench:", err)
		os.Exit(1)
	}
}

// shape is one kind of Query call.
type shape struct {
	name   string
	params func() *query.QueryParams
	// ordered: both repositories must return the same rows in the same
	// order (the hand-written one breaks no ties, so sorts with ties
	// compare counts only).
	ordered bool
	// byCursor: the generated repository reads the page by cursor
	// (QueryAfter with the cursor handed out with the page before it), the
	// baseline by OFFSET as always.
	byCursor bool
}

func params(page, size int32) *query.QueryParams {
	return &query.QueryParams{Pagination: query.PaginationParams{Page: page, PageSize: size}, Filters: map[string][]string{}}
}

// shapes are the Query calls measured; the deep page is the middle of the
// partition (page 5000 of 10 at 100k rows), in the default order and by
// name, read by OFFSET, then by the generated repository by cursor (the
// baseline has none: it reads the page by OFFSET again).
func shapes(rows int) []shape {
	deep := int32(max(rows/20, 1))
	return []shape{
		{name: "page 1", params: func() *query.QueryParams { return params(1, 10) }, ordered: true},
		{name: "keyword", params: func() *query.QueryParams {
			p := params(1, 10)
			p.Keyword = "garcia"
			return p
		}, ordered: true},
		{name: "enum filter", params: func() *query.QueryParams {
			p := params(1, 10)
			p.Filters["statuses"] = []string{"inactive"}
			return p
		}, ordered: true},
		{name: "sort by name", params: func() *query.QueryParams {
			p := params(1, 10)
			p.Sorting = &query.SortingParams{Field: "name", Order: query.SortOrderAsc}
			return p
		}},
		{name: fmt.Sprintf("deep page (%d)", deep), params: func() *query.QueryParams { return params(deep, 10) }, ordered: true},
		{name: fmt.Sprintf("deep page (%d) by cursor", deep), params: func() *query.QueryParams { return params(deep, 10) }, ordered: true, byCursor: true},
		{name: fmt.Sprintf("deep page by name (%d)", deep), params: func() *query.QueryParams { return byName(deep) }},
		{name: fmt.Sprintf("deep page by name (%d) by cursor", deep), params: func() *query.QueryParams { return byName(deep) }, byCursor: true},
	}
}

// byName is page n of 10 rows sorted by name, which the sort index
// (project_id, name, id) of the migrations serves.
func byName(n int32) *query.QueryParams {
	p := params(n, 10)
	p.Sorting = &query.SortingParams{Field: "name", Order: query.SortOrderAsc}
	return p
}

var afterWrites = shape{name: "page 1 after writes", params: func() *query.QueryParams { return params(1, 10) }, ordered: true}

// sample is what one call cost.
type sample struct {
	d    time.Duration
	cost snapshot
}

// series are the timed calls of one repository on one shape.
type series []sample

func (s series) percentile(p float64) time.Duration {
	ds := make([]time.Duration, len(s))
	for i, x := range s {
		ds[i] = x.d
	}
	slices.Sort(ds)
	i := int(p*float64(len(ds)-1) + 0.5)
	return ds[i]
}

// trips says the statements and round trips per call: one figure when
// every timed call cost the same, else the range.
func (s series) trips() (statements, roundTrips string) {
	span := func(get func(snapshot) int64) string {
		lo, hi := get(s[0].cost), get(s[0].cost)
		for _, x := range s {
			lo, hi = min(lo, get(x.cost)), max(hi, get(x.cost))
		}
		if lo == hi {
			return fmt.Sprint(lo)
		}
		return fmt.Sprintf("%d-%d", lo, hi)
	}
	return span(func(c snapshot) int64 { return c.statements }), span(func(c snapshot) int64 { return c.roundTrips })
}

// row is one line of the table: a shape, both repositories.
type row struct {
	name                string
	baseline, generated series
}

type bench struct {
	o         options
	db        *countingDB
	baseline  *baselineRepo
	generated *employee.Repo
	project   int64
}

func run(ctx context.Context, url string, o options) error {
	db, err := openCounting(url)
	if err != nil {
		return err
	}
	defer db.db.Close()
	var version string
	if err := db.db.QueryRowContext(ctx, "SHOW server_version").Scan(&version); err != nil {
		return err
	}
	start := time.Now()
	projects, err := setUp(ctx, db, o.projects, o.rows)
	if err != nil {
		return err
	}
	fmt.Printf("PostgreSQL %s; %d rows in each of %d projects loaded and vacuumed in %.1f s\n",
		version, o.rows, o.projects, time.Since(start).Seconds())
	b := &bench{o: o, db: db, baseline: &baselineRepo{db: db}, generated: employee.NewRepo(db), project: projects[0]}

	var rows []row
	for _, s := range shapes(b.o.rows) {
		r, err := b.query(ctx, s)
		if err != nil {
			return err
		}
		rows = append(rows, r)
	}
	writes, err := b.writes(ctx, "")
	if err != nil {
		return err
	}
	if err := burst(ctx, db, b.project, o.rows); err != nil {
		return err
	}
	r, err := b.query(ctx, afterWrites)
	if err != nil {
		return err
	}
	rows = append(rows, r)
	fmt.Printf("\nQuery of project 1, page size 10; %d timed calls per shape and repository after %d warm-up calls;\n"+
		"statements and round trips per call; times in ms; ratio = generated / baseline\n\n", o.calls, o.warmup)
	printTable(append(rows, writes...), "baseline", "generated")

	if err := b.catalog(ctx); err != nil {
		return err
	}
	if o.indexCost {
		return b.indexCost(ctx)
	}
	return nil
}

// call runs one Query of a repository and answers its public IDs and total.
type call func(ctx context.Context, p *query.QueryParams) ([]string, int32, error)

func (b *bench) calls() (baseline, generated call) {
	baseline = func(ctx context.Context, p *query.QueryParams) ([]string, int32, error) {
		res, err := b.baseline.Query(ctx, b.project, p)
		if err != nil {
			return nil, 0, err
		}
		ids := make([]string, len(res.Data))
		for i, e := range res.Data {
			ids[i] = e.PublicID
		}
		return ids, res.TotalRows, nil
	}
	generated = func(ctx context.Context, p *query.QueryParams) ([]string, int32, error) {
		res, err := b.generated.Query(ctx, b.project, p)
		if err != nil {
			return nil, 0, err
		}
		ids := make([]string, len(res.Data))
		for i, e := range res.Data {
			ids[i] = e.ID
		}
		return ids, res.TotalRows, nil
	}
	return baseline, generated
}

// byCursor is the generated repository reading the page p names by cursor:
// the cursor handed out with the page before it, asked for once here.
func (b *bench) byCursor(ctx context.Context, p *query.QueryParams) (call, error) {
	before := *p
	before.Pagination.Page--
	_, cursor, err := b.generated.QueryAfter(ctx, b.project, &before, "")
	if err != nil {
		return nil, err
	}
	if cursor == "" {
		return nil, fmt.Errorf("no cursor after page %d", before.Pagination.Page)
	}
	return func(ctx context.Context, p *query.QueryParams) ([]string, int32, error) {
		after := *p
		after.Pagination.Page = 0
		res, _, err := b.generated.QueryAfter(ctx, b.project, &after, cursor)
		if err != nil {
			return nil, 0, err
		}
		ids := make([]string, len(res.Data))
		for i, e := range res.Data {
			ids[i] = e.ID
		}
		return ids, res.TotalRows, nil
	}, nil
}

// query measures one shape on both repositories and checks that they
// answer alike.
func (b *bench) query(ctx context.Context, s shape) (row, error) {
	baseline, generated := b.calls()
	if s.byCursor {
		var err error
		if generated, err = b.byCursor(ctx, s.params()); err != nil {
			return row{}, fmt.Errorf("%s, generated: %w", s.name, err)
		}
	}
	wantIDs, wantTotal, err := baseline(ctx, s.params())
	if err != nil {
		return row{}, fmt.Errorf("%s, baseline: %w", s.name, err)
	}
	gotIDs, gotTotal, err := generated(ctx, s.params())
	if err != nil {
		return row{}, fmt.Errorf("%s, generated: %w", s.name, err)
	}
	if gotTotal != wantTotal || len(gotIDs) != len(wantIDs) || (s.ordered && !slices.Equal(gotIDs, wantIDs)) {
		return row{}, fmt.Errorf("%s: the repositories disagree: baseline %d rows %v, generated %d rows %v",
			s.name, wantTotal, wantIDs, gotTotal, gotIDs)
	}
	if len(gotIDs) == 0 {
		return row{}, fmt.Errorf("%s: no rows; the shape measures nothing", s.name)
	}
	r := row{name: s.name}
	err = b.alternate(ctx,
		func(ctx context.Context) error { _, _, err := baseline(ctx, s.params()); return err },
		func(ctx context.Context) error { _, _, err := generated(ctx, s.params()); return err },
		b.o.warmup, b.o.calls, &r)
	return r, err
}

// alternate runs a and g warmup times each untimed, then calls times each
// timed, in the order A G G A A G ..., recording each call's time and cost.
func (b *bench) alternate(ctx context.Context, a, g func(context.Context) error, warmup, calls int, r *row) error {
	for range warmup {
		if err := a(ctx); err != nil {
			return fmt.Errorf("%s, baseline: %w", r.name, err)
		}
		if err := g(ctx); err != nil {
			return fmt.Errorf("%s, generated: %w", r.name, err)
		}
	}
	measure := func(f func(context.Context) error, into *series) error {
		before := b.db.snapshot()
		t := time.Now()
		err := f(ctx)
		d := time.Since(t)
		*into = append(*into, sample{d: d, cost: b.db.snapshot().since(before)})
		return err
	}
	for i := range calls {
		first, second := a, g
		firstInto, secondInto := &r.baseline, &r.generated
		if i%2 == 1 {
			first, second, firstInto, secondInto = g, a, secondInto, firstInto
		}
		if err := measure(first, firstInto); err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		if err := measure(second, secondInto); err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
	}
	return nil
}

// writes measures Create and Update of both repositories. Every Create
// writes a new employee; every Update rewrites a loaded one with its own
// email (unique per project) and new other values. tag keeps the created
// employees of successive runs apart.
func (b *bench) writes(ctx context.Context, tag string) ([]row, error) {
	n := 0
	next := func() int { n++; return n }
	phone := "+1 555 0100"
	age := int32(41)
	hired := time.Date(2020, 3, 1, 9, 0, 0, 0, time.UTC)
	createB := func(ctx context.Context) error {
		i := next()
		_, err := b.baseline.Create(ctx, &baselineInput{
			ProjectID: b.project, Name: "Created Baseline", Email: fmt.Sprintf("cb%s%d@example.com", tag, i),
			EmployeeNumber: fmt.Sprintf("CB%s%d", tag, i), Role: "manager", Status: "active",
			Phone: &phone, Age: &age, HiredAt: &hired, Salary: 50000, Remote: true,
		})
		return err
	}
	createG := func(ctx context.Context) error {
		i := next()
		_, err := b.generated.Create(ctx, &employee.CreateEmployeeInput{
			ProjectID: b.project, Name: "Created Generated", Email: fmt.Sprintf("cg%s%d@example.com", tag, i),
			EmployeeNumber: fmt.Sprintf("CG%s%d", tag, i), Role: employee.EmployeeRoleManager, Status: employee.EmployeeStatusActive,
			Phone: &phone, Age: &age, HiredAt: &hired, Salary: 50000, Remote: true,
		})
		return err
	}
	// Updates rewrite rows spread over the partition, each row once.
	var ub, ug int
	loaded := func(k, offset int) (string, string) {
		g := offset + k*37%(b.o.rows/2)
		return fmt.Sprintf("bench%09d", g), fmt.Sprintf("employee%d@example.com", g)
	}
	role, status := employee.EmployeeRoleDesigner, employee.EmployeeStatusInactive
	updateB := func(ctx context.Context) error {
		ub++
		id, email := loaded(ub, 1)
		_, err := b.baseline.Update(ctx, &baselineInput{
			ProjectID: b.project, PublicID: id, Name: "Updated Baseline", Email: email, Role: "designer", Status: "inactive",
			Phone: &phone, Age: &age, HiredAt: &hired, Salary: 61000, Remote: false,
		})
		return err
	}
	updateG := func(ctx context.Context) error {
		ug++
		id, email := loaded(ug, b.o.rows/2)
		_, err := b.generated.Update(ctx, &employee.UpdateEmployeeInput{
			ProjectID: b.project, PublicID: id, Name: "Updated Generated", Email: email, Role: &role, Status: &status,
			Phone: &phone, Age: &age, HiredAt: &hired, Salary: 61000, Remote: false,
		})
		return err
	}
	create := row{name: "Create"}
	if err := b.alternate(ctx, createB, createG, b.o.warmup, b.o.writes, &create); err != nil {
		return nil, err
	}
	update := row{name: "Update"}
	if err := b.alternate(ctx, updateB, updateG, b.o.warmup, b.o.writes, &update); err != nil {
		return nil, err
	}
	return []row{create, update}, nil
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000)
}

func ratio(g, b time.Duration) string {
	return fmt.Sprintf("%.2f", float64(g)/float64(b))
}

// printTable prints rows, the baseline series under the name a and the
// generated one under g.
func printTable(rows []row, a, g string) {
	header := []string{"shape", "statements " + a[:1] + " / " + g[:1], "round trips " + a[:1] + " / " + g[:1],
		a + " p50", a + " p95", g + " p50", g + " p95", "ratio p50", "ratio p95"}
	lines := [][]string{header}
	for _, r := range rows {
		sb, tb := r.baseline.trips()
		sg, tg := r.generated.trips()
		bp50, bp95 := r.baseline.percentile(0.5), r.baseline.percentile(0.95)
		gp50, gp95 := r.generated.percentile(0.5), r.generated.percentile(0.95)
		lines = append(lines, []string{r.name, sb + " / " + sg, tb + " / " + tg,
			ms(bp50), ms(bp95), ms(gp50), ms(gp95), ratio(gp50, bp50), ratio(gp95, bp95)})
	}
	widths := make([]int, len(header))
	for _, l := range lines {
		for i, c := range l {
			widths[i] = max(widths[i], len(c))
		}
	}
	for n, l := range lines {
		cells := make([]string, len(l))
		for i, c := range l {
			if i == 0 {
				cells[i] = c + strings.Repeat(" ", widths[i]-len(c))
			} else {
				cells[i] = strings.Repeat(" ", widths[i]-len(c)) + c
			}
		}
		fmt.Println("| " + strings.Join(cells, " | ") + " |")
		if n == 0 {
			dashes := make([]string, len(l))
			for i := range l {
				dashes[i] = strings.Repeat("-", widths[i])
			}
			fmt.Println("|-" + strings.Join(dashes, "-|-") + "-|")
		}
	}
}

// queryIndexes are the indexes the migrations create for the Query alone
// (the fields' search_index and sort_index): the trigram indexes of the
// searched columns and the sort index of name.
func queryIndexes() []domainkit.Index {
	var found []domainkit.Index
	for _, i := range employee.Schema.Indexes {
		if strings.HasSuffix(i.Name, "_trgm") || strings.HasSuffix(i.Name, "_sort") {
			found = append(found, i)
		}
	}
	return found
}

// indexCost measures what the Query indexes of the migrations save and
// cost: the shapes they serve and the writes, with them (as migrated),
// then with them dropped; then builds them again, reporting what each took.
func (b *bench) indexCost(ctx context.Context) error {
	table := employee.Schema.Name
	vacuum := "VACUUM ANALYZE " + table
	if _, err := b.db.db.ExecContext(ctx, vacuum); err != nil {
		return err
	}
	served := func() ([]row, error) {
		var rows []row
		for _, s := range shapes(b.o.rows) {
			if s.name != "keyword" && s.name != "sort by name" {
				continue
			}
			r, err := b.query(ctx, s)
			if err != nil {
				return nil, err
			}
			rows = append(rows, r)
		}
		return rows, nil
	}
	withRows, err := served()
	if err != nil {
		return err
	}
	with, err := b.writes(ctx, "x")
	if err != nil {
		return err
	}
	indexes := queryIndexes()
	for _, i := range indexes {
		if _, err := b.db.db.ExecContext(ctx, "DROP INDEX "+i.Name); err != nil {
			return err
		}
	}
	if _, err := b.db.db.ExecContext(ctx, vacuum); err != nil {
		return err
	}
	withoutRows, err := served()
	if err != nil {
		return err
	}
	without, err := b.writes(ctx, "y")
	if err != nil {
		return err
	}
	fmt.Printf("\nThe Query indexes of the migrations (search_index, sort_index), built again on the %d rows of the table:\n",
		b.o.projects*b.o.rows)
	for _, i := range indexes {
		using := ""
		if i.Method != "" {
			using = "USING " + i.Method + " "
		}
		stmt := fmt.Sprintf("CREATE INDEX %s ON %s %s(%s)", i.Name, table, using, i.Key)
		t := time.Now()
		if _, err := b.db.db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
		fmt.Printf("  %7.1f ms  %s\n", float64(time.Since(t).Microseconds())/1000, stmt)
	}
	fmt.Printf("\nWith the Query indexes (as migrated), then without them (dropped):\n\n")
	var rows []row
	for i := range withRows {
		withRows[i].name += " with"
		withoutRows[i].name += " without"
		rows = append(rows, withRows[i], withoutRows[i])
	}
	for i := range with {
		with[i].name += " with"
		without[i].name += " without"
		rows = append(rows, with[i], without[i])
	}
	printTable(rows, "baseline", "generated")
	return nil
}
