package domainkit

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// holder is a row the unique lookups find.
type holder struct {
	PublicID string
}

var errHolderNotFound = errors.New("holder not found")

// lookup is a UniqueValue.Find that answers row or err and counts its
// calls.
type lookup struct {
	row   *holder
	err   error
	calls int
	ctx   any
}

func (l *lookup) find(ctx context.Context) (*holder, error) {
	l.calls++
	l.ctx = ctx.Value(ctxKey{})
	return l.row, l.err
}

func holderID(h *holder) string { return h.PublicID }

func TestCheckUnique(t *testing.T) {
	dbDown := errors.New("connection refused")
	tests := []struct {
		name      string
		selfID    string
		email     *lookup
		number    *lookup
		want      error
		wantValue any
		wantCalls [2]int
	}{
		{
			name:      "no row holds any value",
			email:     &lookup{err: errHolderNotFound},
			number:    &lookup{err: fmt.Errorf("select: %w", errHolderNotFound)},
			wantCalls: [2]int{1, 1},
		},
		{
			name:      "the row itself holds the values",
			selfID:    "self",
			email:     &lookup{row: &holder{PublicID: "self"}},
			number:    &lookup{row: &holder{PublicID: "self"}},
			wantCalls: [2]int{1, 1},
		},
		{
			name:      "another row holds the first value",
			selfID:    "self",
			email:     &lookup{row: &holder{PublicID: "other"}},
			number:    &lookup{row: &holder{PublicID: "other"}},
			want:      errEmailTaken,
			wantValue: "ann@example.com",
			wantCalls: [2]int{1, 0},
		},
		{
			name:      "another row holds the second value",
			selfID:    "self",
			email:     &lookup{row: &holder{PublicID: "self"}},
			number:    &lookup{row: &holder{PublicID: "other"}},
			want:      errNumberTaken,
			wantValue: 1042,
			wantCalls: [2]int{1, 1},
		},
		{
			name:      "a row not yet created conflicts with any holder",
			selfID:    "",
			email:     &lookup{err: errHolderNotFound},
			number:    &lookup{row: &holder{PublicID: "other"}},
			want:      errNumberTaken,
			wantValue: 1042,
			wantCalls: [2]int{1, 1},
		},
		{
			name:      "lookup error",
			selfID:    "self",
			email:     &lookup{err: dbDown},
			number:    &lookup{row: &holder{PublicID: "other"}},
			want:      dbDown,
			wantCalls: [2]int{1, 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			values := []UniqueValue[holder]{
				{Err: errEmailTaken, Value: "ann@example.com", Find: tt.email.find},
				{Err: errNumberTaken, Value: 1042, Find: tt.number.find},
			}
			ctx := context.WithValue(context.Background(), ctxKey{}, "caller")
			err := CheckUnique(ctx, errHolderNotFound, tt.selfID, holderID, values)
			if got := [2]int{tt.email.calls, tt.number.calls}; got != tt.wantCalls {
				t.Errorf("lookups = %v, want %v", got, tt.wantCalls)
			}
			if tt.email.calls > 0 && tt.email.ctx != "caller" {
				t.Errorf("lookup got context value %v, want caller", tt.email.ctx)
			}
			switch {
			case tt.want == nil:
				if err != nil {
					t.Errorf("CheckUnique() = %v, want nil", err)
				}
			case tt.wantValue == nil:
				if err != tt.want {
					t.Errorf("CheckUnique() = %v, want %v unchanged", err, tt.want)
				}
			default:
				var conflict *Conflict
				if !errors.As(err, &conflict) {
					t.Fatalf("CheckUnique() = %v (%T), want *Conflict", err, err)
				}
				if conflict.Err != tt.want || conflict.Value != tt.wantValue {
					t.Errorf("Conflict = {%v %v}, want {%v %v}", conflict.Err, conflict.Value, tt.want, tt.wantValue)
				}
				if !errors.Is(err, tt.want) {
					t.Errorf("errors.Is(%v, %v) = false", err, tt.want)
				}
				if err.Error() != tt.want.Error() {
					t.Errorf("Error() = %q, want %q", err.Error(), tt.want.Error())
				}
			}
		})
	}
}

func TestCheckUniqueWithoutValues(t *testing.T) {
	if err := CheckUnique[holder](context.Background(), errHolderNotFound, "", holderID, nil); err != nil {
		t.Errorf("CheckUnique(no values) = %v, want nil", err)
	}
}

func TestConflict(t *testing.T) {
	c := &Conflict{Err: errEmailTaken, Value: "a@x"}
	if c.Error() != "employee email already exists" {
		t.Errorf("Error() = %q", c.Error())
	}
	if c.Unwrap() != errEmailTaken {
		t.Errorf("Unwrap() = %v, want %v", c.Unwrap(), errEmailTaken)
	}
	if !errors.Is(fmt.Errorf("create: %w", c), errEmailTaken) {
		t.Errorf("a wrapped Conflict does not match its Err")
	}
	if errors.Is(c, errNumberTaken) {
		t.Errorf("a Conflict matches another error")
	}
}

