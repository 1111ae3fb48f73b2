//go:build e2e

package e2e

import (
	"fmt"
	"testing"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

// SQL in keywords, filter keys and values, sort fields and stored values is
// data, never code.
func TestHostileInput(t *testing.T) {
	for _, h := range hostileStrings {
		if len(h) > 64 {
			t.Fatalf("hostile string %q is longer than the 64-character sort field limit", h)
		}
	}
	forEachProtocol(t, func(t *testing.T, api *API) {
		p := newProject(t, api)
		literal := newEmployeeRequest(p.PublicID)
		literal.Name = `Robert'); DROP TABLE altalune_example_employees; --`
		literal.Phone = ptr(`' OR 1=1 --`)
		bobby := createEmployee(t, api, literal)
		all := []*altalunev1.Employee{bobby}
		for range 3 {
			all = append(all, createEmployee(t, api, newEmployeeRequest(p.PublicID)))
		}
		newestFirst := reversed(all)
		tk := createTicket(t, api, newTicketRequest(p.PublicID))
		createCurrency(t, api, newCurrencyRequest())

		counts := map[string]int64{}
		for _, table := range []string{projectsTable, employeesTable, ticketsTable, currenciesTable} {
			counts[table] = countRows(t, table)
		}

		t.Run("values are stored literally", func(t *testing.T) {
			e := getEmployee(t, api, p.PublicID, bobby.GetId())
			requireEqual(t, e.GetName(), literal.GetName(), "name")
			requireEqual(t, e.GetPhone(), literal.GetPhone(), "phone")
			requireEmployeeRow(t, p.ID, e)
		})

		t.Run("keywords match literally", func(t *testing.T) {
			for _, h := range hostileStrings {
				res, err := api.Employees.Query(ctxFor(t), &altalunev1.QueryEmployeesRequest{
					ProjectId: p.PublicID, Query: &altalunev1.QueryRequest{Keyword: h},
				})
				requireNotInternal(t, err, fmt.Sprintf("QueryEmployees keyword %q", h))
				requireOK(t, err, fmt.Sprintf("QueryEmployees keyword %q", h))
				want := selectEmployees(all, func(e *altalunev1.Employee) bool { return employeeMatchesKeyword(e, h) })
				requireSameSet(t, ids(res.GetData()), want, fmt.Sprintf("employees matching %q", h))
			}
			res := queryEmployees(t, api, p.PublicID, &altalunev1.QueryRequest{Keyword: `' OR 1=1 --`})
			requireStrings(t, ids(res.GetData()), []string{bobby.GetId()}, "employees matching the phone literally")
		})

		t.Run("filter keys are ignored", func(t *testing.T) {
			for _, h := range hostileStrings {
				res, err := api.Employees.Query(ctxFor(t), &altalunev1.QueryEmployeesRequest{
					ProjectId: p.PublicID, Query: &altalunev1.QueryRequest{Filters: filters(h, []string{"x"})},
				})
				requireNotInternal(t, err, fmt.Sprintf("QueryEmployees filter key %q", h))
				requireOK(t, err, fmt.Sprintf("QueryEmployees filter key %q", h))
				requireSameSet(t, ids(res.GetData()), ids(all), fmt.Sprintf("employees with filter key %q", h))
			}
		})

		t.Run("filter values match literally", func(t *testing.T) {
			for _, key := range []string{"status", "role", "remote"} {
				for _, h := range hostileStrings {
					res, err := api.Employees.Query(ctxFor(t), &altalunev1.QueryEmployeesRequest{
						ProjectId: p.PublicID, Query: &altalunev1.QueryRequest{Filters: filters(key, []string{h})},
					})
					requireNotInternal(t, err, fmt.Sprintf("QueryEmployees filter %s=%q", key, h))
					requireOK(t, err, fmt.Sprintf("QueryEmployees filter %s=%q", key, h))
					requireStrings(t, ids(res.GetData()), nil, fmt.Sprintf("employees with filter %s=%q", key, h))
				}
			}
		})

		t.Run("sort fields fall back to the default", func(t *testing.T) {
			for _, h := range hostileStrings {
				for _, order := range []altalunev1.SortOrder{asc, desc} {
					res, err := api.Employees.Query(ctxFor(t), &altalunev1.QueryEmployeesRequest{
						ProjectId: p.PublicID, Query: &altalunev1.QueryRequest{Sorting: sortBy(h, order)},
					})
					requireNotInternal(t, err, fmt.Sprintf("QueryEmployees sort %q", h))
					requireOK(t, err, fmt.Sprintf("QueryEmployees sort %q", h))
					requireStrings(t, ids(res.GetData()), newestFirst, fmt.Sprintf("employees sorted by %q", h))
				}
			}
		})

		t.Run("tickets and currencies", func(t *testing.T) {
			for _, h := range hostileStrings {
				q := &altalunev1.QueryRequest{
					Keyword: h,
					Filters: filters(h, []string{h}, "state", []string{h}),
					Sorting: sortBy(h, desc),
				}
				res, err := api.Tickets.Query(ctxFor(t), &altalunev1.QueryTicketsRequest{ProjectId: p.PublicID, Query: q})
				requireNotInternal(t, err, fmt.Sprintf("QueryTickets with %q", h))
				requireOK(t, err, fmt.Sprintf("QueryTickets with %q", h))
				requireStrings(t, ids(res.GetData()), nil, fmt.Sprintf("tickets for %q", h))

				res2, err := api.Tickets.Query(ctxFor(t), &altalunev1.QueryTicketsRequest{ProjectId: p.PublicID,
					Query: &altalunev1.QueryRequest{Filters: filters(h, []string{h}), Sorting: sortBy(h, asc)}})
				requireOK(t, err, fmt.Sprintf("QueryTickets with filter key and sort %q", h))
				requireStrings(t, ids(res2.GetData()), []string{tk.GetId()}, fmt.Sprintf("tickets for filter key %q", h))

				cq := &altalunev1.QueryRequest{
					Keyword: h,
					Filters: filters(h, []string{h}, "decimal_places", []string{h}, "active", []string{h}),
					Sorting: sortBy(h, asc),
				}
				cres, err := api.Currencies.Query(ctxFor(t), &altalunev1.QueryCurrenciesRequest{Query: cq})
				requireNotInternal(t, err, fmt.Sprintf("QueryCurrencies with %q", h))
				requireOK(t, err, fmt.Sprintf("QueryCurrencies with %q", h))
				requireStrings(t, ids(cres.GetData()), nil, fmt.Sprintf("currencies for %q", h))
			}
		})

		t.Run("ids carrying SQL are rejected or not found", func(t *testing.T) {
			for _, id := range []string{`' OR 1=1 --xx`, `1' OR '1'='1`, `'; DROP TABLE x`} {
				if len(id) != 14 {
					id = (id + "______________")[:14]
				}
				_, err := api.Employees.Get(ctxFor(t), &altalunev1.GetEmployeeRequest{ProjectId: p.PublicID, EmployeeId: id})
				requireNotInternal(t, err, fmt.Sprintf("GetEmployee(%q)", id))
				if err == nil {
					t.Fatalf("GetEmployee(%q) found an employee", id)
				}
				_, err = api.Employees.Delete(ctxFor(t), &altalunev1.DeleteEmployeeRequest{ProjectId: p.PublicID, EmployeeId: id})
				requireNotInternal(t, err, fmt.Sprintf("DeleteEmployee(%q)", id))
				if err == nil {
					t.Fatalf("DeleteEmployee(%q) deleted something", id)
				}
				_, err = api.Employees.Query(ctxFor(t), &altalunev1.QueryEmployeesRequest{ProjectId: id})
				requireNotInternal(t, err, fmt.Sprintf("QueryEmployees(project %q)", id))
				if err == nil {
					t.Fatalf("QueryEmployees(project %q) succeeded", id)
				}
			}
		})

		t.Run("tables intact", func(t *testing.T) {
			for table, n := range counts {
				requireTableIntact(t, table, n)
			}
			requireSameSet(t, ids(queryEmployees(t, api, p.PublicID, nil).GetData()), ids(all), "employees after the attacks")
		})
	})
}
