package apikey

import (
	"context"

	"github.com/hrz8/altalune"
)

// The limit of active API keys per project, enforced by the AfterCreate and
// AfterUpdate hooks api_key.proto declares. They run in the write's
// transaction, after it, so the count includes the written key and a
// refusal rolls the write back.

// maxActiveKeys is the number of active API keys a project may hold.
const maxActiveKeys = 25

// lockProjectKeys serialises the writes of one project's keys until their
// transactions end. FOR NO KEY UPDATE does not wait for the key-share lock
// the inserted row's foreign key holds on the project, so two creates
// cannot deadlock; it only waits for the other write's transaction.
const lockProjectKeys = `SELECT 1 FROM altalune_projects WHERE id = $1 FOR NO KEY UPDATE`

const countActiveKeys = `SELECT COUNT(*) FROM altalune_api_keys WHERE project_id = $1 AND active`

// CountActive counts the active keys of a project once the other writes of
// its keys are over. Called in a transaction (a hook's ctx), it holds the
// project's lock until that transaction ends.
func (r *Repo) CountActive(ctx context.Context, projectID int64) (int, error) {
	conn := r.conn(ctx)
	if _, err := conn.ExecContext(ctx, lockProjectKeys, projectID); err != nil {
		return 0, err
	}
	var n int
	err := conn.QueryRowContext(ctx, countActiveKeys, projectID).Scan(&n)
	return n, err
}

// AfterCreate refuses a created active key beyond the project's limit.
func (s *Service) AfterCreate(ctx context.Context, input *CreateAPIKeyInput, row *APIKeyQueryResult) error {
	return s.checkActiveLimit(ctx, input.ProjectID, row)
}

// AfterUpdate refuses an update that makes a key active beyond the
// project's limit.
func (s *Service) AfterUpdate(ctx context.Context, input *UpdateAPIKeyInput, row *APIKeyQueryResult) error {
	return s.checkActiveLimit(ctx, input.ProjectID, row)
}

func (s *Service) checkActiveLimit(ctx context.Context, projectID int64, row *APIKeyQueryResult) error {
	if !row.Active {
		return nil
	}
	n, err := s.repo.CountActive(ctx, projectID)
	if err != nil {
		return err
	}
	if n > maxActiveKeys {
		return altalune.NewAPIKeyLimitReachedError(maxActiveKeys)
	}
	return nil
}
