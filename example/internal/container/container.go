// Package container builds the service's object graph once at start-up:
// the database, every repository and every service, shared by the gRPC and
// the Connect servers.
package container

import (
	"context"
	"fmt"

	"buf.build/go/protovalidate"

	"github.com/hrz8/altalune"
	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
	"github.com/hrz8/altalune/internal/auth"
	"github.com/hrz8/altalune/internal/config"
	project_domain "github.com/hrz8/altalune/internal/domain/project"
	"github.com/hrz8/altalune/internal/postgres"
	"github.com/hrz8/altalune/internal/shared/domainkit"
)

// Container owns the dependencies of the service. The domains
// protoc-gen-altalune generates live in the embedded generatedDomains; their
// getters (GetEmployeeService, ...) are promoted to Container.
type Container struct {
	generatedDomains

	db  *postgres.Postgres
	log altalune.Logger

	jwtValidator *auth.JWTValidator
	authorizer   *auth.Authorizer

	projectRepo    *project_domain.Repo
	projectService *project_domain.Service
}

// CreateContainer loads the token keys of cfg, connects to its database and
// builds every repository and service. Close releases what it holds.
func CreateContainer(ctx context.Context, cfg *config.Config, log altalune.Logger) (*Container, error) {
	if err := cfg.RequireAuth(); err != nil {
		return nil, err
	}
	validator, err := auth.NewJWTValidatorFromFile(cfg.AuthJWKSFile, auth.ValidatorOptions{
		Issuer:   cfg.AuthIssuer,
		Audience: cfg.AuthAudience,
	})
	if err != nil {
		return nil, fmt.Errorf("load token keys: %w", err)
	}
	db, err := postgres.Connect(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	c := &Container{db: db, log: log, jwtValidator: validator, authorizer: auth.NewAuthorizer()}

	c.initRepositories()
	if err := c.initServices(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return c, nil
}

// Schemas lists the table every generated repository assumes, for
// domainkit.CheckSchema (altalune schema check).
func Schemas() []domainkit.Table {
	return generatedSchemas()
}

func (c *Container) initRepositories() {
	c.projectRepo = project_domain.NewRepo(c.db)

	c.initGeneratedRepositories(c.db)
}

func (c *Container) initServices() error {
	validator, err := protovalidate.New()
	if err != nil {
		return fmt.Errorf("create request validator: %w", err)
	}

	c.projectService = project_domain.NewService(validator, c.log, c.projectRepo)

	c.initGeneratedServices(validator, c.log, c.projectRepo)
	return nil
}

// GetProjectService returns the ProjectService.
func (c *Container) GetProjectService() altalunev1.ProjectServiceServer {
	return c.projectService
}

// GetProjectRepository returns the project repository, through which other
// domains resolve project public IDs.
func (c *Container) GetProjectRepository() project_domain.Repositor {
	return c.projectRepo
}

// GetAuthorizer returns the authorizer every handler checks its callers
// with.
func (c *Container) GetAuthorizer() *auth.Authorizer {
	return c.authorizer
}

// GetJWTValidator returns the validator of access tokens, which the
// authentication interceptors of both servers use.
func (c *Container) GetJWTValidator() *auth.JWTValidator {
	return c.jwtValidator
}

// GetDB returns the database.
func (c *Container) GetDB() postgres.DB {
	return c.db
}

// GetLogger returns the logger.
func (c *Container) GetLogger() altalune.Logger {
	return c.log
}

// Close closes the database pool.
func (c *Container) Close() error {
	return c.db.Close()
}
