package webhook

import (
	"context"
	"strings"
)

// BeforeCreate sets the server-side slug column from the URL.
func (s *Service) BeforeCreate(_ context.Context, input *CreateWebhookInput) error {
	input.Slug = strings.ToLower(strings.TrimPrefix(input.URL, "https://"))
	return nil
}
