//go:build e2e

package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

func TestServerSchema(t *testing.T) {
	t.Run("partitioned entity tables are partitioned", func(t *testing.T) {
		for _, table := range partitionedTables {
			requireEqual(t, relkind(t, table), "p", "relkind of "+table)
			if !slices.Contains(columnsOf(t, table), "project_id") {
				t.Fatalf("%s has no project_id column", table)
			}
		}
	})
	t.Run("currency table is global", func(t *testing.T) {
		requireEqual(t, relkind(t, currenciesTable), "r", "relkind of "+currenciesTable)
		if cols := columnsOf(t, currenciesTable); slices.Contains(cols, "project_id") {
			t.Fatalf("%s has a project_id column: %q", currenciesTable, cols)
		}
		if parts := partitionsOf(t, currenciesTable); len(parts) != 0 {
			t.Fatalf("%s has partitions %q", currenciesTable, parts)
		}
	})
}

func TestProjects(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, api *API) {
		t.Run("create and get", func(t *testing.T) {
			name := uniq("Project ")
			res, err := api.Projects.Create(ctxFor(t), &altalunev1.CreateProjectRequest{Name: name})
			requireOK(t, err, "CreateProject")
			p := res.GetProject()
			if len(p.GetId()) != 14 || strings.Trim(p.GetId(), publicIDAlphabet) != "" {
				t.Fatalf("project id %q: want 14 characters of %q", p.GetId(), publicIDAlphabet)
			}
			requireEqual(t, p.GetName(), name, "project name")
			if res.GetMessage() == "" {
				t.Fatal("CreateProject response has no message")
			}

			got, err := api.Projects.Get(ctxFor(t), &altalunev1.GetProjectRequest{ProjectId: p.GetId()})
			requireOK(t, err, "GetProject")
			requireEqual(t, got.GetProject().GetId(), p.GetId(), "GetProject id")
			requireEqual(t, got.GetProject().GetName(), name, "GetProject name")
		})

		t.Run("creating a project creates its partitions", func(t *testing.T) {
			p := newProject(t, api)
			for _, table := range partitionedTables {
				want := partitionName(table, p.ID)
				if parts := partitionsOf(t, table); !slices.Contains(parts, want) {
					t.Fatalf("partition %s of %s missing; partitions: %q", want, table, parts)
				}
				requireEqual(t, relkind(t, want), "r", "relkind of "+want)
			}
		})

		t.Run("rows land in the project's partition", func(t *testing.T) {
			p := newProject(t, api)
			e := createEmployee(t, api, newEmployeeRequest(p.PublicID))
			requireEqual(t, rowPartition(t, employeesTable, e.GetId()), partitionName(employeesTable, p.ID), "partition of the employee row")
			tk := createTicket(t, api, newTicketRequest(p.PublicID))
			requireEqual(t, rowPartition(t, ticketsTable, tk.GetId()), partitionName(ticketsTable, p.ID), "partition of the ticket row")
		})

		t.Run("queries by project scan one partition", func(t *testing.T) {
			p := newProject(t, api)
			newProject(t, api) // another partition that must be pruned
			createEmployee(t, api, newEmployeeRequest(p.PublicID))
			for _, table := range partitionedTables {
				rels := plannedRelations(t, fmt.Sprintf("SELECT * FROM %s WHERE project_id = %d", table, p.ID))
				requireStrings(t, rels, []string{partitionName(table, p.ID)}, "relations scanned for project "+fmt.Sprint(p.ID)+" in "+table)
			}
		})

		t.Run("unknown project", func(t *testing.T) {
			id := randomPublicID()
			_, err := api.Projects.Get(ctxFor(t), &altalunev1.GetProjectRequest{ProjectId: id})
			requireAPIError(t, err, "GetProject", connect.CodeNotFound, codeProjectNotFound, map[string]string{"project_id": id})
		})

		t.Run("badly formatted project id", func(t *testing.T) {
			_, err := api.Projects.Get(ctxFor(t), &altalunev1.GetProjectRequest{ProjectId: "short"})
			requireInvalidPayload(t, err, "GetProject")
		})

		t.Run("invalid project name writes nothing", func(t *testing.T) {
			before := countRows(t, projectsTable)
			_, err := api.Projects.Create(ctxFor(t), &altalunev1.CreateProjectRequest{Name: ""})
			requireInvalidPayload(t, err, "CreateProject with empty name")
			_, err = api.Projects.Create(ctxFor(t), &altalunev1.CreateProjectRequest{Name: strings.Repeat("x", 51)})
			requireInvalidPayload(t, err, "CreateProject with a 51-character name")
			requireRowCount(t, projectsTable, before)
		})
	})
}
