package staff

import (
	"context"

	"github.com/hrz8/altalune"
	hrv1 "github.com/hrz8/altalune/gen/acme/hr/v1"
)

// CustomRepositor: DeletePerson needs no repository method of its own.
type CustomRepositor interface{}

// DeletePerson is a custom RPC by option: only inactive people are deleted.
func (s *Service) DeletePerson(ctx context.Context, req *hrv1.DeletePersonRequest) (*hrv1.DeletePersonResponse, error) {
	projectID, err := s.project(ctx, req, req.GetProjectId())
	if err != nil {
		return nil, err
	}
	current, err := s.repo.GetByID(ctx, projectID, req.GetPersonId())
	if err != nil {
		return nil, s.fail(ctx, "delete person", err, req.GetPersonId())
	}
	if current.Active {
		return nil, altalune.NewInvalidPayloadError("an active person cannot be deleted")
	}
	input := &DeletePersonInput{ProjectID: projectID, PublicID: current.PublicID}
	if err := s.remove(ctx, input); err != nil {
		return nil, s.fail(ctx, "delete person", err, input.PublicID)
	}
	return &hrv1.DeletePersonResponse{Message: "Person deleted"}, nil
}
