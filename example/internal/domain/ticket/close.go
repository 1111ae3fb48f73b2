package ticket

import (
	"context"
	"errors"

	"github.com/hrz8/altalune"
	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

// CloseTicket, the custom RPC of TicketService, written by hand beside the
// generated domain.

const closeTicket = `
UPDATE altalune_example_tickets
SET state = 'closed', resolution = $3, closed_at = CURRENT_TIMESTAMP, updated_at = CURRENT_TIMESTAMP
WHERE project_id = $1 AND public_id = $2 AND state <> 'closed'
RETURNING ` + ticketColumns

// CustomRepositor holds the repository methods the custom RPCs of
// TicketService need beyond the generated ones; the generated Repositor
// embeds it, so *Repo must implement them.
type CustomRepositor interface {
	// Close marks an open ticket closed.
	Close(ctx context.Context, projectID int64, publicID, resolution string) (*TicketQueryResult, error)
}

// Close marks an open ticket closed; a ticket that is missing or already
// closed gives ErrTicketNotFound.
func (r *Repo) Close(ctx context.Context, projectID int64, publicID, resolution string) (*TicketQueryResult, error) {
	return r.one(ctx, r.conn(ctx).QueryRowContext(ctx, closeTicket, projectID, publicID, resolution))
}

// CloseTicket closes a ticket with a resolution.
func (s *Service) CloseTicket(ctx context.Context, req *altalunev1.CloseTicketRequest) (*altalunev1.CloseTicketResponse, error) {
	projectID, err := s.project(ctx, req, req.GetProjectId())
	if err != nil {
		return nil, err
	}
	current, err := s.repo.GetByID(ctx, projectID, req.GetTicketId())
	if err != nil {
		return nil, s.fail(ctx, "close ticket", err, req.GetTicketId())
	}
	if current.State == TicketStateClosed {
		return nil, altalune.NewTicketAlreadyClosedError(req.GetTicketId())
	}
	result, err := s.repo.Close(ctx, projectID, req.GetTicketId(), req.GetResolution())
	if errors.Is(err, ErrTicketNotFound) {
		// Closed by someone else since it was read.
		return nil, altalune.NewTicketAlreadyClosedError(req.GetTicketId())
	}
	if err != nil {
		return nil, s.fail(ctx, "close ticket", err, req.GetTicketId())
	}
	return &altalunev1.CloseTicketResponse{
		Ticket:  result.ToTicket().ToProto(),
		Message: "Ticket closed successfully",
	}, nil
}

// BeforeDelete refuses to delete a closed ticket: it is kept for the record.
// input.Row is the ticket as the delete's transaction read it.
func (s *Service) BeforeDelete(_ context.Context, input *DeleteTicketInput) error {
	if input.Row.State == TicketStateClosed {
		return altalune.NewTicketClosedKeptError(input.PublicID)
	}
	return nil
}
