package document

import (
	"context"
	"strings"
)

// BeforeUpdate, the hook document.proto declares, reads which fields the
// update writes: a title it writes is trimmed, and a published document
// gets a summary when the update leaves the summary out.
func (s *Service) BeforeUpdate(_ context.Context, input *UpdateDocumentInput) error {
	if input.Fields.Has("title") {
		input.Title = strings.TrimSpace(input.Title)
	}
	if input.Fields.Has("state") && input.State != nil && *input.State == DocumentStatePublished &&
		!input.Fields.Has("summary") {
		summary := "published"
		input.Summary = &summary
		input.Fields.Add("summary")
	}
	return nil
}
