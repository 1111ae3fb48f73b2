// Package project is the project domain: the tenant every partitioned entity
// belongs to. Creating a project creates its partition in every partitioned
// table.
package project

import "time"

// Project is a stored project.
type Project struct {
	ID        int64
	PublicID  string
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CreateProjectInput holds the values of a new project.
type CreateProjectInput struct {
	Name string
}
