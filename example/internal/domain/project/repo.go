package project

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/hrz8/altalune/internal/postgres"
	"github.com/hrz8/altalune/internal/shared/nanoid"
	"github.com/hrz8/altalune/internal/shared/query"
)

// partitionedTables are the tables partitioned by project_id: a new project
// gets a partition in each of them. The generated list covers every entity
// protoc-gen-altalune knows; append hand-written tables here.
var partitionedTables = append([]string{}, generatedPartitionedTables...)

// sortColumns whitelists the fields a query may sort by.
var sortColumns = map[string]string{
	"name":       "name",
	"created_at": "created_at",
	"updated_at": "updated_at",
}

const projectColumns = "id, public_id, name, created_at, updated_at"

// Repo is the PostgreSQL Repositor.
type Repo struct {
	db postgres.DB
}

var _ Repositor = (*Repo)(nil)

// NewRepo returns a Repo over db.
func NewRepo(db postgres.DB) *Repo {
	return &Repo{db: db}
}

// Create inserts the project under a new public ID and creates its partition
// of every partitioned table, in one transaction.
func (r *Repo) Create(ctx context.Context, input *CreateProjectInput) (*Project, error) {
	publicID, err := nanoid.GeneratePublicID()
	if err != nil {
		return nil, fmt.Errorf("generate public id: %w", err)
	}

	tx, err := r.db.GetDB().BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // a no-op once committed

	p, err := scanProject(tx.QueryRowContext(ctx,
		`INSERT INTO altalune_projects (public_id, name) VALUES ($1, $2) RETURNING `+projectColumns,
		publicID, input.Name))
	if err != nil {
		return nil, fmt.Errorf("insert project: %w", err)
	}

	for _, table := range partitionedTables {
		if _, err := tx.ExecContext(ctx, createPartitionSQL(table, p.ID)); err != nil {
			return nil, fmt.Errorf("create partition of %s for project %d: %w", table, p.ID, err)
		}
	}

	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	return p, nil
}

// createPartitionSQL returns the statement creating the partition
// <table>_p<projectID> of table that holds the rows of projectID.
func createPartitionSQL(table string, projectID int64) string {
	partition := pgx.Identifier{fmt.Sprintf("%s_p%d", table, projectID)}.Sanitize()
	parent := pgx.Identifier{table}.Sanitize()
	return fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s PARTITION OF %s FOR VALUES IN (%d)", partition, parent, projectID)
}

// GetByPublicID implements Repositor.
func (r *Repo) GetByPublicID(ctx context.Context, publicID string) (*Project, error) {
	p, err := scanProject(r.db.QueryRowContext(ctx,
		`SELECT `+projectColumns+` FROM altalune_projects WHERE public_id = $1`, publicID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrProjectNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("select project: %w", err)
	}
	return p, nil
}

// GetIDByPublicID implements Repositor.
func (r *Repo) GetIDByPublicID(ctx context.Context, publicID string) (int64, error) {
	var id int64
	err := r.db.QueryRowContext(ctx, `SELECT id FROM altalune_projects WHERE public_id = $1`, publicID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrProjectNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("select project id: %w", err)
	}
	return id, nil
}

// Query implements Repositor. The keyword matches names case-insensitively;
// the default order is newest first.
func (r *Repo) Query(ctx context.Context, params *query.QueryParams) (*query.QueryResult[Project], error) {
	where := ""
	var args []any
	if params.Keyword != "" {
		args = append(args, "%"+escapeLike(params.Keyword)+"%")
		where = " WHERE name ILIKE $1"
	}

	var total int32
	if err := r.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM altalune_projects`+where, args...).Scan(&total); err != nil {
		return nil, fmt.Errorf("count projects: %w", err)
	}

	orderBy := "created_at DESC"
	if s := params.Sorting; s != nil {
		if column, ok := sortColumns[s.Field]; ok {
			direction := "ASC"
			if s.Order == query.SortOrderDesc {
				direction = "DESC"
			}
			orderBy = column + " " + direction
		}
	}

	n := len(args)
	args = append(args, params.Pagination.PageSize, params.Pagination.Offset())
	rows, err := r.db.QueryContext(ctx, fmt.Sprintf(
		`SELECT %s FROM altalune_projects%s ORDER BY %s, id LIMIT $%d OFFSET $%d`,
		projectColumns, where, orderBy, n+1, n+2), args...)
	if err != nil {
		return nil, fmt.Errorf("select projects: %w", err)
	}
	defer rows.Close()

	var data []*Project
	for rows.Next() {
		p, err := scanProject(rows)
		if err != nil {
			return nil, fmt.Errorf("scan project: %w", err)
		}
		data = append(data, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("select projects: %w", err)
	}

	return &query.QueryResult[Project]{
		Data:       data,
		TotalRows:  total,
		TotalPages: params.Pagination.TotalPages(total),
		Filters:    map[string][]string{},
	}, nil
}

type scanner interface {
	Scan(dest ...any) error
}

func scanProject(row scanner) (*Project, error) {
	var p Project
	if err := row.Scan(&p.ID, &p.PublicID, &p.Name, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, err
	}
	return &p, nil
}

// likeEscaper escapes the LIKE wildcards (and the escape character) so a
// keyword is matched literally.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func escapeLike(s string) string {
	return likeEscaper.Replace(s)
}
