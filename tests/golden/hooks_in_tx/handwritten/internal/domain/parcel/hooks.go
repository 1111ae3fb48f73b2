package parcel

import (
	"context"
	"errors"
)

var errTooHeavy = errors.New("parcel too heavy")

// The hooks of Parcel: the after hooks see the written row and may refuse
// it, which rolls back the write.

func (s *Service) BeforeCreate(_ context.Context, input *CreateParcelInput) error {
	if input.WeightGrams < 0 {
		input.WeightGrams = 0
	}
	return nil
}

func (s *Service) AfterCreate(ctx context.Context, _ *CreateParcelInput, row *ParcelQueryResult) error {
	return s.checkWeight(ctx, row)
}

func (s *Service) BeforeUpdate(_ context.Context, _ *UpdateParcelInput) error {
	return nil
}

func (s *Service) AfterUpdate(ctx context.Context, _ *UpdateParcelInput, row *ParcelQueryResult) error {
	return s.checkWeight(ctx, row)
}

func (s *Service) BeforeDelete(_ context.Context, input *DeleteParcelInput) error {
	if input.Row.WeightGrams > 1000 {
		return errTooHeavy
	}
	return nil
}

func (s *Service) AfterDelete(context.Context, *DeleteParcelInput, *ParcelQueryResult) error {
	return nil
}

func (s *Service) checkWeight(ctx context.Context, row *ParcelQueryResult) error {
	if row.WeightGrams <= 50000 {
		return nil
	}
	// Read back in the write's transaction: the row is there until the
	// refusal rolls it back.
	if _, err := s.repo.GetByID(ctx, 0, row.PublicID); err != nil {
		return err
	}
	return errTooHeavy
}
