package postgres

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestViolationClassification(t *testing.T) {
	unique := &pgconn.PgError{Code: "23505", ConstraintName: "ux_altalune_example_employees_email"}
	foreignKey := &pgconn.PgError{Code: "23503"}

	tests := []struct {
		name       string
		err        error
		unique, fk bool
	}{
		{"nil", nil, false, false},
		{"plain error", errors.New("23505"), false, false},
		{"unique", unique, true, false},
		{"wrapped unique", fmt.Errorf("insert employee: %w", unique), true, false},
		{"foreign key", foreignKey, false, true},
		{"wrapped foreign key", fmt.Errorf("insert employee: %w", foreignKey), false, true},
		{"other sqlstate", &pgconn.PgError{Code: "23502"}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsUniqueViolation(tt.err); got != tt.unique {
				t.Errorf("IsUniqueViolation() = %v, want %v", got, tt.unique)
			}
			if got := IsForeignKeyViolation(tt.err); got != tt.fk {
				t.Errorf("IsForeignKeyViolation() = %v, want %v", got, tt.fk)
			}
		})
	}
}
