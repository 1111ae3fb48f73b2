package altalune

import "google.golang.org/grpc/codes"

// CodeAPIKeyUnknownSecret extends the API key block (606XX) next to the
// generated not-found and already-exists codes.
const CodeAPIKeyUnknownSecret = "60603"

// NewAPIKeyUnknownSecretError answers a lookup by a secret that no API key
// of the project has; it does not repeat the secret.
func NewAPIKeyUnknownSecretError() *AppError {
	return newError(CodeAPIKeyUnknownSecret, codes.NotFound, "No API key has this secret", nil)
}
