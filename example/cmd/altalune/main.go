// Command altalune runs the Altalune API server and manages its database
// schema.
//
// Usage:
//
//	altalune [serve]                 run the gRPC and Connect servers
//	altalune migrate up|down|status  apply, roll back one, or list migrations
//	altalune access                  list what every RPC requires of its caller
//	altalune schema check            compare the live tables with what the generated repositories assume
//
// Configuration comes from the environment:
//
//	ALTALUNE_DATABASE_URL  PostgreSQL connection URL (required)
//	ALTALUNE_AUTH_JWKS_FILE  JWKS of the keys that sign access tokens (required to serve)
//	ALTALUNE_AUTH_ISSUER   required iss claim of access tokens (optional)
//	ALTALUNE_AUTH_AUDIENCE required aud claim of access tokens (optional)
//	ALTALUNE_HTTP_ADDR     Connect API and /healthz (default 127.0.0.1:8080)
//	ALTALUNE_GRPC_ADDR     gRPC API with reflection (default 127.0.0.1:9090)
//	ALTALUNE_MIGRATE       apply pending migrations on serve (default true)
//	ALTALUNE_LOG_LEVEL     debug, info, warn or error (default info)
//	ALTALUNE_LOG_FORMAT    text or json (default text)
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/hrz8/altalune"
	"github.com/hrz8/altalune/database"
	"github.com/hrz8/altalune/internal/config"
	"github.com/hrz8/altalune/internal/container"
	"github.com/hrz8/altalune/internal/postgres"
	"github.com/hrz8/altalune/internal/server"
	"github.com/hrz8/altalune/internal/shared/domainkit"
)

const usage = `usage:
  altalune [serve]                 run the gRPC and Connect servers
  altalune migrate up|down|status  apply, roll back one, or list migrations
  altalune access                  list what every RPC requires of its caller
  altalune schema check            compare the live tables with what the generated repositories assume
`

// errUsage marks a command line that could not be understood.
var errUsage = errors.New("invalid usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, errUsage):
		fmt.Fprintf(os.Stderr, "altalune: %v\n%s", err, usage)
		os.Exit(2)
	case err != nil:
		fmt.Fprintf(os.Stderr, "altalune: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	command := "serve"
	if len(args) > 0 {
		command, args = args[0], args[1:]
	}

	switch command {
	case "help", "-h", "-help", "--help":
		_, err := io.WriteString(stdout, usage)
		return err
	case "access":
		if len(args) != 0 {
			return fmt.Errorf("%w: access takes no arguments", errUsage)
		}
		return printAccess(stdout)
	case "serve", "migrate", "schema":
	default:
		return fmt.Errorf("%w: unknown command %q", errUsage, command)
	}

	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	log := newLogger(cfg, stderr)

	if command == "schema" {
		if len(args) != 1 || args[0] != "check" {
			return fmt.Errorf("%w: schema takes one action: check", errUsage)
		}
		return checkSchema(ctx, cfg, stdout)
	}
	if command == "migrate" {
		if len(args) != 1 {
			return fmt.Errorf("%w: migrate needs exactly one of up, down, status", errUsage)
		}
		return migrate(ctx, cfg, log, args[0], stdout)
	}
	if len(args) != 0 {
		return fmt.Errorf("%w: serve takes no arguments", errUsage)
	}
	return serve(ctx, cfg, log)
}

func newLogger(cfg *config.Config, w io.Writer) altalune.Logger {
	log := altalune.NewLogger(w, cfg.LogLevel)
	if cfg.LogFormat == config.LogFormatJSON {
		return log.JSON()
	}
	return log
}

// serve applies pending migrations (unless disabled) and serves until ctx
// is done.
func serve(ctx context.Context, cfg *config.Config, log altalune.Logger) error {
	c, err := container.CreateContainer(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := c.Close(); err != nil {
			log.Warn("close database", "error", err)
		}
	}()

	if cfg.Migrate {
		results, err := database.Migrate(ctx, c.GetDB().GetDB(), database.Up)
		if err != nil {
			return err
		}
		log.Info("migrations applied", "count", len(results))
	}

	return server.New(c, cfg.HTTPAddr, cfg.GRPCAddr).Run(ctx)
}

// printAccess lists every RPC with the permission it requires, whether the
// caller must also be a member of the request's project, or that it is
// public.
func printAccess(stdout io.Writer) error {
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROCEDURE\tREQUIRES")
	for _, a := range server.Access() {
		requires := a.Permission
		switch {
		case a.Public:
			requires = "public"
		case a.Project:
			requires += " + project membership"
		}
		fmt.Fprintf(tw, "%s\t%s\n", a.Procedure, requires)
	}
	return tw.Flush()
}

// errSchemaDiffers marks a schema check that found differences.
var errSchemaDiffers = errors.New("the database differs from what the generated repositories assume")

// checkSchema prints, one line each, how every table of a generated domain
// differs from what its repository assumes, with the SQL that fixes it, and
// fails when there is any difference.
func checkSchema(ctx context.Context, cfg *config.Config, stdout io.Writer) error {
	db, err := postgres.Connect(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()

	tables := container.Schemas()
	diffs, err := domainkit.CheckSchema(ctx, db, tables...)
	if err != nil {
		return err
	}
	for _, d := range diffs {
		if _, err := fmt.Fprintln(stdout, d); err != nil {
			return err
		}
	}
	switch len(diffs) {
	case 0:
	case 1:
		return fmt.Errorf("%w: 1 difference in %d tables checked", errSchemaDiffers, len(tables))
	default:
		return fmt.Errorf("%w: %d differences in %d tables checked", errSchemaDiffers, len(diffs), len(tables))
	}
	_, err = fmt.Fprintf(stdout, "%d tables match what the generated repositories assume\n", len(tables))
	return err
}

// migrate runs the migrate subcommand action: up, down or status.
func migrate(ctx context.Context, cfg *config.Config, log altalune.Logger, action string, stdout io.Writer) error {
	var direction database.Direction
	switch action {
	case "up":
		direction = database.Up
	case "down":
		direction = database.Down
	case "status":
	default:
		return fmt.Errorf("%w: unknown migrate action %q", errUsage, action)
	}

	db, err := postgres.Connect(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()

	if action == "status" {
		statuses, err := database.Status(ctx, db.GetDB())
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "VERSION\tSTATE\tAPPLIED AT\tSOURCE")
		for _, st := range statuses {
			appliedAt := "-"
			if !st.AppliedAt.IsZero() {
				appliedAt = st.AppliedAt.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", st.Source.Version, st.State, appliedAt, st.Source.Path)
		}
		return tw.Flush()
	}

	results, err := database.Migrate(ctx, db.GetDB(), direction)
	for _, r := range results {
		log.Info("migration "+action, "version", r.Source.Version, "source", r.Source.Path, "duration", r.Duration)
	}
	if err != nil {
		return err
	}
	if len(results) == 0 {
		log.Info("no migrations to apply")
	}
	return nil
}
