package project

import "errors"

// ErrProjectNotFound is returned by the repository when no project has the
// requested public ID.
var ErrProjectNotFound = errors.New("project not found")
