package employee

import (
	"context"
	"time"

	"github.com/hrz8/altalune"
)

// The business rules of employees, applied by the generated Service through
// the hooks employee.proto declares (hooks: [HOOK_BEFORE_CREATE,
// HOOK_BEFORE_UPDATE]): it calls these methods directly, so a missing or
// mistyped one fails to compile.

// BeforeCreate refuses a hire date in the future.
func (s *Service) BeforeCreate(_ context.Context, input *CreateEmployeeInput) error {
	return checkHireDate(input.HiredAt)
}

// BeforeUpdate refuses a hire date in the future.
func (s *Service) BeforeUpdate(_ context.Context, input *UpdateEmployeeInput) error {
	return checkHireDate(input.HiredAt)
}

func checkHireDate(hiredAt *time.Time) error {
	if hiredAt != nil && hiredAt.After(time.Now()) {
		return altalune.NewInvalidPayloadError("hired_at cannot be in the future")
	}
	return nil
}
