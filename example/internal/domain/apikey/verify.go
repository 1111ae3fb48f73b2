package apikey

import (
	"context"
	"errors"

	"github.com/hrz8/altalune"
	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

// CustomRepositor holds the repository methods written by hand: VerifyApiKey
// needs none beyond the generated GetBySecret, and the active-key limit
// (limit.go) counts with CountActive.
type CustomRepositor interface {
	// CountActive counts the active keys of a project, serialised with the
	// other writes of its keys.
	CountActive(ctx context.Context, projectID int64) (int, error)
}

// VerifyApiKey finds the API key of the request's project that the secret
// belongs to: the repository compares the secret's hash, as only the hash
// is stored.
func (s *Service) VerifyApiKey(ctx context.Context, req *altalunev1.VerifyApiKeyRequest) (*altalunev1.VerifyApiKeyResponse, error) {
	projectID, err := s.project(ctx, req, req.GetProjectId())
	if err != nil {
		return nil, err
	}
	result, err := s.repo.GetBySecret(ctx, projectID, req.GetKey())
	if errors.Is(err, ErrAPIKeyNotFound) {
		return nil, altalune.NewAPIKeyUnknownSecretError()
	}
	if err != nil {
		return nil, s.fail(ctx, "verify API key", err, "")
	}
	return &altalunev1.VerifyApiKeyResponse{ApiKey: result.ToAPIKey().ToProto()}, nil
}