func TestNameConflict(t *testing.T) {
	values := []UniqueValue[holder]{
		{Err: errEmailTaken, Value: "ann@example.com"},
		{Err: errNumberTaken, Value: 1042},
	}
	wrappedNumber := fmt.Errorf("insert employee: %w", errNumberTaken)
	existing := &Conflict{Err: errEmailTaken, Value: "first@example.com"}
	wrappedExisting := fmt.Errorf("create: %w", existing)
	unrelated := errors.New("connection refused")
	tests := []struct {
		name      string
		err       error
		wantSame  bool
		wantErr   error
		wantValue any
	}{
		{name: "nil stays nil", err: nil, wantSame: true},
		{name: "bare sentinel", err: errEmailTaken, wantErr: errEmailTaken, wantValue: "ann@example.com"},
		{name: "second sentinel", err: errNumberTaken, wantErr: errNumberTaken, wantValue: 1042},
		{name: "wrapped sentinel", err: wrappedNumber, wantErr: wrappedNumber, wantValue: 1042},
		{name: "existing conflict kept", err: existing, wantSame: true},
		{name: "wrapped conflict kept", err: wrappedExisting, wantSame: true},
		{name: "unrelated error unchanged", err: unrelated, wantSame: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NameConflict(tt.err, values)
			if tt.wantSame {
				if got != tt.err {
					t.Errorf("NameConflict() = %v (%T), want %v unchanged", got, got, tt.err)
				}
				return
			}
			conflict, ok := got.(*Conflict)
			if !ok {
				t.Fatalf("NameConflict() = %v (%T), want *Conflict", got, got)
			}
			if conflict.Err != tt.wantErr || conflict.Value != tt.wantValue {
				t.Errorf("Conflict = {%v %v}, want {%v %v}", conflict.Err, conflict.Value, tt.wantErr, tt.wantValue)
			}
			if !errors.Is(got, tt.err) || got.Error() != tt.err.Error() {
				t.Errorf("NameConflict() = %q, want it to read and match %q", got, tt.err)
			}
		})
	}
	if got := NameConflict[holder](errEmailTaken, nil); got != errEmailTaken {
		t.Errorf("NameConflict(no values) = %v, want the error unchanged", got)
	}
}

func TestConflictValue(t *testing.T) {
	emailConflict := &Conflict{Err: errEmailTaken, Value: "ann@example.com"}
	numberConflict := &Conflict{Err: errNumberTaken, Value: int64(1042)}
	if got := ConflictValue[string](emailConflict); got != "ann@example.com" {
		t.Errorf("ConflictValue[string](conflict) = %q, want ann@example.com", got)
	}
	if got := ConflictValue[string](fmt.Errorf("create: %w", emailConflict)); got != "ann@example.com" {
		t.Errorf("ConflictValue[string](wrapped conflict) = %q, want ann@example.com", got)
	}
	if got := ConflictValue[int64](numberConflict); got != 1042 {
		t.Errorf("ConflictValue[int64](conflict) = %d, want 1042", got)
	}
	if got := ConflictValue[int](numberConflict); got != 0 {
		t.Errorf("ConflictValue[int](int64 conflict) = %d, want 0", got)
	}
	if got := ConflictValue[int64](emailConflict); got != 0 {
		t.Errorf("ConflictValue[int64](string conflict) = %d, want 0", got)
	}
	if got := ConflictValue[string](errEmailTaken); got != "" {
		t.Errorf("ConflictValue[string](bare error) = %q, want empty", got)
	}
	if got := ConflictValue[string](nil); got != "" {
		t.Errorf("ConflictValue[string](nil) = %q, want empty", got)
	}
	if got := ConflictValue[string](&Conflict{Err: errEmailTaken}); got != "" {
		t.Errorf("ConflictValue[string](conflict without value) = %q, want empty", got)
	}
}

func TestConflictPart(t *testing.T) {
	errKey := errors.New("name, lang taken")
	err := fmt.Errorf("create: %w", &Conflict{Err: errKey, Value: []any{"Intro", "en"}})
	if got := ConflictPart[string](err, 0); got != "Intro" {
		t.Errorf("part 0 = %q, want Intro", got)
	}
	if got := ConflictPart[string](err, 1); got != "en" {
		t.Errorf("part 1 = %q, want en", got)
	}
	if got := ConflictPart[string](err, 2); got != "" {
		t.Errorf("part 2 = %q, want the zero value", got)
	}
	if got := ConflictPart[int64](err, 0); got != 0 {
		t.Errorf("part 0 as int64 = %d, want the zero value", got)
	}
	if got := ConflictPart[string](errKey, 0); got != "" {
		t.Errorf("part of a bare error = %q, want the zero value", got)
	}
}
