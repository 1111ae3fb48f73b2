//go:build e2e

// Package e2e drives the real altalune server binary over the network, with
// Connect (HTTP/JSON) and gRPC clients, against a real PostgreSQL.
//
// Run it with
//
//	ALTALUNE_E2E_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable \
//	ALTALUNE_E2E_SERVER_BIN=/tmp/altalune \
//	go test -tags e2e -count=1 -v ./e2e/...
//
// (scripts/with-postgres.sh and tests/test_e2e.py do the set-up). TestMain
// creates a fresh database in that PostgreSQL, starts `$ALTALUNE_E2E_SERVER_BIN
// serve` on two free loopback ports (the server applies its migrations on
// start), waits for /healthz, runs the tests and stops the server.
//
// Every scenario runs over both protocols (forEachProtocol) and works in
// projects of its own. Tests run one at a time (no t.Parallel): some assert
// row counts of whole tables, and the currency table is global.
package e2e

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	envDatabaseURL = "ALTALUNE_E2E_DATABASE_URL"
	envServerBin   = "ALTALUNE_E2E_SERVER_BIN"
	envKeepDB      = "ALTALUNE_E2E_KEEP_DB"

	startTimeout = 30 * time.Second
	stopTimeout  = 15 * time.Second
	setupTimeout = 60 * time.Second
)

// Set up by TestMain, read-only afterwards.
var (
	// protocols holds one client set per wire protocol; every scenario runs
	// once per entry.
	protocols []*API
	// testDB is a connection to the server's database for assertions.
	testDB *database
	// httpBase is the server's HTTP root, e.g. http://127.0.0.1:1234.
	httpBase string
	// grpcAddr is the server's gRPC address.
	grpcAddr string
	// adminURL is the PostgreSQL the tests may create databases in, dbURL
	// the server's database, serverBin the server binary and jwksPath its
	// token keys: a test may start a server of its own (evolution_test.go).
	adminURL, dbURL, serverBin, jwksPath string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	adminURL = os.Getenv(envDatabaseURL)
	serverBin = os.Getenv(envServerBin)
	var missing []string
	if adminURL == "" {
		missing = append(missing, envDatabaseURL+" (URL of a PostgreSQL the tests may create databases in)")
	}
	if serverBin == "" {
		missing = append(missing, envServerBin+" (path of the built altalune server binary)")
	}
	if len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "e2e: required environment variables are not set:\n  %s\n"+
			"e2e: see example/e2e/main_test.go or run `pytest -m e2e tests/test_e2e.py`\n",
			strings.Join(missing, "\n  "))
		return 2
	}
	if _, err := os.Stat(serverBin); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %s=%s: %v\n", envServerBin, serverBin, err)
		return 2
	}

	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()

	dbName := fmt.Sprintf("altalune_e2e_%d_%d", time.Now().UnixNano(), os.Getpid())
	var err error
	dbURL, err = createDatabase(ctx, adminURL, dbName)
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: create database: %v\n", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "e2e: database %s\n", dbName)

	jwksFile, err := setUpTokenKeys()
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: token keys: %v\n", err)
		return 1
	}
	defer os.Remove(jwksFile)
	jwksPath = jwksFile

	srv, err := startServer(serverBin, dbURL, jwksFile)
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		if srv != nil {
			srv.stop()
			srv.dumpLog(os.Stderr, 200)
			srv.closeLog()
		}
		return 1
	}
	fmt.Fprintf(os.Stderr, "e2e: server pid %d, http %s, grpc %s\n", srv.cmd.Process.Pid, srv.httpAddr, srv.grpcAddr)
	fuzzServerLog = srv.log // for robustness_test.go

	code := func() int {
		defer srv.stop()
		httpBase = "http://" + srv.httpAddr
		grpcAddr = srv.grpcAddr

		testDB, err = openDatabase(ctx, dbURL)
		if err != nil {
			fmt.Fprintf(os.Stderr, "e2e: connect to %s: %v\n", dbName, err)
			return 1
		}
		defer testDB.close()

		root := rootToken()
		connectAPI := newConnectAPI(httpBase+"/api", root)
		grpcAPI, closeGRPC, err := newGRPCAPI(srv.grpcAddr, root)
		if err != nil {
			fmt.Fprintf(os.Stderr, "e2e: grpc client: %v\n", err)
			return 1
		}
		defer closeGRPC()
		protocols = []*API{connectAPI, grpcAPI}

		return m.Run()
	}()

	if exitErr := srv.exitError(); exitErr != nil {
		fmt.Fprintf(os.Stderr, "e2e: server did not shut down cleanly: %v\n", exitErr)
	}
	if code != 0 {
		fmt.Fprintln(os.Stderr, "e2e: tests failed; last lines of the server log:")
		srv.dumpLog(os.Stderr, 150)
		srv.closeLog()
		fmt.Fprintf(os.Stderr, "e2e: database %s kept for inspection\n", dbName)
		return code
	}
	srv.closeLog()
	if os.Getenv(envKeepDB) == "" {
		dropCtx, dropCancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer dropCancel()
		if err := dropDatabase(dropCtx, adminURL, dbName); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: drop database %s: %v\n", dbName, err)
		}
	}
	return code
}

