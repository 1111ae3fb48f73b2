package project

import (
	"context"

	"github.com/hrz8/altalune/internal/shared/query"
)

// Repositor stores projects. Other domains use it to resolve the public ID
// of a request's project into the internal ID their tables are partitioned
// by.
type Repositor interface {
	// Create stores a new project and creates its partitions.
	Create(ctx context.Context, input *CreateProjectInput) (*Project, error)
	// GetByPublicID returns ErrProjectNotFound when no project has publicID.
	GetByPublicID(ctx context.Context, publicID string) (*Project, error)
	// GetIDByPublicID returns ErrProjectNotFound when no project has
	// publicID.
	GetIDByPublicID(ctx context.Context, publicID string) (int64, error)
	// Query returns one page of projects whose name contains the keyword.
	Query(ctx context.Context, params *query.QueryParams) (*query.QueryResult[Project], error)
}
