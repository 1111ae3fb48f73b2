package domainkit

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestParentViolation(t *testing.T) {
	parents := map[string]MissingParent{"fk_comments_ticket_id": {Field: "ticket_id", Parent: "ticket"}}
	ours := &pgconn.PgError{Code: "23503", ConstraintName: "fk_comments_ticket_id"}
	project := &pgconn.PgError{Code: "23503", ConstraintName: "fk_comments_project"}
	unique := &pgconn.PgError{Code: "23505", ConstraintName: "fk_comments_ticket_id"}
	other := errors.New("connection reset")

	var missing *MissingParent
	if err := ParentViolation(fmt.Errorf("insert: %w", ours), parents); !errors.As(err, &missing) ||
		missing.Field != "ticket_id" || err.Error() != "ticket_id: no ticket has this ID" {
		t.Fatalf("ParentViolation of its foreign key = %v, want the missing ticket", err)
	}
	for _, err := range []error{project, unique, other, nil} {
		if got := ParentViolation(err, parents); got != err {
			t.Errorf("ParentViolation(%v) = %v, want it unchanged", err, got)
		}
	}
}
