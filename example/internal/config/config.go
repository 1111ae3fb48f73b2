// Package config reads the service configuration from the environment.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
)

// Environment variables the service reads.
const (
	EnvDatabaseURL = "ALTALUNE_DATABASE_URL"
	EnvHTTPAddr    = "ALTALUNE_HTTP_ADDR"
	EnvGRPCAddr    = "ALTALUNE_GRPC_ADDR"
	EnvMigrate     = "ALTALUNE_MIGRATE"
	EnvLogLevel    = "ALTALUNE_LOG_LEVEL"
	EnvLogFormat   = "ALTALUNE_LOG_FORMAT"
	EnvAuthJWKS    = "ALTALUNE_AUTH_JWKS_FILE"
	EnvAuthIssuer  = "ALTALUNE_AUTH_ISSUER"
	EnvAuthAud     = "ALTALUNE_AUTH_AUDIENCE"
)

// Defaults of the optional settings.
const (
	DefaultHTTPAddr  = "127.0.0.1:8080"
	DefaultGRPCAddr  = "127.0.0.1:9090"
	DefaultLogFormat = LogFormatText
)

// Log formats.
const (
	LogFormatText = "text"
	LogFormatJSON = "json"
)

// Config is the service configuration.
type Config struct {
	// DatabaseURL is the PostgreSQL connection URL or DSN. Required.
	DatabaseURL string
	// HTTPAddr is where the Connect API and /healthz listen.
	HTTPAddr string
	// GRPCAddr is where the gRPC API (with reflection) listens.
	GRPCAddr string
	// Migrate applies pending migrations when the server starts.
	Migrate bool
	// LogLevel drops log records below it.
	LogLevel slog.Level
	// LogFormat is LogFormatText or LogFormatJSON.
	LogFormat string
	// AuthJWKSFile is a JWKS document holding the public keys that sign
	// access tokens (RS256). Required to serve: nothing is fetched from the
	// network.
	AuthJWKSFile string
	// AuthIssuer and AuthAudience, when set, must match a token's iss and
	// aud claims.
	AuthIssuer   string
	AuthAudience string
}

// Load reads the configuration through getenv, which is os.Getenv outside
// tests. Unset and empty variables take their defaults.
func Load(getenv func(string) string) (*Config, error) {
	cfg := &Config{
		DatabaseURL: getenv(EnvDatabaseURL),
		HTTPAddr:    valueOr(getenv(EnvHTTPAddr), DefaultHTTPAddr),
		GRPCAddr:    valueOr(getenv(EnvGRPCAddr), DefaultGRPCAddr),
		Migrate:     true,
		LogLevel:    slog.LevelInfo,
		LogFormat:   valueOr(getenv(EnvLogFormat), DefaultLogFormat),

		AuthJWKSFile: getenv(EnvAuthJWKS),
		AuthIssuer:   getenv(EnvAuthIssuer),
		AuthAudience: getenv(EnvAuthAud),
	}
	var errs []error
	if cfg.DatabaseURL == "" {
		errs = append(errs, fmt.Errorf("%s is required", EnvDatabaseURL))
	}
	if v := getenv(EnvMigrate); v != "" {
		migrate, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not a boolean", EnvMigrate, v))
		}
		cfg.Migrate = migrate
	}
	if v := getenv(EnvLogLevel); v != "" {
		if err := cfg.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not a level (debug, info, warn, error)", EnvLogLevel, v))
		}
	}
	if cfg.LogFormat != LogFormatText && cfg.LogFormat != LogFormatJSON {
		errs = append(errs, fmt.Errorf("%s: %q is not %q or %q", EnvLogFormat, cfg.LogFormat, LogFormatText, LogFormatJSON))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return cfg, nil
}

// RequireAuth reports the settings serving needs beyond Load's: the keys
// that verify access tokens.
func (c *Config) RequireAuth() error {
	if c.AuthJWKSFile == "" {
		return fmt.Errorf("%s is required to serve: the JWKS file of the keys that sign access tokens", EnvAuthJWKS)
	}
	return nil
}

func valueOr(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
}
