//go:build e2e

package e2e

import (
	"slices"
	"testing"

	"connectrpc.com/connect"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

// One project never sees, changes or deletes another project's rows.
func TestProjectIsolation(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, api *API) {
		a, b := newProject(t, api), newProject(t, api)
		empA := createEmployee(t, api, newEmployeeRequest(a.PublicID))
		var empB []*altalunev1.Employee
		for range 3 {
			empB = append(empB, createEmployee(t, api, fullEmployeeRequest(b.PublicID)))
		}
		tkA := createTicket(t, api, newTicketRequest(a.PublicID))
		tkB := createTicket(t, api, fullTicketRequest(b.PublicID))
		bEmployees := dbCount(t, "SELECT count(*) FROM altalune_example_employees WHERE project_id = $1", b.ID)
		bTickets := dbCount(t, "SELECT count(*) FROM altalune_example_tickets WHERE project_id = $1", b.ID)
		victim := empB[0]

		t.Run("get another project's employee", func(t *testing.T) {
			_, err := api.Employees.Get(ctxFor(t), &altalunev1.GetEmployeeRequest{ProjectId: a.PublicID, EmployeeId: victim.GetId()})
			requireAPIError(t, err, "GetEmployee", connect.CodeNotFound, codeEmployeeNotFound, map[string]string{"employee_id": victim.GetId()})
		})

		t.Run("update another project's employee", func(t *testing.T) {
			upd := updateRequestFrom(a.PublicID, victim)
			upd.Name = "Hijacked"
			_, err := api.Employees.Update(ctxFor(t), upd)
			requireAPIError(t, err, "UpdateEmployee", connect.CodeNotFound, codeEmployeeNotFound, map[string]string{"employee_id": victim.GetId()})
		})

		t.Run("delete another project's employee", func(t *testing.T) {
			_, err := api.Employees.Delete(ctxFor(t), &altalunev1.DeleteEmployeeRequest{ProjectId: a.PublicID, EmployeeId: victim.GetId()})
			requireAPIError(t, err, "DeleteEmployee", connect.CodeNotFound, codeEmployeeNotFound, map[string]string{"employee_id": victim.GetId()})
		})

		t.Run("query returns only the project's employees", func(t *testing.T) {
			// empA is an active engineer; project B's employees are on leave.
			for _, c := range []struct {
				name string
				q    *altalunev1.QueryRequest
				want []string
			}{
				{"no query", nil, []string{empA.GetId()}},
				{"page of 100", &altalunev1.QueryRequest{Pagination: page(1, 100)}, []string{empA.GetId()}},
				{"keyword of B's email", &altalunev1.QueryRequest{Keyword: victim.GetEmail()}, nil},
				{"keyword matching everyone", &altalunev1.QueryRequest{Keyword: "@"}, []string{empA.GetId()}},
				{"filter matching only B", &altalunev1.QueryRequest{Filters: filters("status", []string{"leave"})}, nil},
				{"filter matching everyone", &altalunev1.QueryRequest{Filters: filters("remote", []string{"true", "false"})}, []string{empA.GetId()}},
				{"sorted by email", &altalunev1.QueryRequest{Sorting: sortBy("email", asc)}, []string{empA.GetId()}},
			} {
				t.Run(c.name, func(t *testing.T) {
					res := queryEmployees(t, api, a.PublicID, c.q)
					for _, e := range res.GetData() {
						if slices.Contains(ids(empB), e.GetId()) {
							t.Fatalf("project A's query returned project B's employee %s", e.GetId())
						}
					}
					requireStrings(t, ids(res.GetData()), c.want, "employees of project A")
					requireMeta(t, res.GetMeta(), int32(len(c.want)), int32(len(c.want)))
				})
			}
		})

		t.Run("tickets of another project", func(t *testing.T) {
			meta := map[string]string{"ticket_id": tkB.GetId()}
			_, err := api.Tickets.Get(ctxFor(t), &altalunev1.GetTicketRequest{ProjectId: a.PublicID, TicketId: tkB.GetId()})
			requireAPIError(t, err, "GetTicket", connect.CodeNotFound, codeTicketNotFound, meta)
			upd := ticketUpdateFrom(a.PublicID, tkB)
			upd.Title = "Hijacked"
			_, err = api.Tickets.Update(ctxFor(t), upd)
			requireAPIError(t, err, "UpdateTicket", connect.CodeNotFound, codeTicketNotFound, meta)
			_, err = api.Tickets.Close(ctxFor(t), &altalunev1.CloseTicketRequest{ProjectId: a.PublicID, TicketId: tkB.GetId(), Resolution: "hijacked"})
			requireAPIError(t, err, "CloseTicket", connect.CodeNotFound, codeTicketNotFound, meta)
			_, err = api.Tickets.Delete(ctxFor(t), &altalunev1.DeleteTicketRequest{ProjectId: a.PublicID, TicketId: tkB.GetId()})
			requireAPIError(t, err, "DeleteTicket", connect.CodeNotFound, codeTicketNotFound, meta)
			res := queryTickets(t, api, a.PublicID, &altalunev1.QueryRequest{Pagination: page(1, 100)})
			requireStrings(t, ids(res.GetData()), []string{tkA.GetId()}, "tickets of project A")
		})

		t.Run("project B is unchanged", func(t *testing.T) {
			for _, e := range empB {
				requireProtoEqual(t, getEmployee(t, api, b.PublicID, e.GetId()), e, "project B's employee")
			}
			requireProtoEqual(t, getTicket(t, api, b.PublicID, tkB.GetId()), tkB, "project B's ticket")
			requireEqual(t, dbCount(t, "SELECT count(*) FROM altalune_example_employees WHERE project_id = $1", b.ID), bEmployees, "employees of project B")
			requireEqual(t, dbCount(t, "SELECT count(*) FROM altalune_example_tickets WHERE project_id = $1", b.ID), bTickets, "tickets of project B")
			res := queryEmployees(t, api, b.PublicID, &altalunev1.QueryRequest{Pagination: page(1, 100)})
			requireSameSet(t, ids(res.GetData()), ids(empB), "employees of project B")
		})
	})
}
