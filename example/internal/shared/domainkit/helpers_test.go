package domainkit

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"sync"
	"testing"

	"github.com/hrz8/altalune"
	"github.com/hrz8/altalune/internal/postgres"
)

// fakeAnswer is what the fake database answers one statement with: err
// fails the statement itself, otherwise rows are returned under columns and
// rowsErr (if any) is reported once they are exhausted.
type fakeAnswer struct {
	columns []string
	rows    [][]driver.Value
	err     error
	rowsErr error
}

// fakeCall is one statement the fake database received.
type fakeCall struct {
	query string
	args  []any
}

// fakeDB is a postgres.DB over a database/sql pool whose driver answers
// every statement with answer and records it.
type fakeDB struct {
	mu     sync.Mutex
	calls  []fakeCall
	answer func(query string, args []any) fakeAnswer
	db     *sql.DB
}

var _ postgres.DB = (*fakeDB)(nil)

func newFakeDB(t *testing.T, answer func(query string, args []any) fakeAnswer) *fakeDB {
	t.Helper()
	f := &fakeDB{answer: answer}
	f.db = sql.OpenDB(fakeConnector{f: f})
	f.db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = f.db.Close() })
	return f
}

// unusedDB is a postgres.DB that fails the test when any statement reaches
// it.
func unusedDB(t *testing.T) *fakeDB {
	t.Helper()
	return newFakeDB(t, func(query string, args []any) fakeAnswer {
		t.Errorf("unexpected statement %q %v", query, args)
		return fakeAnswer{err: errors.New("unexpected statement")}
	})
}

func (f *fakeDB) recorded() []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeCall(nil), f.calls...)
}

func (f *fakeDB) GetDB() *sql.DB { return f.db }

func (f *fakeDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return f.db.QueryContext(ctx, query, args...)
}

func (f *fakeDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return f.db.QueryRowContext(ctx, query, args...)
}

func (f *fakeDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return f.db.ExecContext(ctx, query, args...)
}

func (f *fakeDB) PingContext(ctx context.Context) error { return f.db.PingContext(ctx) }

type fakeConnector struct{ f *fakeDB }

func (c fakeConnector) Connect(context.Context) (driver.Conn, error) { return &fakeConn{f: c.f}, nil }
func (c fakeConnector) Driver() driver.Driver                        { return fakeDriver{} }

type fakeDriver struct{}

func (fakeDriver) Open(string) (driver.Conn, error) {
	return nil, errors.New("fake driver: open through the connector")
}

type fakeConn struct{ f *fakeDB }

func (c *fakeConn) Prepare(string) (driver.Stmt, error) {
	return nil, errors.New("fake driver: Prepare is not supported")
}
func (c *fakeConn) Close() error { return nil }

// Begin starts a transaction that the fake database records as the
// statements BEGIN and COMMIT or ROLLBACK; answer decides whether BEGIN
// fails.
func (c *fakeConn) Begin() (driver.Tx, error) {
	if err := c.record("BEGIN", nil); err != nil {
		return nil, err
	}
	return fakeTx{c: c}, nil
}

type fakeTx struct{ c *fakeConn }

func (tx fakeTx) Commit() error   { return tx.c.record("COMMIT", nil) }
func (tx fakeTx) Rollback() error { return tx.c.record("ROLLBACK", nil) }

// record records a statement that returns no rows and answers its error.
func (c *fakeConn) record(query string, args []any) error {
	c.f.mu.Lock()
	c.f.calls = append(c.f.calls, fakeCall{query: query, args: args})
	c.f.mu.Unlock()
	return c.f.answer(query, args).err
}

// ExecContext runs a statement that returns no rows.
func (c *fakeConn) ExecContext(_ context.Context, query string, named []driver.NamedValue) (driver.Result, error) {
	args := make([]any, len(named))
	for i, nv := range named {
		args[i] = nv.Value
	}
	if err := c.record(query, args); err != nil {
		return nil, err
	}
	return driver.RowsAffected(0), nil
}

// CheckNamedValue accepts any argument as it is, slices included, so that
// the test sees exactly what the kit bound.
func (c *fakeConn) CheckNamedValue(*driver.NamedValue) error { return nil }

func (c *fakeConn) QueryContext(_ context.Context, query string, named []driver.NamedValue) (driver.Rows, error) {
	args := make([]any, len(named))
	for i, nv := range named {
		args[i] = nv.Value
	}
	c.f.mu.Lock()
	c.f.calls = append(c.f.calls, fakeCall{query: query, args: args})
	c.f.mu.Unlock()
	a := c.f.answer(query, args)
	if a.err != nil {
		return nil, a.err
	}
	return &fakeRows{answer: a}, nil
}

type fakeRows struct {
	answer fakeAnswer
	next   int
}

func (r *fakeRows) Columns() []string { return r.answer.columns }
func (r *fakeRows) Close() error      { return nil }

func (r *fakeRows) Next(dest []driver.Value) error {
	if r.next >= len(r.answer.rows) {
		if r.answer.rowsErr != nil {
			return r.answer.rowsErr
		}
		return io.EOF
	}
	copy(dest, r.answer.rows[r.next])
	r.next++
	return nil
}

// logEntry is one call of the fake logger.
type logEntry struct {
	level string
	msg   string
	args  []any
}

// fakeLogger is an altalune.Logger that records its calls.
type fakeLogger struct {
	mu      sync.Mutex
	entries []logEntry
}

var _ altalune.Logger = (*fakeLogger)(nil)

func (l *fakeLogger) record(level, msg string, args []any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, logEntry{level: level, msg: msg, args: append([]any(nil), args...)})
}

func (l *fakeLogger) logged() []logEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]logEntry(nil), l.entries...)
}

func (l *fakeLogger) Debug(msg string, args ...any) { l.record("debug", msg, args) }
func (l *fakeLogger) Info(msg string, args ...any)  { l.record("info", msg, args) }
func (l *fakeLogger) Warn(msg string, args ...any)  { l.record("warn", msg, args) }
func (l *fakeLogger) Error(msg string, args ...any) { l.record("error", msg, args) }
func (l *fakeLogger) DebugContext(_ context.Context, msg string, args ...any) {
	l.record("debug", msg, args)
}
func (l *fakeLogger) InfoContext(_ context.Context, msg string, args ...any) {
	l.record("info", msg, args)
}
func (l *fakeLogger) WarnContext(_ context.Context, msg string, args ...any) {
	l.record("warn", msg, args)
}
func (l *fakeLogger) ErrorContext(_ context.Context, msg string, args ...any) {
	l.record("error", msg, args)
}
func (l *fakeLogger) JSON() altalune.Logger { return l }

// errorMessage is the text of err, or "<nil>".
func errorMessage(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