// createDatabase creates dbName in the PostgreSQL at adminURL and returns the
// URL of the new database.
func createDatabase(ctx context.Context, adminURL, dbName string) (string, error) {
	u, err := url.Parse(adminURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("%s must be a postgres:// URL, got %q", envDatabaseURL, adminURL)
	}
	if h := u.Hostname(); h != "" && h != "127.0.0.1" && h != "localhost" && h != "::1" {
		return "", fmt.Errorf("%s must point at a loopback address, got host %q", envDatabaseURL, h)
	}
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{dbName}.Sanitize()); err != nil {
		return "", err
	}
	u.Path = "/" + dbName
	return u.String(), nil
}

func dropDatabase(ctx context.Context, adminURL, dbName string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{dbName}.Sanitize()+" WITH (FORCE)")
	return err
}

// server is the altalune binary running as a child process.
type server struct {
	cmd      *exec.Cmd
	httpAddr string
	grpcAddr string
	log      *os.File // server output; unlinked once the server runs
	exited   chan struct{}
	waitErr  error
	stopped  bool
}

// freeLoopbackAddrs returns n distinct free TCP addresses on 127.0.0.1.
func freeLoopbackAddrs(n int) ([]string, error) {
	addrs := make([]string, 0, n)
	listeners := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		listeners = append(listeners, l)
		addrs = append(addrs, l.Addr().String())
	}
	return addrs, nil
}

// serverEnv is the environment of the server: ours, without inherited
// ALTALUNE_* settings, plus its configuration.
func serverEnv(dbURL, httpAddr, grpcAddr, jwksFile string) []string {
	env := make([]string, 0, len(os.Environ())+3)
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "ALTALUNE_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"ALTALUNE_DATABASE_URL="+dbURL,
		"ALTALUNE_HTTP_ADDR="+httpAddr,
		"ALTALUNE_GRPC_ADDR="+grpcAddr,
		"ALTALUNE_AUTH_JWKS_FILE="+jwksFile,
	)
}

func startServer(bin, dbURL, jwksFile string) (*server, error) {
	addrs, err := freeLoopbackAddrs(2)
	if err != nil {
		return nil, fmt.Errorf("pick free ports: %w", err)
	}
	logFile, err := os.CreateTemp("", "altalune-e2e-server-*.log")
	if err != nil {
		return nil, err
	}
	// The file only needs a name until the server has it open: unlinked, it
	// disappears with the last descriptor, however the run ends.
	defer os.Remove(logFile.Name())

	s := &server{httpAddr: addrs[0], grpcAddr: addrs[1], log: logFile, exited: make(chan struct{})}
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env = serverEnv(dbURL, s.httpAddr, s.grpcAddr, jwksFile)
	s.cmd.Stdout = logFile
	s.cmd.Stderr = logFile
	s.cmd.SysProcAttr = serverSysProcAttr()
	// The server gets a parent-death signal (Linux) tied to the thread that
	// starts it; keep that thread alive for the whole run.
	runtime.LockOSThread()
	if err := s.cmd.Start(); err != nil {
		return s, fmt.Errorf("start %s serve: %w", bin, err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitHealthy(startTimeout); err != nil {
		return s, err
	}
	return s, nil
}

// waitHealthy polls GET /healthz until it answers 200.
func (s *server) waitHealthy(timeout time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(timeout)
	healthURL := "http://" + s.httpAddr + "/healthz"
	var last string
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("server exited during start-up (%v)", s.waitErr)
		default:
		}
		resp, err := client.Get(healthURL)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("server not healthy after %s: GET %s: %s", timeout, healthURL, last)
}

// stop sends SIGTERM, waits, and kills the server after stopTimeout.
func (s *server) stop() {
	if s.stopped || s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.stopped = true
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(stopTimeout):
		fmt.Fprintf(os.Stderr, "e2e: server ignored SIGTERM for %s; killing it\n", stopTimeout)
		_ = s.cmd.Process.Kill()
		select {
		case <-s.exited:
		case <-time.After(stopTimeout):
			fmt.Fprintf(os.Stderr, "e2e: server pid %d did not exit after SIGKILL\n", s.cmd.Process.Pid)
		}
	}
}

// exitError reports how the server ended when it did not end cleanly.
func (s *server) exitError() error {
	select {
	case <-s.exited:
	default:
		return errors.New("still running")
	}
	if s.waitErr == nil {
		return nil
	}
	var ee *exec.ExitError
	if errors.As(s.waitErr, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGTERM {
			return nil // died of the SIGTERM we sent, without a handler
		}
	}
	return s.waitErr
}

func (s *server) dumpLog(w *os.File, maxLines int) {
	info, err := s.log.Stat()
	if err != nil {
		fmt.Fprintf(w, "e2e: read server log: %v\n", err)
		return
	}
	var lines []string
	sc := bufio.NewScanner(io.NewSectionReader(s.log, 0, info.Size()))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > maxLines {
			lines = lines[1:]
		}
	}
	for _, l := range lines {
		fmt.Fprintf(w, "  | %s\n", l)
	}
}

func (s *server) closeLog() { _ = s.log.Close() }

// fuzzServerLog is the output file of the running server (set by run), read
// by robustness_test.go to find panics.
var fuzzServerLog *os.File
