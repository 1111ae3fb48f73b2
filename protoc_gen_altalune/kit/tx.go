package domainkit

import (
	"context"
	"database/sql"
	"errors"

	"github.com/hrz8/altalune/internal/postgres"
)

// txKey is the context key of the transaction Tx runs its function in.
type txKey struct{}

// txDB is a postgres.DB whose statements run in one transaction of the
// database it embeds.
type txDB struct {
	postgres.DB
	tx *sql.Tx
}

func (t *txDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, query, args...)
}

func (t *txDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, query, args...)
}

func (t *txDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, query, args...)
}

// Tx runs fn in one transaction of db and commits it when fn returns nil;
// an error or a panic of fn rolls it back. fn's context carries the
// transaction: every repository call made with it reaches the database
// through Conn, and so joins the transaction, the hand-written repository
// code of any domain included. Called with a context that already carries a
// transaction of the same database, fn joins that one (and the outer Tx
// commits or rolls back).
func Tx(ctx context.Context, db postgres.DB, fn func(ctx context.Context) error) (err error) {
	if txOf(ctx, db) != nil {
		return fn(ctx)
	}
	tx, err := db.GetDB().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			err = errors.Join(err, ignoreDone(tx.Rollback()))
		}
	}()
	if err := fn(context.WithValue(ctx, txKey{}, &txDB{DB: db, tx: tx})); err != nil {
		return err
	}
	committed = true
	return tx.Commit()
}

// ignoreDone drops the error of rolling back a transaction that is already
// over (its context was cancelled, which rolls it back by itself).
func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// Conn is what a repository over db runs its statements on: the
// transaction ctx carries (see Tx) when it is one of db, otherwise db.
func Conn(ctx context.Context, db postgres.DB) postgres.DB {
	if t := txOf(ctx, db); t != nil {
		return t
	}
	return db
}

// txOf is the transaction ctx carries when it is one of db, else nil.
func txOf(ctx context.Context, db postgres.DB) *txDB {
	if t, ok := ctx.Value(txKey{}).(*txDB); ok && t.GetDB() == db.GetDB() {
		return t
	}
	return nil
}

// Within runs fn through inTx (a Repositor's InTx) and answers the row fn
// answers, or nil and the error that ended the transaction.
func Within[R any](ctx context.Context, inTx func(context.Context, func(context.Context) error) error, fn func(ctx context.Context) (*R, error)) (*R, error) {
	var row *R
	err := inTx(ctx, func(ctx context.Context) error {
		var err error
		row, err = fn(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return row, nil
}
