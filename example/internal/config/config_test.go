package config

import (
	"log/slog"
	"reflect"
	"strings"
	"testing"
)

func env(vars map[string]string) func(string) string {
	return func(key string) string { return vars[key] }
}

func TestLoadDefaults(t *testing.T) {
	cfg, err := Load(env(map[string]string{EnvDatabaseURL: "postgres://localhost/altalune"}))
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		DatabaseURL: "postgres://localhost/altalune",
		HTTPAddr:    "127.0.0.1:8080",
		GRPCAddr:    "127.0.0.1:9090",
		Migrate:     true,
		LogLevel:    slog.LevelInfo,
		LogFormat:   "text",
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("Load() = %+v, want %+v", cfg, want)
	}
}

func TestLoadOverrides(t *testing.T) {
	cfg, err := Load(env(map[string]string{
		EnvDatabaseURL: "postgres://db/altalune",
		EnvHTTPAddr:    ":8081",
		EnvGRPCAddr:    "127.0.0.1:0",
		EnvMigrate:     "false",
		EnvLogLevel:    "DEBUG",
		EnvLogFormat:   "json",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		DatabaseURL: "postgres://db/altalune",
		HTTPAddr:    ":8081",
		GRPCAddr:    "127.0.0.1:0",
		Migrate:     false,
		LogLevel:    slog.LevelDebug,
		LogFormat:   "json",
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("Load() = %+v, want %+v", cfg, want)
	}
}

func TestLoadErrors(t *testing.T) {
	_, err := Load(env(map[string]string{
		EnvMigrate:   "maybe",
		EnvLogLevel:  "loud",
		EnvLogFormat: "xml",
	}))
	if err == nil {
		t.Fatal("Load() succeeded with invalid settings")
	}
	for _, name := range []string{EnvDatabaseURL, EnvMigrate, EnvLogLevel, EnvLogFormat} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name %s", err, name)
		}
	}
}

func TestLoadAuth(t *testing.T) {
	cfg, err := Load(env(map[string]string{
		EnvDatabaseURL: "postgres://db/altalune",
		EnvAuthJWKS:    "/etc/altalune/jwks.json",
		EnvAuthIssuer:  "https://auth.example",
		EnvAuthAud:     "altalune",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AuthJWKSFile != "/etc/altalune/jwks.json" || cfg.AuthIssuer != "https://auth.example" || cfg.AuthAudience != "altalune" {
		t.Errorf("auth settings = %q %q %q", cfg.AuthJWKSFile, cfg.AuthIssuer, cfg.AuthAudience)
	}
	if err := cfg.RequireAuth(); err != nil {
		t.Errorf("RequireAuth() = %v, want nil", err)
	}
}

func TestRequireAuthWithoutKeys(t *testing.T) {
	cfg, err := Load(env(map[string]string{EnvDatabaseURL: "postgres://db/altalune"}))
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.RequireAuth()
	if err == nil || !strings.Contains(err.Error(), EnvAuthJWKS) {
		t.Errorf("RequireAuth() = %v, want an error naming %s", err, EnvAuthJWKS)
	}
}
