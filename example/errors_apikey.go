package altalune

import (
	"fmt"
	"strconv"

	"google.golang.org/grpc/codes"
)

// CodeAPIKeyUnknownSecret extends the API key block (606XX) next to the
// generated not-found and already-exists codes.
const CodeAPIKeyUnknownSecret = "60603"

// NewAPIKeyUnknownSecretError answers a lookup by a secret that no API key
// of the project has; it does not repeat the secret.
func NewAPIKeyUnknownSecretError() *AppError {
	return newError(CodeAPIKeyUnknownSecret, codes.NotFound, "No API key has this secret", nil)
}

// CodeAPIKeyLimitReached refuses a write that would give a project more
// active API keys than it may hold.
const CodeAPIKeyLimitReached = "60604"

// NewAPIKeyLimitReachedError reports a create or update that would make
// more than limit API keys of a project active.
func NewAPIKeyLimitReachedError(limit int) *AppError {
	return newError(CodeAPIKeyLimitReached, codes.FailedPrecondition,
		fmt.Sprintf("A project may hold at most %d active API keys", limit),
		map[string]string{"limit": strconv.Itoa(limit)})
}
