package domainkit

import (
	"errors"

	"github.com/hrz8/altalune/internal/postgres"
	"github.com/jackc/pgx/v5/pgconn"
)

// MissingParent is a write whose references field names no row of its
// parent entity: Field is the field, Parent the parent's name in a
// sentence. Unexpected answers it as an invalid payload.
type MissingParent struct {
	Field  string
	Parent string
}

func (e *MissingParent) Error() string {
	return e.Field + ": no " + e.Parent + " has this ID"
}

// ParentViolation maps a foreign key violation of one of the constraints
// byConstraint lists (constraint -> the field and parent it checks) to a
// *MissingParent, and returns any other error unchanged.
func ParentViolation(err error, byConstraint map[string]MissingParent) error {
	var pgErr *pgconn.PgError
	if !postgres.IsForeignKeyViolation(err) || !errors.As(err, &pgErr) {
		return err
	}
	if missing, ok := byConstraint[pgErr.ConstraintName]; ok {
		return &missing
	}
	return err
}
