// Package database holds the SQL migrations of the service, embedded in the
// binary, and applies them with goose. Hand-written and generated
// migrations share the migrations directory and one version sequence.
package database

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Migrations are the goose SQL migrations, named <version>_<name>.sql.
//
//go:embed migrations/*.sql
var Migrations embed.FS

// Direction says which way Migrate moves the schema.
type Direction int

const (
	// Up applies every pending migration.
	Up Direction = iota
	// Down rolls back the most recently applied migration.
	Down
)

// NewProvider returns a goose provider of Migrations over db. A PostgreSQL
// advisory lock keeps instances that start together from migrating at the
// same time.
func NewProvider(db *sql.DB) (*goose.Provider, error) {
	fsys, err := fs.Sub(Migrations, "migrations")
	if err != nil {
		return nil, err
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("create migration lock: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, db, fsys, goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return provider, nil
}

// Migrate moves the schema of db in direction and returns the migrations it
// applied or rolled back, in order.
func Migrate(ctx context.Context, db *sql.DB, direction Direction) ([]*goose.MigrationResult, error) {
	provider, err := NewProvider(db)
	if err != nil {
		return nil, err
	}
	switch direction {
	case Up:
		results, err := provider.Up(ctx)
		if err != nil {
			return results, fmt.Errorf("migrate up: %w", err)
		}
		return results, nil
	case Down:
		result, err := provider.Down(ctx)
		if err != nil {
			return nil, fmt.Errorf("migrate down: %w", err)
		}
		return []*goose.MigrationResult{result}, nil
	default:
		return nil, fmt.Errorf("unknown migration direction %d", direction)
	}
}

// Status returns every known migration with whether it is applied.
func Status(ctx context.Context, db *sql.DB) ([]*goose.MigrationStatus, error) {
	provider, err := NewProvider(db)
	if err != nil {
		return nil, err
	}
	return provider.Status(ctx)
}
