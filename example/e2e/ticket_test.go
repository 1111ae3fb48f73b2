//go:build e2e

package e2e

import (
	"cmp"
	"fmt"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

// Ticket is a partitioned entity with a hand-written custom RPC, CloseTicket.

const (
	msgTicketCreated = "Ticket created successfully"
	msgTicketUpdated = "Ticket updated successfully"
	msgTicketDeleted = "Ticket deleted successfully"
	msgTicketClosed  = "Ticket closed successfully"

	priorityLow    = altalunev1.TicketPriority_TICKET_PRIORITY_LOW
	priorityNormal = altalunev1.TicketPriority_TICKET_PRIORITY_NORMAL
	priorityHigh   = altalunev1.TicketPriority_TICKET_PRIORITY_HIGH
	stateOpen      = altalunev1.TicketState_TICKET_STATE_OPEN
	stateClosed    = altalunev1.TicketState_TICKET_STATE_CLOSED
)

var (
	ticketPriorityDB = map[altalunev1.TicketPriority]string{priorityLow: "low", priorityNormal: "normal", priorityHigh: "high"}
	ticketStateDB    = map[altalunev1.TicketState]string{stateOpen: "open", stateClosed: "closed", altalunev1.TicketState_TICKET_STATE_ON_HOLD: "on_hold"}
)

func newTicketRequest(projectID string) *altalunev1.CreateTicketRequest {
	ref := uniq("REF")
	return &altalunev1.CreateTicketRequest{
		ProjectId: projectID,
		Reference: ref,
		Title:     "Ticket " + ref,
		Body:      "Something is broken.",
		Priority:  priorityNormal,
	}
}

func fullTicketRequest(projectID string) *altalunev1.CreateTicketRequest {
	req := newTicketRequest(projectID)
	req.Body = "Line one\nLine 'two' with \"quotes\" and ünïcode"
	req.Priority = priorityHigh
	req.AssigneeEmail = ptr(uniq("agent") + "@support.example")
	req.DueAt = timestamppb.New(micros(2031, time.July, 8, 9, 10, 11, 654321))
	req.Category = "Hardware / printers"
	req.ExternalRef = ptr(uniq("EXT-"))
	return req
}

func createTicket(t *testing.T, api *API, req *altalunev1.CreateTicketRequest) *altalunev1.Ticket {
	t.Helper()
	res, err := api.Tickets.Create(ctxFor(t), req)
	requireOK(t, err, "CreateTicket")
	requireMessage(t, res.GetMessage(), msgTicketCreated)
	if res.GetTicket().GetId() == "" {
		t.Fatal("CreateTicket returned a ticket without id")
	}
	return res.GetTicket()
}

func getTicket(t *testing.T, api *API, projectID, id string) *altalunev1.Ticket {
	t.Helper()
	res, err := api.Tickets.Get(ctxFor(t), &altalunev1.GetTicketRequest{ProjectId: projectID, TicketId: id})
	requireOK(t, err, "GetTicket")
	return res.GetTicket()
}

func expectedTicket(req *altalunev1.CreateTicketRequest, got *altalunev1.Ticket) *altalunev1.Ticket {
	priority := req.GetPriority()
	if priority == altalunev1.TicketPriority_TICKET_PRIORITY_UNSPECIFIED {
		priority = priorityLow
	}
	return &altalunev1.Ticket{
		Id:            got.GetId(),
		Reference:     req.GetReference(),
		Title:         req.GetTitle(),
		Body:          req.GetBody(),
		Priority:      priority,
		State:         stateOpen,
		AssigneeEmail: req.AssigneeEmail,
		DueAt:         req.GetDueAt(),
		Category:      req.GetCategory(),
		ExternalRef:   req.ExternalRef,
		CreatedAt:     got.GetCreatedAt(),
		UpdatedAt:     got.GetUpdatedAt(),
	}
}

func ticketUpdateFrom(projectID string, tk *altalunev1.Ticket) *altalunev1.UpdateTicketRequest {
	return &altalunev1.UpdateTicketRequest{
		ProjectId:     projectID,
		TicketId:      tk.GetId(),
		Reference:     tk.GetReference(),
		Title:         tk.GetTitle(),
		Body:          tk.GetBody(),
		Priority:      tk.GetPriority(),
		AssigneeEmail: tk.AssigneeEmail,
		DueAt:         tk.GetDueAt(),
		Category:      tk.GetCategory(),
		ExternalRef:   tk.ExternalRef,
	}
}

// requireTicketRow checks the raw database row of a ticket.
func requireTicketRow(t *testing.T, projectID int64, tk *altalunev1.Ticket) {
	t.Helper()
	var priority, state, resolution string
	var assignee *string
	var dueAt, closedAt *time.Time
	dbScan(t, `SELECT priority::text, state::text, resolution, assignee_email, due_at, closed_at
		FROM altalune_example_tickets WHERE project_id = $1 AND public_id = $2`, []any{projectID, tk.GetId()},
		&priority, &state, &resolution, &assignee, &dueAt, &closedAt)
	requireEqual(t, priority, ticketPriorityDB[tk.GetPriority()], "db priority")
	requireEqual(t, state, ticketStateDB[tk.GetState()], "db state")
	requireEqual(t, resolution, tk.GetResolution(), "db resolution")
	if (assignee == nil) != (tk.AssigneeEmail == nil) || (assignee != nil && *assignee != tk.GetAssigneeEmail()) {
		t.Fatalf("db assignee_email = %v, want %v", assignee, tk.AssigneeEmail)
	}
	for _, c := range []struct {
		name string
		db   *time.Time
		api  *timestamppb.Timestamp
	}{{"due_at", dueAt, tk.GetDueAt()}, {"closed_at", closedAt, tk.GetClosedAt()}} {
		if (c.db == nil) != (c.api == nil) || (c.db != nil && !c.db.Equal(c.api.AsTime())) {
			t.Fatalf("db %s = %v, want %v", c.name, c.db, c.api)
		}
	}
}

func TestTickets(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, api *API) {
		t.Run("create get and query round-trip every field", func(t *testing.T) {
			p := newProject(t, api)
			req := fullTicketRequest(p.PublicID)
			got := createTicket(t, api, req)
			want := expectedTicket(req, got)
			requireProtoEqual(t, got, want, "CreateTicket ticket")
			requireRecent(t, got.GetCreatedAt(), "created_at")
			requireRecent(t, got.GetUpdatedAt(), "updated_at")
			requireProtoEqual(t, getTicket(t, api, p.PublicID, got.GetId()), want, "GetTicket ticket")
			q, err := api.Tickets.Query(ctxFor(t), &altalunev1.QueryTicketsRequest{ProjectId: p.PublicID})
			requireOK(t, err, "QueryTickets")
			if len(q.GetData()) != 1 {
				t.Fatalf("QueryTickets returned %d tickets, want 1", len(q.GetData()))
			}
			requireProtoEqual(t, q.GetData()[0], want, "QueryTickets ticket")
			requireTicketRow(t, p.ID, want)
		})

		t.Run("new tickets are open without assignee or dates", func(t *testing.T) {
			p := newProject(t, api)
			req := newTicketRequest(p.PublicID)
			got := createTicket(t, api, req)
			requireProtoEqual(t, got, expectedTicket(req, got), "CreateTicket ticket")
			requireEqual(t, got.GetState(), stateOpen, "state")
			if got.AssigneeEmail != nil || got.DueAt != nil || got.ClosedAt != nil {
				t.Fatalf("optional fields set: assignee_email=%v due_at=%v closed_at=%v", got.AssigneeEmail, got.DueAt, got.ClosedAt)
			}
			requireTicketRow(t, p.ID, got)
		})

		t.Run("unspecified priority is stored as low", func(t *testing.T) {
			p := newProject(t, api)
			req := newTicketRequest(p.PublicID)
			req.Priority = altalunev1.TicketPriority_TICKET_PRIORITY_UNSPECIFIED
			got := createTicket(t, api, req)
			requireEqual(t, got.GetPriority(), priorityLow, "priority")
			requireTicketRow(t, p.ID, got)
		})

		t.Run("update replaces the writable fields and keeps the state", func(t *testing.T) {
			p := newProject(t, api)
			created := createTicket(t, api, fullTicketRequest(p.PublicID))
			time.Sleep(20 * time.Millisecond)
			upd := &altalunev1.UpdateTicketRequest{
				ProjectId: p.PublicID, TicketId: created.GetId(),
				Reference: uniq("NEWREF"), Title: "New title", Body: "", Priority: priorityLow,
				AssigneeEmail: nil, ClearAssigneeEmail: true, DueAt: nil, Category: "", ExternalRef: nil,
			}
			res, err := api.Tickets.Update(ctxFor(t), upd)
			requireOK(t, err, "UpdateTicket")
			requireMessage(t, res.GetMessage(), msgTicketUpdated)
			got := res.GetTicket()
			want := &altalunev1.Ticket{
				Id: created.GetId(), Reference: upd.GetReference(), Title: upd.GetTitle(), Priority: priorityLow,
				State: stateOpen, CreatedAt: created.GetCreatedAt(), UpdatedAt: got.GetUpdatedAt(),
			}
			requireProtoEqual(t, got, want, "UpdateTicket ticket")
			if !got.GetUpdatedAt().AsTime().After(created.GetUpdatedAt().AsTime()) {
				t.Fatalf("updated_at did not move: %s -> %s", created.GetUpdatedAt().AsTime(), got.GetUpdatedAt().AsTime())
			}
			requireProtoEqual(t, getTicket(t, api, p.PublicID, created.GetId()), want, "GetTicket after update")
			requireTicketRow(t, p.ID, want)
		})

		t.Run("assignee_email: unset keeps it, set writes it, its clear flag unassigns", func(t *testing.T) {
			p := newProject(t, api)
			tk := createTicket(t, api, fullTicketRequest(p.PublicID))
			assignee := tk.GetAssigneeEmail()
			if assignee == "" {
				t.Fatal("fullTicketRequest has no assignee")
			}
			upd := ticketUpdateFrom(p.PublicID, tk)
			upd.AssigneeEmail, upd.Title = nil, "Kept assignee"
			res, err := api.Tickets.Update(ctxFor(t), upd)
			requireOK(t, err, "UpdateTicket without assignee_email")
			requireEqual(t, res.GetTicket().GetAssigneeEmail(), assignee, "assignee_email kept")

			upd.AssigneeEmail = ptr("other@support.example")
			res, err = api.Tickets.Update(ctxFor(t), upd)
			requireOK(t, err, "UpdateTicket setting assignee_email")
			requireEqual(t, res.GetTicket().GetAssigneeEmail(), "other@support.example", "assignee_email set")

			upd.ClearAssigneeEmail = true
			_, err = api.Tickets.Update(ctxFor(t), upd)
			requireInvalidPayload(t, err, "UpdateTicket setting and clearing assignee_email")
			requireEqual(t, getTicket(t, api, p.PublicID, tk.GetId()).GetAssigneeEmail(), "other@support.example",
				"assignee_email after the refused update")

			upd.AssigneeEmail = nil
			res, err = api.Tickets.Update(ctxFor(t), upd)
			requireOK(t, err, "UpdateTicket clearing assignee_email")
			if res.GetTicket().AssigneeEmail != nil {
				t.Fatalf("assignee_email = %q after its clear flag, want NULL", res.GetTicket().GetAssigneeEmail())
			}
			requireTicketRow(t, p.ID, res.GetTicket())
		})

		t.Run("close", func(t *testing.T) {
			p := newProject(t, api)
			tk := createTicket(t, api, fullTicketRequest(p.PublicID))
			time.Sleep(20 * time.Millisecond)
			res, err := api.Tickets.Close(ctxFor(t), &altalunev1.CloseTicketRequest{ProjectId: p.PublicID, TicketId: tk.GetId(), Resolution: "Rebooted it"})
			requireOK(t, err, "CloseTicket")
			requireMessage(t, res.GetMessage(), msgTicketClosed)
			closed := res.GetTicket()
			requireEqual(t, closed.GetState(), stateClosed, "state")
			requireEqual(t, closed.GetResolution(), "Rebooted it", "resolution")
			requireRecent(t, closed.GetClosedAt(), "closed_at")
			want := proto.Clone(tk).(*altalunev1.Ticket)
			want.State, want.Resolution, want.ClosedAt, want.UpdatedAt = stateClosed, "Rebooted it", closed.GetClosedAt(), closed.GetUpdatedAt()
			requireProtoEqual(t, closed, want, "CloseTicket ticket")
			requireProtoEqual(t, getTicket(t, api, p.PublicID, tk.GetId()), want, "GetTicket after close")
			requireTicketRow(t, p.ID, want)

			_, err = api.Tickets.Close(ctxFor(t), &altalunev1.CloseTicketRequest{ProjectId: p.PublicID, TicketId: tk.GetId(), Resolution: "Again"})
			requireAPIError(t, err, "CloseTicket on a closed ticket", connect.CodeFailedPrecondition, codeTicketAlreadyClosed,
				map[string]string{"ticket_id": tk.GetId()})
			requireProtoEqual(t, getTicket(t, api, p.PublicID, tk.GetId()), want, "ticket after the second close")
		})

		t.Run("close errors", func(t *testing.T) {
			p := newProject(t, api)
			tk := createTicket(t, api, newTicketRequest(p.PublicID))
			id := randomPublicID()
			_, err := api.Tickets.Close(ctxFor(t), &altalunev1.CloseTicketRequest{ProjectId: p.PublicID, TicketId: id, Resolution: "x"})
			requireAPIError(t, err, "CloseTicket on a missing ticket", connect.CodeNotFound, codeTicketNotFound, map[string]string{"ticket_id": id})
			pid := randomPublicID()
			_, err = api.Tickets.Close(ctxFor(t), &altalunev1.CloseTicketRequest{ProjectId: pid, TicketId: tk.GetId(), Resolution: "x"})
			requireAPIError(t, err, "CloseTicket in a missing project", connect.CodeNotFound, codeProjectNotFound, map[string]string{"project_id": pid})
			for name, req := range map[string]*altalunev1.CloseTicketRequest{
				"empty resolution":        {ProjectId: p.PublicID, TicketId: tk.GetId(), Resolution: ""},
				"resolution of 501 chars": {ProjectId: p.PublicID, TicketId: tk.GetId(), Resolution: strings.Repeat("r", 501)},
				"short ticket id":         {ProjectId: p.PublicID, TicketId: "abc", Resolution: "x"},
				"short project id":        {ProjectId: "abc", TicketId: tk.GetId(), Resolution: "x"},
			} {
				_, err := api.Tickets.Close(ctxFor(t), req)
				requireInvalidPayload(t, err, "CloseTicket with "+name)
			}
			requireProtoEqual(t, getTicket(t, api, p.PublicID, tk.GetId()), tk, "ticket after the rejected closes")
		})

		t.Run("reference is unique", func(t *testing.T) {
			p := newProject(t, api)
			first := createTicket(t, api, newTicketRequest(p.PublicID))
			second := createTicket(t, api, newTicketRequest(p.PublicID))
			before := countRows(t, ticketsTable)
			dup := newTicketRequest(p.PublicID)
			dup.Reference = first.GetReference()
			_, err := api.Tickets.Create(ctxFor(t), dup)
			requireAPIError(t, err, "CreateTicket with a taken reference", connect.CodeAlreadyExists, codeTicketExists,
				map[string]string{"reference": first.GetReference()})
			dup.Reference = strings.ToLower(first.GetReference())
			_, err = api.Tickets.Create(ctxFor(t), dup)
			requireAPIError(t, err, "CreateTicket with a taken reference in lower case", connect.CodeAlreadyExists, codeTicketExists, anyMeta)
			requireRowCount(t, ticketsTable, before)

			upd := ticketUpdateFrom(p.PublicID, second)
			upd.Reference = first.GetReference()
			_, err = api.Tickets.Update(ctxFor(t), upd)
			requireAPIError(t, err, "UpdateTicket to a taken reference", connect.CodeAlreadyExists, codeTicketExists,
				map[string]string{"reference": first.GetReference()})
			requireProtoEqual(t, getTicket(t, api, p.PublicID, second.GetId()), second, "ticket after the rejected update")

			other := newProject(t, api)
			same := newTicketRequest(other.PublicID)
			same.Reference = first.GetReference()
			createTicket(t, api, same)
		})

		t.Run("missing ticket", func(t *testing.T) {
			p := newProject(t, api)
			id := randomPublicID()
			meta := map[string]string{"ticket_id": id}
			_, err := api.Tickets.Get(ctxFor(t), &altalunev1.GetTicketRequest{ProjectId: p.PublicID, TicketId: id})
			requireAPIError(t, err, "GetTicket", connect.CodeNotFound, codeTicketNotFound, meta)
			_, err = api.Tickets.Update(ctxFor(t), ticketUpdateFrom(p.PublicID, &altalunev1.Ticket{Id: id, Reference: uniq("R"), Title: "T"}))
			requireAPIError(t, err, "UpdateTicket", connect.CodeNotFound, codeTicketNotFound, meta)
			_, err = api.Tickets.Delete(ctxFor(t), &altalunev1.DeleteTicketRequest{ProjectId: p.PublicID, TicketId: id})
			requireAPIError(t, err, "DeleteTicket", connect.CodeNotFound, codeTicketNotFound, meta)
		})

		t.Run("delete", func(t *testing.T) {
			p := newProject(t, api)
			tk := createTicket(t, api, newTicketRequest(p.PublicID))
			res, err := api.Tickets.Delete(ctxFor(t), &altalunev1.DeleteTicketRequest{ProjectId: p.PublicID, TicketId: tk.GetId()})
			requireOK(t, err, "DeleteTicket")
			requireMessage(t, res.GetMessage(), msgTicketDeleted)
			_, err = api.Tickets.Get(ctxFor(t), &altalunev1.GetTicketRequest{ProjectId: p.PublicID, TicketId: tk.GetId()})
			requireAPIError(t, err, "GetTicket after delete", connect.CodeNotFound, codeTicketNotFound, map[string]string{"ticket_id": tk.GetId()})
			requireEqual(t, dbCount(t, "SELECT count(*) FROM altalune_example_tickets WHERE public_id = $1", tk.GetId()), int64(0), "rows of the deleted ticket")
		})

		t.Run("a closed ticket is kept: BeforeDelete reads the row in the delete's transaction", func(t *testing.T) {
			p := newProject(t, api)
			tk := createTicket(t, api, newTicketRequest(p.PublicID))
			closed, err := api.Tickets.Close(ctxFor(t), &altalunev1.CloseTicketRequest{ProjectId: p.PublicID, TicketId: tk.GetId(), Resolution: "Done."})
			requireOK(t, err, "CloseTicket")
			_, err = api.Tickets.Delete(ctxFor(t), &altalunev1.DeleteTicketRequest{ProjectId: p.PublicID, TicketId: tk.GetId()})
			requireAPIError(t, err, "DeleteTicket of a closed ticket", connect.CodeFailedPrecondition, codeTicketClosedKept,
				map[string]string{"ticket_id": tk.GetId()})
			requireProtoEqual(t, getTicket(t, api, p.PublicID, tk.GetId()), closed.GetTicket(), "the kept ticket")
		})

		t.Run("invalid payloads write nothing", func(t *testing.T) {
			p := newProject(t, api)
			for _, c := range []struct {
				name   string
				mutate func(r *altalunev1.CreateTicketRequest)
			}{
				{"empty reference", func(r *altalunev1.CreateTicketRequest) { r.Reference = "" }},
				{"reference of 33 characters", func(r *altalunev1.CreateTicketRequest) { r.Reference = strings.Repeat("R", 33) }},
				{"empty title", func(r *altalunev1.CreateTicketRequest) { r.Title = "" }},
				{"undefined priority", func(r *altalunev1.CreateTicketRequest) { r.Priority = 7 }},
				{"bad assignee email", func(r *altalunev1.CreateTicketRequest) { r.AssigneeEmail = ptr("nobody") }},
				{"category of 41 characters", func(r *altalunev1.CreateTicketRequest) { r.Category = strings.Repeat("c", 41) }},
				{"empty external ref", func(r *altalunev1.CreateTicketRequest) { r.ExternalRef = ptr("") }},
				{"project id of 15 characters", func(r *altalunev1.CreateTicketRequest) { r.ProjectId += "x" }},
				{"NUL in the title", func(r *altalunev1.CreateTicketRequest) { r.Title = "Broken\x00printer" }},
				{"NUL in the body", func(r *altalunev1.CreateTicketRequest) { r.Body = "\x00" }},
				{"NUL in the reference", func(r *altalunev1.CreateTicketRequest) { r.Reference += "\x00" }},
			} {
				t.Run(c.name, func(t *testing.T) {
					before := countRows(t, ticketsTable)
					req := newTicketRequest(p.PublicID)
					c.mutate(req)
					_, err := api.Tickets.Create(ctxFor(t), req)
					requireInvalidPayload(t, err, "CreateTicket")
					requireRowCount(t, ticketsTable, before)
				})
			}
		})
	})
}

