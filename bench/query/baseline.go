package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hrz8/altalune/internal/postgres"
	"github.com/hrz8/altalune/internal/shared/nanoid"
	"github.com/hrz8/altalune/internal/shared/query"
)

// baselineRepo is the employee repository as a domain is written by hand in
// the target repository: per Query a COUNT, then the page with
// LIMIT/OFFSET, then one SELECT DISTINCT per filterable column for the
// filter catalog; filters as LOWER(column) IN (...), the keyword as ILIKE
// over the text columns. It serves the same table as the generated
// repository, with the indexes of its migrations and no others.
type baselineRepo struct {
	db postgres.DB
}

// baselineEmployee is the row a hand-written repository scans.
type baselineEmployee struct {
	ID             int64
	PublicID       string
	Name           string
	Email          string
	EmployeeNumber string
	Role           string
	Status         string
	Phone          *string
	Age            *int32
	HiredAt        *time.Time
	Salary         float64
	Remote         bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

const baselineColumns = "id, public_id, name, email, employee_number, role, status, phone, age, hired_at, salary, remote, created_at, updated_at"

// baselineFilterColumns maps the filter keys the frontend sends to columns.
var baselineFilterColumns = map[string]string{
	"roles":    "role",
	"statuses": "status",
	"remote":   "remote",
}

// baselineSortColumns whitelists the sortable fields.
var baselineSortColumns = map[string]string{
	"name":            "name",
	"email":           "email",
	"employee_number": "employee_number",
	"role":            "role",
	"status":          "status",
	"hired_at":        "hired_at",
	"salary":          "salary",
	"created_at":      "created_at",
	"updated_at":      "updated_at",
}

func (r *baselineRepo) Query(ctx context.Context, projectID int64, params *query.QueryParams) (*query.QueryResult[baselineEmployee], error) {
	where := []string{"project_id = $1"}
	args := []any{projectID}

	if params.Keyword != "" {
		args = append(args, "%"+params.Keyword+"%")
		n := len(args)
		where = append(where, fmt.Sprintf("(name ILIKE $%d OR email ILIKE $%d OR employee_number ILIKE $%d OR phone ILIKE $%d)", n, n, n, n))
	}
	for key, values := range params.Filters {
		column, ok := baselineFilterColumns[key]
		if !ok || len(values) == 0 {
			continue
		}
		placeholders := make([]string, len(values))
		for i, v := range values {
			args = append(args, strings.ToLower(v))
			placeholders[i] = fmt.Sprintf("$%d", len(args))
		}
		where = append(where, fmt.Sprintf("LOWER(%s::TEXT) IN (%s)", column, strings.Join(placeholders, ", ")))
	}
	whereSQL := " WHERE " + strings.Join(where, " AND ")

	var total int64
	if err := r.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM altalune_example_employees"+whereSQL, args...).Scan(&total); err != nil {
		return nil, fmt.Errorf("count employees: %w", err)
	}

	orderBy := "created_at DESC"
	if params.Sorting != nil {
		if column, ok := baselineSortColumns[params.Sorting.Field]; ok {
			direction := "ASC"
			if params.Sorting.Order == query.SortOrderDesc {
				direction = "DESC"
			}
			orderBy = column + " " + direction
		}
	}
	size := params.Pagination.PageSize
	args = append(args, size, params.Pagination.Offset())
	stmt := fmt.Sprintf("SELECT %s FROM altalune_example_employees%s ORDER BY %s LIMIT $%d OFFSET $%d",
		baselineColumns, whereSQL, orderBy, len(args)-1, len(args))
	rows, err := r.db.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, fmt.Errorf("query employees: %w", err)
	}
	defer rows.Close()
	var data []*baselineEmployee
	for rows.Next() {
		e, err := scanBaseline(rows)
		if err != nil {
			return nil, fmt.Errorf("scan employee: %w", err)
		}
		data = append(data, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query employees: %w", err)
	}

	filters := map[string][]string{}
	for key, column := range baselineFilterColumns {
		values, err := r.distinct(ctx, projectID, column)
		if err != nil {
			return nil, err
		}
		filters[key] = values
	}

	return &query.QueryResult[baselineEmployee]{
		Data:       data,
		TotalRows:  int32(total),
		TotalPages: params.Pagination.TotalPages(int32(total)),
		Filters:    filters,
	}, nil
}

func (r *baselineRepo) distinct(ctx context.Context, projectID int64, column string) ([]string, error) {
	rows, err := r.db.QueryContext(ctx,
		fmt.Sprintf("SELECT DISTINCT %s::TEXT FROM altalune_example_employees WHERE project_id = $1 ORDER BY 1", column), projectID)
	if err != nil {
		return nil, fmt.Errorf("distinct %s: %w", column, err)
	}
	defer rows.Close()
	var values []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("distinct %s: %w", column, err)
		}
		values = append(values, v)
	}
	return values, rows.Err()
}

// baselineInput is what Create and Update write.
type baselineInput struct {
	ProjectID      int64
	PublicID       string // Update only
	Name           string
	Email          string
	EmployeeNumber string
	Role           string
	Status         string
	Phone          *string
	Age            *int32
	HiredAt        *time.Time
	Salary         float64
	Remote         bool
}

func (r *baselineRepo) Create(ctx context.Context, in *baselineInput) (*baselineEmployee, error) {
	publicID, err := nanoid.GeneratePublicID()
	if err != nil {
		return nil, err
	}
	row := r.db.QueryRowContext(ctx, `
INSERT INTO altalune_example_employees (public_id, project_id, name, email, employee_number, role, status, phone, age, hired_at, salary, remote)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
RETURNING `+baselineColumns,
		publicID, in.ProjectID, in.Name, in.Email, in.EmployeeNumber, in.Role, in.Status, in.Phone, in.Age, in.HiredAt, in.Salary, in.Remote)
	return scanBaseline(row)
}

func (r *baselineRepo) Update(ctx context.Context, in *baselineInput) (*baselineEmployee, error) {
	row := r.db.QueryRowContext(ctx, `
UPDATE altalune_example_employees
SET name = $3, email = $4, role = $5, status = $6, phone = $7, age = $8, hired_at = $9, salary = $10, remote = $11, updated_at = CURRENT_TIMESTAMP
WHERE project_id = $1 AND public_id = $2
RETURNING `+baselineColumns,
		in.ProjectID, in.PublicID, in.Name, in.Email, in.Role, in.Status, in.Phone, in.Age, in.HiredAt, in.Salary, in.Remote)
	return scanBaseline(row)
}

type scanner interface {
	Scan(dest ...any) error
}

func scanBaseline(row scanner) (*baselineEmployee, error) {
	var e baselineEmployee
	err := row.Scan(&e.ID, &e.PublicID, &e.Name, &e.Email, &e.EmployeeNumber, &e.Role, &e.Status,
		&e.Phone, &e.Age, &e.HiredAt, &e.Salary, &e.Remote, &e.CreatedAt, &e.UpdatedAt)
	if err != nil {
		return nil, err
	}
	return &e, nil
}
