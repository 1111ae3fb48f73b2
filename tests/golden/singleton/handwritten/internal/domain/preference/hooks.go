package preference

import "context"

// BeforeUpdate leaves the input as it is.
func (s *Service) BeforeUpdate(context.Context, *UpdatePreferenceInput) error { return nil }

// AfterUpdate reads the project's preference back in the update's
// transaction.
func (s *Service) AfterUpdate(ctx context.Context, input *UpdatePreferenceInput, _ *PreferenceQueryResult) error {
	_, err := s.repo.Get(ctx, input.ProjectID)
	return err
}