// What the ticket list offers: filter keys and sort fields (sorted, as the
// refusals list them) and the stored enum values (in declaration order).
var (
	ticketFilterKeys = []string{"assignee_email", "category", "priority", "state"}
	ticketSortFields = []string{"assignee_email", "body", "category", "closed_at", "created_at", "due_at",
		"external_ref", "priority", "reference", "resolution", "state", "title", "updated_at"}
	ticketPriorityValues = []string{"low", "normal", "high"}
	ticketStateValues    = []string{"open", "closed", "on_hold"}
)

func queryTickets(t *testing.T, api *API, projectID string, q *altalunev1.QueryRequest) *altalunev1.QueryTicketsResponse {
	t.Helper()
	res, err := api.Tickets.Query(ctxFor(t), &altalunev1.QueryTicketsRequest{ProjectId: projectID, Query: q})
	requireOK(t, err, fmt.Sprintf("QueryTickets(%s)", protoText(q)))
	return res
}

func TestTicketQuery(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, api *API) {
		p := newProject(t, api)
		// Assignees are lower case, so that every collation sorts them alike.
		var all []*altalunev1.Ticket
		for i, s := range []struct {
			priority altalunev1.TicketPriority
			assignee string
			close    bool
		}{
			{priorityLow, "dee@support.example", false},
			{priorityHigh, "bob@support.example", true},
			{priorityNormal, "ann@support.example", false},
			{priorityHigh, "cid@support.example", false},
		} {
			req := newTicketRequest(p.PublicID)
			req.Priority, req.AssigneeEmail = s.priority, ptr(s.assignee)
			req.DueAt = timestamppb.New(micros(2030, time.January, 10-i, 0, 0, 0, 0))
			req.Category = fmt.Sprintf("queue %d", (i*3)%4)
			tk := createTicket(t, api, req)
			if s.close {
				res, err := api.Tickets.Close(ctxFor(t), &altalunev1.CloseTicketRequest{ProjectId: p.PublicID, TicketId: tk.GetId(), Resolution: "resolvedbyreboot"})
				requireOK(t, err, "CloseTicket")
				tk = res.GetTicket()
			}
			all = append(all, tk)
		}
		is := func(pred func(tk *altalunev1.Ticket) bool) []string {
			var out []string
			for _, tk := range all {
				if pred(tk) {
					out = append(out, tk.GetId())
				}
			}
			return out
		}

		t.Run("filters", func(t *testing.T) {
			for _, c := range []struct {
				name    string
				filters map[string]*altalunev1.StringList
				want    []string
			}{
				{"state closed", filters("state", []string{"closed"}), is(func(tk *altalunev1.Ticket) bool { return tk.GetState() == stateClosed })},
				{"state in upper case", filters("state", []string{"OPEN"}), is(func(tk *altalunev1.Ticket) bool { return tk.GetState() == stateOpen })},
				{"priority OR", filters("priority", []string{"high", "low"}), is(func(tk *altalunev1.Ticket) bool { return tk.GetPriority() != priorityNormal })},
				{"assignee case-insensitive", filters("assignee_email", []string{"ANN@SUPPORT.EXAMPLE"}),
					is(func(tk *altalunev1.Ticket) bool {
						return strings.EqualFold(tk.GetAssigneeEmail(), "ann@support.example")
					})},
				{"AND", filters("priority", []string{"high"}, "state", []string{"open"}),
					is(func(tk *altalunev1.Ticket) bool {
						return tk.GetPriority() == priorityHigh && tk.GetState() == stateOpen
					})},
				{"state by its proto name", filters("state", []string{"TICKET_STATE_CLOSED"}), is(func(tk *altalunev1.Ticket) bool { return tk.GetState() == stateClosed })},
				{"priority by proto names in lower case", filters("priority", []string{"ticket_priority_high", "ticket_priority_low"}),
					is(func(tk *altalunev1.Ticket) bool { return tk.GetPriority() != priorityNormal })},
				{"assignee by its JSON name", filters("assigneeEmail", []string{"bob@support.example"}),
					is(func(tk *altalunev1.Ticket) bool { return tk.GetAssigneeEmail() == "bob@support.example" })},
				{"assignee matching nothing", filters("assignee_email", []string{"nobody@support.example"}), nil},
			} {
				t.Run(c.name, func(t *testing.T) {
					res := queryTickets(t, api, p.PublicID, &altalunev1.QueryRequest{Filters: c.filters})
					requireSameSet(t, ids(res.GetData()), c.want, "filtered tickets")
					requireMeta(t, res.GetMeta(), int32(len(c.want)), int32(min(len(c.want), 1)))
				})
			}
		})

		t.Run("filters the list does not offer are refused", func(t *testing.T) {
			for _, c := range []struct {
				name    string
				filters map[string]*altalunev1.StringList
				want    string
			}{
				{"unknown key", filters("no_such_field", []string{"x"}), unknownFilterMessage("no_such_field", ticketFilterKeys)},
				{"field that is not filterable", filters("resolution", []string{"nothing"}), unknownFilterMessage("resolution", ticketFilterKeys)},
				{"field that is not filterable, without values", filters("resolution", []string{}), unknownFilterMessage("resolution", ticketFilterKeys)},
				{"invalid state", filters("state", []string{"pending"}), notAValueMessage("state", "pending", ticketStateValues)},
				{"invalid priority next to a valid one", filters("priority", []string{"HIGH", "urgent"}), notAValueMessage("priority", "urgent", ticketPriorityValues)},
			} {
				t.Run(c.name, func(t *testing.T) {
					q := &altalunev1.QueryRequest{Filters: c.filters}
					_, err := api.Tickets.Query(ctxFor(t), &altalunev1.QueryTicketsRequest{ProjectId: p.PublicID, Query: q})
					requireRefused(t, err, fmt.Sprintf("QueryTickets(%s)", protoText(q)), c.want)
				})
			}
		})

		t.Run("filter catalog", func(t *testing.T) {
			got := catalog(queryTickets(t, api, p.PublicID, nil).GetMeta())
			requireSameSet(t, mapsKeys(got), []string{"priority", "state", "assignee_email", "category"}, "meta.filters keys")
			requireSameSet(t, got["priority"], []string{"low", "normal", "high"}, "meta.filters[priority]")
			requireSameSet(t, got["state"], []string{"open", "closed", "on_hold"}, "meta.filters[state]")
			requireStrings(t, got["category"], []string{"queue 0", "queue 1", "queue 2", "queue 3"}, "meta.filters[category]")
			requireStrings(t, got["assignee_email"],
				[]string{"ann@support.example", "bob@support.example", "cid@support.example", "dee@support.example"}, "meta.filters[assignee_email]")
		})

		t.Run("keyword", func(t *testing.T) {
			for _, kw := range []string{all[2].GetReference(), strings.ToLower(all[3].GetTitle()), "ANN@", "resolvedbyreboot", "broken"} {
				res := queryTickets(t, api, p.PublicID, &altalunev1.QueryRequest{Keyword: kw})
				want := is(func(tk *altalunev1.Ticket) bool {
					hay := strings.ToLower(strings.Join([]string{tk.GetReference(), tk.GetTitle(), tk.GetBody(), tk.GetAssigneeEmail()}, "\x00"))
					return strings.Contains(hay, strings.ToLower(kw))
				})
				requireSameSet(t, ids(res.GetData()), want, fmt.Sprintf("tickets matching %q (resolution is not searchable)", kw))
			}
		})

		t.Run("default order is priority descending", func(t *testing.T) {
			def := queryTickets(t, api, p.PublicID, nil).GetData()
			// Enums sort in declaration order: HIGH > NORMAL > LOW.
			byEnum := func(a, b *altalunev1.Ticket) int { return cmp.Compare(a.GetPriority(), b.GetPriority()) }
			if !sortedBy(def, desc, []func(a, b *altalunev1.Ticket) int{byEnum}) {
				var got []string
				for _, tk := range def {
					got = append(got, tk.GetPriority().String())
				}
				t.Fatalf("default order has priorities %q, want descending", got)
			}
			explicit := queryTickets(t, api, p.PublicID, &altalunev1.QueryRequest{Sorting: sortBy("priority", desc)}).GetData()
			if !sortedBy(explicit, desc, []func(a, b *altalunev1.Ticket) int{byEnum}) {
				t.Fatal("sorting by priority desc is not descending")
			}
			empty := queryTickets(t, api, p.PublicID, &altalunev1.QueryRequest{Sorting: sortBy("", asc)}).GetData()
			requireStrings(t, ids(empty), ids(def), "tickets sorted by an empty field")
		})

		t.Run("unknown sort field is refused", func(t *testing.T) {
			for _, s := range []*altalunev1.Sorting{sortBy("no_such_field", asc), sortBy("no_such_field", desc), sortBy("project_id", asc)} {
				q := &altalunev1.QueryRequest{Sorting: s}
				_, err := api.Tickets.Query(ctxFor(t), &altalunev1.QueryTicketsRequest{ProjectId: p.PublicID, Query: q})
				requireRefused(t, err, fmt.Sprintf("QueryTickets(%s)", protoText(q)), unknownSortMessage(s.GetField(), ticketSortFields))
			}
		})

		for field, compare := range map[string]func(a, b *altalunev1.Ticket) int{
			"due_at":    func(a, b *altalunev1.Ticket) int { return compareTS(a.GetDueAt(), b.GetDueAt()) },
			"category":  func(a, b *altalunev1.Ticket) int { return cmp.Compare(a.GetCategory(), b.GetCategory()) },
			"reference": func(a, b *altalunev1.Ticket) int { return cmp.Compare(a.GetReference(), b.GetReference()) },
		} {
			for _, order := range []altalunev1.SortOrder{asc, desc} {
				t.Run("sort by "+field+" "+order.String(), func(t *testing.T) {
					res := queryTickets(t, api, p.PublicID, &altalunev1.QueryRequest{Sorting: sortBy(field, order)})
					requireSameSet(t, ids(res.GetData()), ids(all), "tickets")
					if !sortedBy(res.GetData(), order, []func(a, b *altalunev1.Ticket) int{compare}) {
						t.Fatalf("tickets not sorted by %s %s", field, order)
					}
				})
			}
		}
	})
}
