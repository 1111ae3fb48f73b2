package main

import (
	"context"
	"database/sql"
	"net"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/hrz8/altalune/internal/postgres"
)

// countingDB is the postgres.DB both repositories run on. It counts two
// things per call:
//
//   - statements: the calls that reach the postgres.DB interface (Query,
//     QueryRow, Exec), i.e. the statements a repository sends;
//   - round trips: the messages the client writes to the server socket.
//     pgx buffers the messages of one exchange (Bind, Describe, Execute,
//     Sync) and writes them at once, then waits for the answer, so one
//     write is one round trip. A statement the connection has not prepared
//     yet costs one more (Parse, Describe), which the warm-up calls absorb.
type countingDB struct {
	db         *sql.DB
	statements atomic.Int64
	roundTrips *atomic.Int64
}

var _ postgres.DB = (*countingDB)(nil)

// openCounting opens a pool over url whose connections count the writes
// to their sockets.
func openCounting(url string) (*countingDB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	writes := new(atomic.Int64)
	dial := cfg.DialFunc
	cfg.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &countingConn{Conn: conn, writes: writes}, nil
	}
	db := stdlib.OpenDB(*cfg)
	// One connection: every call runs on the same session, as in a single
	// request, and no call waits for another one's connection.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	return &countingDB{db: db, roundTrips: writes}, nil
}

// snapshot is the pair of counters at one moment.
type snapshot struct{ statements, roundTrips int64 }

func (c *countingDB) snapshot() snapshot {
	return snapshot{statements: c.statements.Load(), roundTrips: c.roundTrips.Load()}
}

func (s snapshot) since(before snapshot) snapshot {
	return snapshot{statements: s.statements - before.statements, roundTrips: s.roundTrips - before.roundTrips}
}

func (c *countingDB) GetDB() *sql.DB { return c.db }

func (c *countingDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c.statements.Add(1)
	return c.db.QueryContext(ctx, query, args...)
}

func (c *countingDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	c.statements.Add(1)
	return c.db.QueryRowContext(ctx, query, args...)
}

func (c *countingDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	c.statements.Add(1)
	return c.db.ExecContext(ctx, query, args...)
}

func (c *countingDB) PingContext(ctx context.Context) error { return c.db.PingContext(ctx) }

// countingConn counts the writes to a server connection.
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c *countingConn) Write(b []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(b)
}
