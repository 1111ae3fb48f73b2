//go:build e2e

package e2e

import (
	"fmt"
	"strings"
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

		// intact checks that no attack changed a table.
		intact := func(t *testing.T) {
			t.Helper()
			for table, n := range counts {
				requireTableIntact(t, table, n)
			}
		}

		t.Run("filter keys are refused", func(t *testing.T) {
			for _, h := range hostileStrings {
				for _, values := range [][]string{{"x"}, {h}, {}} {
					_, err := api.Employees.Query(ctxFor(t), &altalunev1.QueryEmployeesRequest{
						ProjectId: p.PublicID, Query: &altalunev1.QueryRequest{Filters: filters(h, values)},
					})
					requireRefused(t, err, fmt.Sprintf("QueryEmployees filter key %q = %q", h, values), unknownFilterMessage(h, employeeFilterKeys))
				}
			}
			intact(t)
		})

		t.Run("filter values on enums and bools are refused", func(t *testing.T) {
			for _, c := range []struct {
				key  string
				want func(h string) string
			}{
				{"status", func(h string) string { return notAValueMessage("statuses", h, employeeStatusValues) }},
				{"statuses", func(h string) string { return notAValueMessage("statuses", h, employeeStatusValues) }},
				{"role", func(h string) string { return notAValueMessage("roles", h, employeeRoleValues) }},
				{"roles", func(h string) string { return notAValueMessage("roles", h, employeeRoleValues) }},
				{"remote", func(h string) string { return notABoolMessage("remote", h) }},
			} {
				for _, h := range hostileStrings {
					_, err := api.Employees.Query(ctxFor(t), &altalunev1.QueryEmployeesRequest{
						ProjectId: p.PublicID, Query: &altalunev1.QueryRequest{Filters: filters(c.key, []string{h})},
					})
					requireRefused(t, err, fmt.Sprintf("QueryEmployees filter %s=%q", c.key, h), c.want(h))
				}
			}
			intact(t)
		})

		t.Run("sort fields are refused", func(t *testing.T) {
			for _, h := range hostileStrings {
				for _, order := range []altalunev1.SortOrder{asc, desc} {
					_, err := api.Employees.Query(ctxFor(t), &altalunev1.QueryEmployeesRequest{
						ProjectId: p.PublicID, Query: &altalunev1.QueryRequest{Sorting: sortBy(h, order)},
					})
					requireRefused(t, err, fmt.Sprintf("QueryEmployees sort %q %s", h, order), unknownSortMessage(h, employeeSortFields))
				}
			}
			requireStrings(t, ids(queryEmployees(t, api, p.PublicID, nil).GetData()), newestFirst, "employees in the default order")
			intact(t)
		})

		t.Run("tickets", func(t *testing.T) {
			for _, h := range hostileStrings {
				res, err := api.Tickets.Query(ctxFor(t), &altalunev1.QueryTicketsRequest{ProjectId: p.PublicID,
					Query: &altalunev1.QueryRequest{Keyword: h}})
				requireOK(t, err, fmt.Sprintf("QueryTickets keyword %q", h))
				var want []string
				if strings.Contains(strings.ToLower(strings.Join([]string{tk.GetReference(), tk.GetTitle(), tk.GetBody(), tk.GetAssigneeEmail()}, "\x00")), strings.ToLower(h)) {
					want = []string{tk.GetId()}
				}
				requireStrings(t, ids(res.GetData()), want, fmt.Sprintf("tickets matching %q", h))

				// Free text accepts any value, and matches it literally.
				res, err = api.Tickets.Query(ctxFor(t), &altalunev1.QueryTicketsRequest{ProjectId: p.PublicID,
					Query: &altalunev1.QueryRequest{Filters: filters("assignee_email", []string{h})}})
				requireOK(t, err, fmt.Sprintf("QueryTickets filter assignee_email=%q", h))
				requireStrings(t, ids(res.GetData()), nil, fmt.Sprintf("tickets assigned to %q", h))

				for _, c := range []struct {
					name string
					q    *altalunev1.QueryRequest
					want string
				}{
					{"filter key", &altalunev1.QueryRequest{Filters: filters(h, []string{"x"})}, unknownFilterMessage(h, ticketFilterKeys)},
					{"filter key next to a valid filter", &altalunev1.QueryRequest{Filters: filters(h, []string{h}, "state", []string{"open"})},
						unknownFilterMessage(h, ticketFilterKeys)},
					{"state", &altalunev1.QueryRequest{Filters: filters("state", []string{h})}, notAValueMessage("state", h, ticketStateValues)},
					{"priority", &altalunev1.QueryRequest{Filters: filters("priority", []string{"high", h})}, notAValueMessage("priority", h, ticketPriorityValues)},
					{"sort field", &altalunev1.QueryRequest{Sorting: sortBy(h, desc)}, unknownSortMessage(h, ticketSortFields)},
					{"keyword with a sort field", &altalunev1.QueryRequest{Keyword: h, Sorting: sortBy(h, asc)}, unknownSortMessage(h, ticketSortFields)},
				} {
					_, err := api.Tickets.Query(ctxFor(t), &altalunev1.QueryTicketsRequest{ProjectId: p.PublicID, Query: c.q})
					requireRefused(t, err, fmt.Sprintf("QueryTickets with a hostile %s %q", c.name, h), c.want)
				}
			}
			requireStrings(t, ids(queryTickets(t, api, p.PublicID, nil).GetData()), []string{tk.GetId()}, "tickets after the attacks")
			intact(t)
		})

		t.Run("currencies", func(t *testing.T) {
			for _, h := range hostileStrings {
				res, err := api.Currencies.Query(ctxFor(t), &altalunev1.QueryCurrenciesRequest{
					Query: &altalunev1.QueryRequest{Keyword: h, Pagination: page(1, 100)}})
				requireOK(t, err, fmt.Sprintf("QueryCurrencies keyword %q", h))
				for _, c := range res.GetData() {
					if !strings.Contains(strings.ToLower(strings.Join([]string{c.GetCode(), c.GetName(), c.GetSymbol(), c.GetDescription().GetValue()}, "\x00")), strings.ToLower(h)) {
						t.Fatalf("QueryCurrencies keyword %q returned %s (%q), which does not contain it", h, c.GetId(), c.GetName())
					}
				}

				// Numbers accept any value, and match it literally.
				res, err = api.Currencies.Query(ctxFor(t), &altalunev1.QueryCurrenciesRequest{
					Query: &altalunev1.QueryRequest{Filters: filters("decimal_places", []string{h})}})
				requireOK(t, err, fmt.Sprintf("QueryCurrencies filter decimal_places=%q", h))
				requireStrings(t, ids(res.GetData()), nil, fmt.Sprintf("currencies with decimal_places %q", h))

				for _, c := range []struct {
					name string
					q    *altalunev1.QueryRequest
					want string
				}{
					{"filter key", &altalunev1.QueryRequest{Filters: filters(h, []string{h})}, unknownFilterMessage(h, currencyFilterKeys)},
					{"active", &altalunev1.QueryRequest{Filters: filters("active", []string{h})}, notABoolMessage("active", h)},
					{"crypto", &altalunev1.QueryRequest{Filters: filters("crypto", []string{"false", h})}, notABoolMessage("crypto", h)},
					{"sort field", &altalunev1.QueryRequest{Keyword: h, Sorting: sortBy(h, asc)}, unknownSortMessage(h, currencySortFields)},
				} {
					_, err := api.Currencies.Query(ctxFor(t), &altalunev1.QueryCurrenciesRequest{Query: c.q})
					requireRefused(t, err, fmt.Sprintf("QueryCurrencies with a hostile %s %q", c.name, h), c.want)
				}
			}
			intact(t)
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
			intact(t)
			requireSameSet(t, ids(queryEmployees(t, api, p.PublicID, nil).GetData()), ids(all), "employees after the attacks")
		})
	})
}
