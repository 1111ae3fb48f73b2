package domainkit

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"
)

// statements lists the statements the fake database received, in order.
func statements(f *fakeDB) []string {
	var got []string
	for _, c := range f.recorded() {
		got = append(got, c.query)
	}
	return got
}

// okAnswer answers every statement with no rows and no error.
func okAnswer(string, []any) fakeAnswer { return fakeAnswer{columns: []string{"n"}} }

func requireStatements(t *testing.T, f *fakeDB, want ...string) {
	t.Helper()
	if got := statements(f); !slices.Equal(got, want) {
		t.Fatalf("statements = %q, want %q", got, want)
	}
}

// useConn runs one statement of each kind on the connection ctx gives db.
func useConn(ctx context.Context, db *fakeDB) error {
	conn := Conn(ctx, db)
	if _, err := conn.ExecContext(ctx, "exec"); err != nil {
		return err
	}
	rows, err := conn.QueryContext(ctx, "query")
	if err != nil {
		return err
	}
	if err := rows.Close(); err != nil {
		return err
	}
	var n int
	if err := conn.QueryRowContext(ctx, "row").Scan(&n); !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return nil
}

func TestTxCommitsWhatFnRanThroughConn(t *testing.T) {
	db := newFakeDB(t, okAnswer)
	err := Tx(context.Background(), db, func(ctx context.Context) error {
		if _, ok := Conn(ctx, db).(*txDB); !ok {
			t.Errorf("Conn in the transaction is %T, want the transaction", Conn(ctx, db))
		}
		return useConn(ctx, db)
	})
	if err != nil {
		t.Fatal(err)
	}
	requireStatements(t, db, "BEGIN", "exec", "query", "row", "COMMIT")
}

func TestTxRollsBackOnError(t *testing.T) {
	db := newFakeDB(t, okAnswer)
	refused := errors.New("refused")
	err := Tx(context.Background(), db, func(ctx context.Context) error {
		if err := useConn(ctx, db); err != nil {
			return err
		}
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatalf("Tx = %v, want %v", err, refused)
	}
	requireStatements(t, db, "BEGIN", "exec", "query", "row", "ROLLBACK")
}

func TestTxRollsBackOnPanic(t *testing.T) {
	db := newFakeDB(t, okAnswer)
	defer func() {
		if r := recover(); r != "boom" {
			t.Fatalf("recovered %v, want the panic of fn", r)
		}
		requireStatements(t, db, "BEGIN", "ROLLBACK")
	}()
	_ = Tx(context.Background(), db, func(context.Context) error { panic("boom") })
}

func TestTxJoinsTheTransactionOfItsContext(t *testing.T) {
	db := newFakeDB(t, okAnswer)
	err := Tx(context.Background(), db, func(ctx context.Context) error {
		return Tx(ctx, db, func(inner context.Context) error {
			if inner != ctx {
				t.Error("the nested Tx gave fn another context")
			}
			return useConn(inner, db)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	requireStatements(t, db, "BEGIN", "exec", "query", "row", "COMMIT")
}

func TestConnOfAnotherDatabaseIsThatDatabase(t *testing.T) {
	db := newFakeDB(t, okAnswer)
	other := newFakeDB(t, okAnswer)
	err := Tx(context.Background(), db, func(ctx context.Context) error {
		if Conn(ctx, other) != other {
			t.Error("Conn of another database is the transaction")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if Conn(context.Background(), db) != db {
		t.Error("Conn without a transaction is not the database")
	}
	if got := statements(other); got != nil {
		t.Fatalf("the other database received %q", got)
	}
}

func TestTxReportsWhatEndsTheTransaction(t *testing.T) {
	failing := errors.New("server gone")
	for _, tc := range []struct {
		name    string
		failing string
		fnErr   error
		want    []error
	}{
		{"BEGIN fails", "BEGIN", nil, []error{failing}},
		{"COMMIT fails", "COMMIT", nil, []error{failing}},
		{"ROLLBACK fails after fn failed", "ROLLBACK", sql.ErrNoRows, []error{sql.ErrNoRows, failing}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := newFakeDB(t, func(query string, _ []any) fakeAnswer {
				if query == tc.failing {
					return fakeAnswer{err: failing}
				}
				return fakeAnswer{}
			})
			err := Tx(context.Background(), db, func(context.Context) error { return tc.fnErr })
			for _, want := range tc.want {
				if !errors.Is(err, want) {
					t.Errorf("Tx = %v, want it to wrap %v", err, want)
				}
			}
		})
	}
}

func TestIgnoreDone(t *testing.T) {
	if err := ignoreDone(sql.ErrTxDone); err != nil {
		t.Errorf("ignoreDone(ErrTxDone) = %v", err)
	}
	other := errors.New("other")
	if err := ignoreDone(other); err != other {
		t.Errorf("ignoreDone(other) = %v", err)
	}
}

func TestWithin(t *testing.T) {
	db := newFakeDB(t, okAnswer)
	inTx := func(ctx context.Context, fn func(context.Context) error) error { return Tx(ctx, db, fn) }
	row := &holder{PublicID: "x"}
	got, err := Within(context.Background(), inTx, func(context.Context) (*holder, error) { return row, nil })
	if err != nil || got != row {
		t.Fatalf("Within = %v, %v; want the row", got, err)
	}
	refused := errors.New("refused")
	got, err = Within(context.Background(), inTx, func(context.Context) (*holder, error) { return row, refused })
	if !errors.Is(err, refused) || got != nil {
		t.Fatalf("Within = %v, %v; want nil and the error", got, err)
	}
	requireStatements(t, db, "BEGIN", "COMMIT", "BEGIN", "ROLLBACK")
}
