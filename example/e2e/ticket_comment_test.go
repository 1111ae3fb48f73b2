//go:build e2e

package e2e

import (
	"context"
	"testing"

	"connectrpc.com/connect"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
	ticket_domain "github.com/hrz8/altalune/internal/domain/ticket"
	ticketcomment_domain "github.com/hrz8/altalune/internal/domain/ticketcomment"
	"github.com/hrz8/altalune/internal/postgres"
)

// TicketComment is a child of Ticket: its ticket_id references the ticket
// within the project, GetTicket lists the ticket's comments, and deleting
// the ticket deletes them.

func newCommentRequest(projectID, ticketID string) *altalunev1.CreateTicketCommentRequest {
	return &altalunev1.CreateTicketCommentRequest{ProjectId: projectID, TicketId: ticketID, Author: "agent", Body: uniq("Looking into it ")}
}

func createComment(t *testing.T, api *API, req *altalunev1.CreateTicketCommentRequest) *altalunev1.TicketComment {
	t.Helper()
	res, err := api.Comments.Create(ctxFor(t), req)
	requireOK(t, err, "CreateTicketComment")
	return res.GetTicketComment()
}

func TestTicketComments(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, api *API) {
		t.Run("GetTicket lists the ticket's comments, oldest first, and only its own", func(t *testing.T) {
			p := newProject(t, api)
			tk := createTicket(t, api, newTicketRequest(p.PublicID))
			other := createTicket(t, api, newTicketRequest(p.PublicID))
			res, err := api.Tickets.Get(ctxFor(t), &altalunev1.GetTicketRequest{ProjectId: p.PublicID, TicketId: tk.GetId()})
			requireOK(t, err, "GetTicket without comments")
			requireEqual(t, len(res.GetComments()), 0, "comments of a new ticket")

			var want []string
			for range 3 {
				c := createComment(t, api, newCommentRequest(p.PublicID, tk.GetId()))
				requireEqual(t, c.GetTicketId(), tk.GetId(), "ticket_id")
				want = append(want, c.GetId())
			}
			createComment(t, api, newCommentRequest(p.PublicID, other.GetId()))
			res, err = api.Tickets.Get(ctxFor(t), &altalunev1.GetTicketRequest{ProjectId: p.PublicID, TicketId: tk.GetId()})
			requireOK(t, err, "GetTicket")
			requireProtoEqual(t, res.GetTicket(), tk, "the ticket")
			requireStrings(t, ids(res.GetComments()), want, "comments")
		})

		t.Run("a comment names a ticket of its project", func(t *testing.T) {
			p := newProject(t, api)
			elsewhere := newProject(t, api)
			foreign := createTicket(t, api, newTicketRequest(elsewhere.PublicID))
			before := countRows(t, commentsTable)
			for what, ticketID := range map[string]string{
				"a missing ticket":         randomPublicID(),
				"another project's ticket": foreign.GetId(),
			} {
				_, err := api.Comments.Create(ctxFor(t), newCommentRequest(p.PublicID, ticketID))
				requireInvalidPayload(t, err, "CreateTicketComment on "+what)
			}
			requireRowCount(t, commentsTable, before)
		})

		t.Run("deleting a ticket deletes its comments", func(t *testing.T) {
			p := newProject(t, api)
			tk := createTicket(t, api, newTicketRequest(p.PublicID))
			c := createComment(t, api, newCommentRequest(p.PublicID, tk.GetId()))
			_, err := api.Tickets.Delete(ctxFor(t), &altalunev1.DeleteTicketRequest{ProjectId: p.PublicID, TicketId: tk.GetId()})
			requireOK(t, err, "DeleteTicket")
			requireEqual(t, dbCount(t, "SELECT COUNT(*) FROM altalune_example_ticket_comments WHERE public_id = $1", c.GetId()),
				int64(0), "rows of the deleted ticket's comment")
			_, err = api.Comments.Delete(ctxFor(t), &altalunev1.DeleteTicketCommentRequest{ProjectId: p.PublicID, TicketCommentId: c.GetId()})
			requireAPIError(t, err, "DeleteTicketComment of a cascaded comment", connect.CodeNotFound, "61001", anyMeta)
		})
	})
}

// TestReposForOtherDomains: the repository methods other domains call, on
// the database the server writes: a ticket by its internal ID, and a
// ticket's comments through either side.
func TestReposForOtherDomains(t *testing.T) {
	api := protocols[0]
	p := newProject(t, api)
	tk := createTicket(t, api, newTicketRequest(p.PublicID))
	c := createComment(t, api, newCommentRequest(p.PublicID, tk.GetId()))
	var internalID int64
	dbScan(t, "SELECT id FROM altalune_example_tickets WHERE project_id = $1 AND public_id = $2", []any{p.ID, tk.GetId()}, &internalID)

	ctx, cancel := context.WithTimeout(t.Context(), dbTimeout)
	defer cancel()
	db, err := postgres.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tickets := ticket_domain.NewRepo(db)
	got, err := tickets.GetByInternalID(ctx, p.ID, internalID)
	if err != nil || got.PublicID != tk.GetId() {
		t.Fatalf("GetByInternalID = %v, %v; want ticket %s", got, err, tk.GetId())
	}
	if _, err := tickets.GetByInternalID(ctx, p.ID+1000000, internalID); err != ticket_domain.ErrTicketNotFound {
		t.Fatalf("GetByInternalID in another project = %v, want ErrTicketNotFound", err)
	}
	fromParent, err := tickets.ListTicketComments(ctx, p.ID, tk.GetId())
	if err != nil || len(fromParent) != 1 || fromParent[0].ID != c.GetId() {
		t.Fatalf("ListTicketComments = %v, %v; want comment %s", fromParent, err, c.GetId())
	}
	fromChild, err := ticketcomment_domain.NewRepo(db).ListByTicket(ctx, p.ID, tk.GetId())
	if err != nil || len(fromChild) != 1 || fromChild[0].ID != c.GetId() {
		t.Fatalf("ListByTicket = %v, %v; want comment %s", fromChild, err, c.GetId())
	}
}
