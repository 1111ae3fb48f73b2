// Package postgres connects to PostgreSQL through database/sql and the pgx v5
// driver and classifies PostgreSQL errors. Queries use $1, $2, ...
// placeholders.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// DB is the database handle repositories depend on.
type DB interface {
	// GetDB returns the underlying pool, e.g. to begin a transaction.
	GetDB() *sql.DB
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	PingContext(ctx context.Context) error
}

// Pool settings. They suit one service instance against one database.
const (
	maxOpenConns    = 25
	maxIdleConns    = 25
	connMaxLifetime = 30 * time.Minute
	connMaxIdleTime = 5 * time.Minute
	pingTimeout     = 5 * time.Second
)

// Postgres is a DB backed by a database/sql connection pool.
type Postgres struct {
	db *sql.DB
}

var _ DB = (*Postgres)(nil)

// Connect opens a pool for the connection URL (or DSN) url and checks that
// the server answers.
func Connect(ctx context.Context, url string) (*Postgres, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db.SetMaxOpenConns(maxOpenConns)
	db.SetMaxIdleConns(maxIdleConns)
	db.SetConnMaxLifetime(connMaxLifetime)
	db.SetConnMaxIdleTime(connMaxIdleTime)

	pingCtx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("ping database: %w", err)
	}
	return &Postgres{db: db}, nil
}

// GetDB implements DB.
func (p *Postgres) GetDB() *sql.DB { return p.db }

// QueryContext implements DB.
func (p *Postgres) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.db.QueryContext(ctx, query, args...)
}

// QueryRowContext implements DB.
func (p *Postgres) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return p.db.QueryRowContext(ctx, query, args...)
}

// ExecContext implements DB.
func (p *Postgres) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return p.db.ExecContext(ctx, query, args...)
}

// PingContext implements DB.
func (p *Postgres) PingContext(ctx context.Context) error {
	return p.db.PingContext(ctx)
}

// Close closes the pool.
func (p *Postgres) Close() error {
	return p.db.Close()
}

// SQLSTATE codes of the integrity constraint violations callers tell apart.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
)

// IsUniqueViolation reports whether err is, or wraps, a PostgreSQL
// unique_violation (23505).
func IsUniqueViolation(err error) bool {
	return hasCode(err, codeUniqueViolation)
}

// IsForeignKeyViolation reports whether err is, or wraps, a PostgreSQL
// foreign_key_violation (23503).
func IsForeignKeyViolation(err error) bool {
	return hasCode(err, codeForeignKeyViolation)
}

func hasCode(err error, code string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == code
}
