package main

import (
	"context"
	"fmt"

	"github.com/hrz8/altalune/database"
	"github.com/hrz8/altalune/internal/domain/project"
)

// The names rows are given: 32 first names by 32 family names. Each family
// name is in 1/32 of the rows, so the keyword "garcia" matches about 3%.
const (
	firstNames  = `'{Ann,Bob,Carla,Dmitri,Elena,Farid,Grace,Hiro,Ines,Jonas,Kemal,Lena,Mateo,Nadia,Oscar,Priya,Quinn,Rosa,Sven,Tara,Umar,Vera,Wen,Ximena,Yusuf,Zoe,Aiko,Bruno,Chloe,Diego,Esme,Felix}'::TEXT[]`
	familyNames = `'{Smith,Garcia,Nguyen,Okafor,Kowalski,Tanaka,Rossi,Dubois,Novak,Silva,Haddad,Jensen,Costa,Ivanova,Schmidt,Moreau,Kim,Patel,Larsen,Fischer,Romero,Sato,Weber,Hughes,Murphy,Berg,Lopez,Mendes,Khan,Young,Walsh,Adler}'::TEXT[]`
)

// loadRows inserts rows employees into the partition of projectID in one
// statement. Row g (1..rows) has the public ID bench<g, 9 digits>, the
// email employee<g>@example.com and was created g seconds after the first,
// so that the default order (created_at DESC) is total. Roles cycle, one
// row in five is inactive and one in five on leave, one in three is
// remote, one in four has no phone.
func loadRows(ctx context.Context, db *countingDB, projectID int64, rows int) error {
	stmt := fmt.Sprintf(`
INSERT INTO altalune_example_employees
    (public_id, project_id, name, email, employee_number, role, status, phone, age, hired_at, salary, remote, created_at, updated_at)
SELECT
    'bench' || lpad(g::TEXT, 9, '0'),
    $1,
    (%s)[1 + g %% 32] || ' ' || (%s)[1 + (g / 32) %% 32],
    'employee' || g || '@example.com',
    'EMP' || lpad(g::TEXT, 8, '0'),
    (ARRAY['engineer', 'manager', 'designer'])[1 + g %% 3],
    (ARRAY['active', 'active', 'active', 'inactive', 'leave'])[1 + g %% 5],
    CASE WHEN g %% 4 = 0 THEN NULL ELSE '+1 555 ' || lpad((g %% 10000)::TEXT, 4, '0') END,
    CASE WHEN g %% 7 = 0 THEN NULL ELSE 20 + g %% 45 END,
    TIMESTAMPTZ '2015-01-01' + g * INTERVAL '47 minutes',
    30000 + (g * 7919) %% 90000,
    g %% 3 = 0,
    TIMESTAMPTZ '2024-01-01' + g * INTERVAL '1 second',
    TIMESTAMPTZ '2024-01-01' + g * INTERVAL '1 second'
FROM generate_series(1, $2::INT) AS g`, firstNames, familyNames)
	_, err := db.db.ExecContext(ctx, stmt, projectID, rows)
	return err
}

// setUp applies the reference target's migrations, creates the projects
// (and so their partitions) and loads rows into each.
func setUp(ctx context.Context, db *countingDB, projects, rows int) ([]int64, error) {
	if _, err := database.Migrate(ctx, db.db, database.Up); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	repo := project.NewRepo(db)
	var ids []int64
	for i := range projects {
		p, err := repo.Create(ctx, &project.CreateProjectInput{Name: fmt.Sprintf("Bench %d", i+1)})
		if err != nil {
			return nil, fmt.Errorf("create project: %w", err)
		}
		if err := loadRows(ctx, db, p.ID, rows); err != nil {
			return nil, fmt.Errorf("load rows of project %d: %w", p.ID, err)
		}
		// The "after writes" shape needs the table as writes leave it:
		// autovacuum must not clean up behind the benchmark.
		if _, err := db.db.ExecContext(ctx, fmt.Sprintf(
			"ALTER TABLE altalune_example_employees_p%d SET (autovacuum_enabled = off)", p.ID)); err != nil {
			return nil, err
		}
		ids = append(ids, p.ID)
	}
	if _, err := db.db.ExecContext(ctx, "VACUUM ANALYZE altalune_example_employees"); err != nil {
		return nil, err
	}
	return ids, nil
}

// burst writes into the partition of projectID as a busy hour would,
// without a VACUUM after it: every tenth row updated, and inserts of one
// row in a hundred.
func burst(ctx context.Context, db *countingDB, projectID int64, rows int) error {
	if _, err := db.db.ExecContext(ctx, `
UPDATE altalune_example_employees SET salary = salary + 1, updated_at = CURRENT_TIMESTAMP
WHERE project_id = $1 AND id % 10 = 0`, projectID); err != nil {
		return fmt.Errorf("burst update: %w", err)
	}
	if _, err := db.db.ExecContext(ctx, `
INSERT INTO altalune_example_employees (public_id, project_id, name, email, employee_number)
SELECT 'burst' || lpad(g::TEXT, 9, '0'), $1, 'Burst ' || g, 'burst' || g || '@example.com', 'BST' || lpad(g::TEXT, 8, '0')
FROM generate_series(1, $2::INT) AS g`, projectID, max(rows/100, 1)); err != nil {
		return fmt.Errorf("burst insert: %w", err)
	}
	return nil
}
