package domainkit

import (
	"context"
	"errors"
)

// Conflict is a unique value another row already has. errors.Is finds Err,
// the domain's already-exists error of the field, through it; Value is the
// value, as the root package's already-exists constructor takes it.
type Conflict struct {
	Err   error
	Value any
}

func (c *Conflict) Error() string {
	return c.Err.Error()
}

func (c *Conflict) Unwrap() error {
	return c.Err
}

// ConflictValue is the value of the Conflict in err's chain, or the zero
// value when there is none (a bare already-exists error) or it is not a T.
func ConflictValue[T any](err error) T {
	var conflict *Conflict
	if errors.As(err, &conflict) {
		if v, ok := conflict.Value.(T); ok {
			return v
		}
	}
	var zero T
	return zero
}

// UniqueValue is one unique value of a write: the error a conflict on it is,
// the value, and the lookup of the row that holds it.
type UniqueValue[R any] struct {
	Err   error
	Value any
	Find  func(context.Context) (*R, error)
}

// CheckUnique answers the Conflict of the first value that a row other than
// the one with public ID selfID holds ("" for a row not yet created).
// notFound is the error a lookup answers when no row holds the value, and
// publicID reads a row's public ID.
func CheckUnique[R any](ctx context.Context, notFound error, selfID string, publicID func(*R) string, values []UniqueValue[R]) error {
	for _, v := range values {
		row, err := v.Find(ctx)
		switch {
		case errors.Is(err, notFound):
			continue
		case err != nil:
			return err
		case publicID(row) != selfID:
			return &Conflict{Err: v.Err, Value: v.Value}
		}
	}
	return nil
}

// NameConflict gives an already-exists error the database answered for a
// write (a unique violation, when a concurrent write took the value after
// CheckUnique) the value of the write that caused it.
func NameConflict[R any](err error, values []UniqueValue[R]) error {
	var conflict *Conflict
	if err == nil || errors.As(err, &conflict) {
		return err
	}
	for _, v := range values {
		if errors.Is(err, v.Err) {
			return &Conflict{Err: err, Value: v.Value}
		}
	}
	return err
}

// ConflictPart is value i of the Conflict in err's chain whose Value is the
// values of a unique key ([]any, in the key's order), or the zero value when
// there is none or it is not a T.
func ConflictPart[T any](err error, i int) T {
	parts := ConflictValue[[]any](err)
	if i < len(parts) {
		if v, ok := parts[i].(T); ok {
			return v
		}
	}
	var zero T
	return zero
}
