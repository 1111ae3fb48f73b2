//go:build e2e

package e2e

// Authorization of every RPC, over both protocols, from the one access table
// of the server (server.Access, `altalune access`): who may call what, with
// which error the others are refused, and that a refused call writes
// nothing.

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/golang-jwt/jwt/v5"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
	"github.com/hrz8/altalune/internal/auth"
	"github.com/hrz8/altalune/internal/auth/authdev"
	authzserver "github.com/hrz8/altalune/internal/server"
	"github.com/hrz8/altalune/internal/shared/domainkit"
)

// authzExpectedAccess is the access table the server must serve, sorted by
// procedure. It is written out by hand on purpose: any drift of the
// generated code (a permission renamed, a rule lost, an RPC made public)
// fails TestAuthzAccessTable.
var authzExpectedAccess = []domainkit.Access{
	{Procedure: "/altalune.v1.ApiKeyService/CreateApiKey", Permission: "apikey:write", Project: true},
	{Procedure: "/altalune.v1.ApiKeyService/DeleteApiKey", Permission: "apikey:delete", Project: true},
	{Procedure: "/altalune.v1.ApiKeyService/GetApiKey", Permission: "apikey:read", Project: true},
	{Procedure: "/altalune.v1.ApiKeyService/QueryApiKeys", Permission: "apikey:read", Project: true},
	{Procedure: "/altalune.v1.ApiKeyService/UpdateApiKey", Permission: "apikey:write", Project: true},
	{Procedure: "/altalune.v1.ApiKeyService/VerifyApiKey", Permission: "apikey:read", Project: true},
	{Procedure: "/altalune.v1.CurrencyService/CreateCurrency", Permission: "currency:write"},
	{Procedure: "/altalune.v1.CurrencyService/DeleteCurrency", Permission: "currency:delete"},
	{Procedure: "/altalune.v1.CurrencyService/GetCurrency", Public: true},
	{Procedure: "/altalune.v1.CurrencyService/QueryCurrencies", Public: true},
	{Procedure: "/altalune.v1.CurrencyService/UpdateCurrency", Permission: "currency:write"},
	{Procedure: "/altalune.v1.EmployeeService/CreateEmployee", Permission: "employee:write", Project: true},
	{Procedure: "/altalune.v1.EmployeeService/DeleteEmployee", Permission: "employee:delete", Project: true},
	{Procedure: "/altalune.v1.EmployeeService/GetEmployee", Permission: "employee:read", Project: true},
	{Procedure: "/altalune.v1.EmployeeService/QueryEmployees", Permission: "employee:read", Project: true},
	{Procedure: "/altalune.v1.EmployeeService/UpdateEmployee", Permission: "employee:write", Project: true},
	{Procedure: "/altalune.v1.NodeService/CreateNode", Permission: "node:write", Project: true},
	{Procedure: "/altalune.v1.NodeService/DeleteNode", Permission: "node:delete", Project: true},
	{Procedure: "/altalune.v1.NodeService/GetNode", Permission: "node:read", Project: true},
	{Procedure: "/altalune.v1.NodeService/ListNodes", Permission: "node:read", Project: true},
	{Procedure: "/altalune.v1.NodeService/QueryNodes", Permission: "node:read", Project: true},
	{Procedure: "/altalune.v1.NodeService/UpdateNode", Permission: "node:write", Project: true},
	{Procedure: "/altalune.v1.ProjectService/CreateProject", Permission: "project:write"},
	{Procedure: "/altalune.v1.ProjectService/GetProject", Permission: "project:read", Project: true},
	{Procedure: "/altalune.v1.ProjectService/QueryProjects", Permission: "project:read"},
	{Procedure: "/altalune.v1.ProjectSettingService/GetProjectSetting", Permission: "projectsetting:read", Project: true},
	{Procedure: "/altalune.v1.ProjectSettingService/UpdateProjectSetting", Permission: "projectsetting:write", Project: true},
	{Procedure: "/altalune.v1.RoleService/CreateRole", Permission: "role:write"},
	{Procedure: "/altalune.v1.RoleService/DeleteRole", Permission: "role:delete"},
	{Procedure: "/altalune.v1.RoleService/GetRole", Permission: "role:read"},
	{Procedure: "/altalune.v1.RoleService/QueryRoles", Permission: "role:read"},
	{Procedure: "/altalune.v1.RoleService/UpdateRole", Permission: "role:write"},
	{Procedure: "/altalune.v1.TicketCommentService/CreateTicketComment", Permission: "ticketcomment:write", Project: true},
	{Procedure: "/altalune.v1.TicketCommentService/DeleteTicketComment", Permission: "ticketcomment:delete", Project: true},
	{Procedure: "/altalune.v1.TicketService/CloseTicket", Permission: "ticket:close", Project: true},
	{Procedure: "/altalune.v1.TicketService/CreateTicket", Permission: "ticket:write", Project: true},
	{Procedure: "/altalune.v1.TicketService/DeleteTicket", Permission: "ticket:delete", Project: true},
	{Procedure: "/altalune.v1.TicketService/GetTicket", Permission: "ticket:read", Project: true},
	{Procedure: "/altalune.v1.TicketService/QueryTickets", Permission: "ticket:read", Project: true},
	{Procedure: "/altalune.v1.TicketService/UpdateTicket", Permission: "ticket:write", Project: true},
}

// Messages of the refusals.
const (
	authzMsgNoToken     = "missing authorization header"
	authzMsgBadToken    = "invalid token"
	authzMsgBadHeader   = "invalid authorization header"
	authzMsgRequires    = "permission denied: requires "
	authzMsgNotAMember  = "permission denied: not a member of this project"
	authzMembershipRole = "member"
)

// authzAccessOf returns the expected access rule of a procedure.
func authzAccessOf(t *testing.T, procedure string) domainkit.Access {
	t.Helper()
	i := slices.IndexFunc(authzExpectedAccess, func(a domainkit.Access) bool { return a.Procedure == procedure })
	if i < 0 {
		t.Fatalf("procedure %s is not in the expected access table", procedure)
	}
	return authzExpectedAccess[i]
}

// authzAllPermissions is every permission the API knows, sorted.
func authzAllPermissions() []string {
	var perms []string
	for _, a := range authzExpectedAccess {
		if a.Permission != "" && !slices.Contains(perms, a.Permission) {
			perms = append(perms, a.Permission)
		}
	}
	slices.Sort(perms)
	return perms
}

// authzPermissionsExcept is every permission of the API but one.
func authzPermissionsExcept(perm string) []string {
	return slices.DeleteFunc(authzAllPermissions(), func(p string) bool { return p == perm })
}

// authzRequires renders an access rule as `altalune access` does.
func authzRequires(a domainkit.Access) string {
	switch {
	case a.Public:
		return "public"
	case a.Project:
		return a.Permission + " + project membership"
	default:
		return a.Permission
	}
}

// authzFixture is what the requests of a test name: projects and entities
// of its own, made with the root API.
type authzFixture struct {
	root *API
	// project is the project every project-scoped request names.
	project project
	// other is a project the "not a member" callers belong to instead.
	other    project
	employee *altalunev1.Employee // in project, for Get and Update
	ticket   *altalunev1.Ticket   // in project, for Get and Update
	currency *altalunev1.Currency // for Get and Update
	apiKey   *altalunev1.ApiKey   // in project, for Get and Update
	secret   string               // apiKey's secret, for Verify
	role     *altalunev1.Role     // for Get and Update
	node     *altalunev1.Node     // in project, for Get and Update
	// tables are the plain and partitioned (parent) tables of the schema
	// when the fixture was made.
	tables []string
}

func newAuthzFixture(t *testing.T) *authzFixture {
	t.Helper()
	if len(protocols) == 0 {
		t.Fatal("no clients: TestMain did not set up the server")
	}
	root := protocols[0]
	fx := &authzFixture{root: root, project: newProject(t, root), other: newProject(t, root)}
	fx.employee = createEmployee(t, root, newEmployeeRequest(fx.project.PublicID))
	fx.ticket = createTicket(t, root, newTicketRequest(fx.project.PublicID))
	fx.currency = createCurrency(t, root, newCurrencyRequest())
	fx.apiKey, fx.secret = createAPIKey(t, root, newAPIKeyRequest(fx.project.PublicID))
	fx.role = createRole(t, root, newRoleRequest())
	fx.node = createNode(t, root, newNodeRequest(fx.project.PublicID))
	fx.tables = authzTables(t)
	for _, table := range []string{projectsTable, employeesTable, ticketsTable, currenciesTable, apiKeysTable, rolesTable, nodesTable, settingsTable, commentsTable} {
		if !slices.Contains(fx.tables, table) {
			t.Fatalf("table %s missing from the schema's tables %q", table, fx.tables)
		}
	}
	return fx
}

// authzTables lists the tables of the public schema, partitions excepted
// (their rows are read through their parent).
func authzTables(t *testing.T) []string {
	t.Helper()
	return dbStrings(t, `
		SELECT c.relname::text FROM pg_class c
		WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
		ORDER BY 1`)
}

var authzIdentifier = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// authzFingerprint is the content of every table of the schema (row count
// and a digest of every row), the list of those tables and the number of
// relations of the schema (a partition made by a CreateProject changes it).
func authzFingerprint(t *testing.T, fx *authzFixture) string {
	t.Helper()
	queries := []string{
		`SELECT 'relations in schema public = ' || count(*)::text FROM pg_class WHERE relnamespace = 'public'::regnamespace`,
		`SELECT 'tables = ' || coalesce(string_agg(c.relname::text, ',' ORDER BY c.relname::text), '') FROM pg_class c
		 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition`,
	}
	for _, table := range fx.tables {
		if !authzIdentifier.MatchString(table) {
			t.Fatalf("unexpected table name %q", table)
		}
		queries = append(queries, fmt.Sprintf(
			`SELECT '%s: ' || count(*)::text || ' rows, ' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM %s t`,
			table, table))
	}
	return strings.Join(dbStrings(t, strings.Join(queries, "\nUNION ALL\n")), "\n")
}

// authzCall performs one prepared call with the API and context given.
type authzCall func(ctx context.Context, api *API) error

// authzCase is one procedure of the API: prepare returns a call with a
// fresh valid request (creating, with the root API, the entity it needs
// when the call may consume it).
type authzCase struct {
	procedure string
	write     bool // Create/Update/Delete/Close: a refused call must write nothing
	prepare   func(t *testing.T, fx *authzFixture) authzCall
}

// name is the procedure without its package: "EmployeeService/GetEmployee".
func (c authzCase) name() string {
	return strings.TrimPrefix(c.procedure, "/altalune.v1.")
}

// authzCases has one entry per RPC of the API.
func authzCases() []authzCase {
	return []authzCase{
		// ApiKeyService: project-scoped, with the custom VerifyApiKey.
		{procedure: "/altalune.v1.ApiKeyService/CreateApiKey", write: true, prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := inactiveAPIKeyRequest(fx.project.PublicID)
			return func(ctx context.Context, api *API) error { _, err := api.APIKeys.Create(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.ApiKeyService/DeleteApiKey", write: true, prepare: func(t *testing.T, fx *authzFixture) authzCall {
			k, _ := createAPIKey(t, fx.root, inactiveAPIKeyRequest(fx.project.PublicID))
			req := &altalunev1.DeleteApiKeyRequest{ProjectId: fx.project.PublicID, ApiKeyId: k.GetId()}
			return func(ctx context.Context, api *API) error { _, err := api.APIKeys.Delete(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.ApiKeyService/GetApiKey", prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.GetApiKeyRequest{ProjectId: fx.project.PublicID, ApiKeyId: fx.apiKey.GetId()}
			return func(ctx context.Context, api *API) error { _, err := api.APIKeys.Get(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.ApiKeyService/QueryApiKeys", prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.QueryApiKeysRequest{ProjectId: fx.project.PublicID}
			return func(ctx context.Context, api *API) error { _, err := api.APIKeys.Query(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.ApiKeyService/UpdateApiKey", write: true, prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.UpdateApiKeyRequest{ProjectId: fx.project.PublicID, ApiKeyId: fx.apiKey.GetId(),
				Name: uniq("Key "), Expiration: fx.apiKey.GetExpiration(), Active: true}
			return func(ctx context.Context, api *API) error { _, err := api.APIKeys.Update(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.ApiKeyService/VerifyApiKey", prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.VerifyApiKeyRequest{ProjectId: fx.project.PublicID, Key: fx.secret}
			return func(ctx context.Context, api *API) error { _, err := api.APIKeys.Verify(ctx, req); return err }
		}},

		// CurrencyService: global.
		{procedure: "/altalune.v1.CurrencyService/CreateCurrency", write: true, prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := newCurrencyRequest()
			return func(ctx context.Context, api *API) error { _, err := api.Currencies.Create(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.CurrencyService/DeleteCurrency", write: true, prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.DeleteCurrencyRequest{CurrencyId: createCurrency(t, fx.root, newCurrencyRequest()).GetId()}
			return func(ctx context.Context, api *API) error { _, err := api.Currencies.Delete(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.CurrencyService/GetCurrency", prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.GetCurrencyRequest{CurrencyId: fx.currency.GetId()}
			return func(ctx context.Context, api *API) error { _, err := api.Currencies.Get(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.CurrencyService/QueryCurrencies", prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.QueryCurrenciesRequest{}
			return func(ctx context.Context, api *API) error { _, err := api.Currencies.Query(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.CurrencyService/UpdateCurrency", write: true, prepare: func(t *testing.T, fx *authzFixture) authzCall {
			values := createRequestFrom(fx.currency)
			values.Name = uniq("Currency ")
			req := currencyUpdate(fx.currency.GetId(), values)
			return func(ctx context.Context, api *API) error { _, err := api.Currencies.Update(ctx, req); return err }
		}},

		// EmployeeService: project-scoped.
		{procedure: "/altalune.v1.EmployeeService/CreateEmployee", write: true, prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := newEmployeeRequest(fx.project.PublicID)
			return func(ctx context.Context, api *API) error { _, err := api.Employees.Create(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.EmployeeService/DeleteEmployee", write: true, prepare: func(t *testing.T, fx *authzFixture) authzCall {
			e := createEmployee(t, fx.root, newEmployeeRequest(fx.project.PublicID))
			req := &altalunev1.DeleteEmployeeRequest{ProjectId: fx.project.PublicID, EmployeeId: e.GetId()}
			return func(ctx context.Context, api *API) error { _, err := api.Employees.Delete(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.EmployeeService/GetEmployee", prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.GetEmployeeRequest{ProjectId: fx.project.PublicID, EmployeeId: fx.employee.GetId()}
			return func(ctx context.Context, api *API) error { _, err := api.Employees.Get(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.EmployeeService/QueryEmployees", prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.QueryEmployeesRequest{ProjectId: fx.project.PublicID}
			return func(ctx context.Context, api *API) error { _, err := api.Employees.Query(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.EmployeeService/UpdateEmployee", write: true, prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := updateRequestFrom(fx.project.PublicID, fx.employee)
			req.Name = uniq("Employee ")
			return func(ctx context.Context, api *API) error { _, err := api.Employees.Update(ctx, req); return err }
		}},

		// NodeService: project-scoped, every RPC with its permission.
		{procedure: "/altalune.v1.NodeService/CreateNode", write: true, prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := newNodeRequest(fx.project.PublicID)
			return func(ctx context.Context, api *API) error { _, err := api.Nodes.Create(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.NodeService/DeleteNode", write: true, prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.DeleteNodeRequest{ProjectId: fx.project.PublicID, NodeId: createNode(t, fx.root, newNodeRequest(fx.project.PublicID)).GetNodeId()}
			return func(ctx context.Context, api *API) error { _, err := api.Nodes.Delete(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.NodeService/GetNode", prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.GetNodeRequest{ProjectId: fx.project.PublicID, NodeId: fx.node.GetNodeId()}
			return func(ctx context.Context, api *API) error { _, err := api.Nodes.Get(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.NodeService/ListNodes", prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.ListNodesRequest{ProjectId: fx.project.PublicID}
			return func(ctx context.Context, api *API) error { _, err := api.Nodes.List(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.NodeService/QueryNodes", prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.QueryNodesRequest{ProjectId: fx.project.PublicID}
			return func(ctx context.Context, api *API) error { _, err := api.Nodes.Query(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.NodeService/UpdateNode", write: true, prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.UpdateNodeRequest{ProjectId: fx.project.PublicID, NodeId: fx.node.GetNodeId(), Name: uniq("node-"), Lang: "en", Reply: "Hi."}
			return func(ctx context.Context, api *API) error { _, err := api.Nodes.Update(ctx, req); return err }
		}},

		// ProjectService: hand-written.
		{procedure: "/altalune.v1.ProjectService/CreateProject", write: true, prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.CreateProjectRequest{Name: uniq("Project ")}
			return func(ctx context.Context, api *API) error { _, err := api.Projects.Create(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.ProjectService/GetProject", prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.GetProjectRequest{ProjectId: fx.project.PublicID}
			return func(ctx context.Context, api *API) error { _, err := api.Projects.Get(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.ProjectService/QueryProjects", prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.QueryProjectsRequest{}
			return func(ctx context.Context, api *API) error { _, err := api.Projects.Query(ctx, req); return err }
		}},

		// ProjectSettingService: a singleton per project.
		{procedure: "/altalune.v1.ProjectSettingService/GetProjectSetting", prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.GetProjectSettingRequest{ProjectId: fx.project.PublicID}
			return func(ctx context.Context, api *API) error { _, err := api.Settings.Get(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.ProjectSettingService/UpdateProjectSetting", write: true, prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.UpdateProjectSettingRequest{ProjectId: fx.project.PublicID, Timezone: ptr("UTC")}
			return func(ctx context.Context, api *API) error { _, err := api.Settings.Update(ctx, req); return err }
		}},

		// RoleService: global, every RPC with its permission.
		{procedure: "/altalune.v1.RoleService/CreateRole", write: true, prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := newRoleRequest()
			return func(ctx context.Context, api *API) error { _, err := api.Roles.Create(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.RoleService/DeleteRole", write: true, prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.DeleteRoleRequest{RoleId: createRole(t, fx.root, newRoleRequest()).GetId()}
			return func(ctx context.Context, api *API) error { _, err := api.Roles.Delete(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.RoleService/GetRole", prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.GetRoleRequest{RoleId: fx.role.GetId()}
			return func(ctx context.Context, api *API) error { _, err := api.Roles.Get(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.RoleService/QueryRoles", prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.QueryRolesRequest{}
			return func(ctx context.Context, api *API) error { _, err := api.Roles.Query(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.RoleService/UpdateRole", write: true, prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.UpdateRoleRequest{RoleId: fx.role.GetId(), Name: uniq("role-"), Description: ptr("changed")}
			return func(ctx context.Context, api *API) error { _, err := api.Roles.Update(ctx, req); return err }
		}},

		// TicketCommentService: children of a ticket.
		{procedure: "/altalune.v1.TicketCommentService/CreateTicketComment", write: true, prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := newCommentRequest(fx.project.PublicID, fx.ticket.GetId())
			return func(ctx context.Context, api *API) error { _, err := api.Comments.Create(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.TicketCommentService/DeleteTicketComment", write: true, prepare: func(t *testing.T, fx *authzFixture) authzCall {
			c := createComment(t, fx.root, newCommentRequest(fx.project.PublicID, fx.ticket.GetId()))
			req := &altalunev1.DeleteTicketCommentRequest{ProjectId: fx.project.PublicID, TicketCommentId: c.GetId()}
			return func(ctx context.Context, api *API) error { _, err := api.Comments.Delete(ctx, req); return err }
		}},

		// TicketService: project-scoped, with the custom CloseTicket.
		{procedure: "/altalune.v1.TicketService/CloseTicket", write: true, prepare: func(t *testing.T, fx *authzFixture) authzCall {
			tk := createTicket(t, fx.root, newTicketRequest(fx.project.PublicID))
			req := &altalunev1.CloseTicketRequest{ProjectId: fx.project.PublicID, TicketId: tk.GetId(), Resolution: "Fixed."}
			return func(ctx context.Context, api *API) error { _, err := api.Tickets.Close(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.TicketService/CreateTicket", write: true, prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := newTicketRequest(fx.project.PublicID)
			return func(ctx context.Context, api *API) error { _, err := api.Tickets.Create(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.TicketService/DeleteTicket", write: true, prepare: func(t *testing.T, fx *authzFixture) authzCall {
			tk := createTicket(t, fx.root, newTicketRequest(fx.project.PublicID))
			req := &altalunev1.DeleteTicketRequest{ProjectId: fx.project.PublicID, TicketId: tk.GetId()}
			return func(ctx context.Context, api *API) error { _, err := api.Tickets.Delete(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.TicketService/GetTicket", prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.GetTicketRequest{ProjectId: fx.project.PublicID, TicketId: fx.ticket.GetId()}
			return func(ctx context.Context, api *API) error { _, err := api.Tickets.Get(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.TicketService/QueryTickets", prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := &altalunev1.QueryTicketsRequest{ProjectId: fx.project.PublicID}
			return func(ctx context.Context, api *API) error { _, err := api.Tickets.Query(ctx, req); return err }
		}},
		{procedure: "/altalune.v1.TicketService/UpdateTicket", write: true, prepare: func(t *testing.T, fx *authzFixture) authzCall {
			req := ticketUpdateFrom(fx.project.PublicID, fx.ticket)
			req.Title = uniq("Ticket ")
			return func(ctx context.Context, api *API) error { _, err := api.Tickets.Update(ctx, req); return err }
		}},
	}
}

// authzWant is the expected outcome of a call: success (code 0) or an error
// with this code and message.
type authzWant struct {
	code    connect.Code
	message string
}

var authzOK = authzWant{}

func (w authzWant) ok() bool { return w.code == 0 }

func (w authzWant) String() string {
	if w.ok() {
		return "success"
	}
	return fmt.Sprintf("%s %q", w.code, w.message)
}

// check returns what is wrong with err, or "".
func (w authzWant) check(err error) string {
	if w.ok() {
		if err != nil {
			return "failed, want success: " + describeError(err)
		}
		return ""
	}
	if err == nil {
		return "succeeded, want " + w.String()
	}
	ae, ok := decodeError(err)
	if !ok {
		return fmt.Sprintf("want %s, got a non-RPC error: %v", w, err)
	}
	if ae.Code != w.code || ae.Message != w.message {
		return fmt.Sprintf("got %s, want %s", ae, w)
	}
	return ""
}

// authzCredential is what a caller presents: either a token sent the usual
// way (apis, built with apisWithToken) or raw values of the Authorization
// header / authorization metadata entry, set per call on APIs sending no
// token of their own.
type authzCredential struct {
	apis   []*API
	header []string
}

// authzWithToken presents token as "Bearer <token>", as every client does.
func authzWithToken(t *testing.T, token string) authzCredential {
	t.Helper()
	return authzCredential{apis: apisWithToken(t, token)}
}

// authzWithHeader presents the raw authorization values.
func authzWithHeader(t *testing.T, values ...string) authzCredential {
	t.Helper()
	return authzCredential{apis: apisWithToken(t, ""), header: values}
}

// context returns ctx carrying the raw authorization values for protocol.
func (c authzCredential) context(t *testing.T, ctx context.Context, protocol string) context.Context {
	t.Helper()
	if len(c.header) == 0 {
		return ctx
	}
	switch protocol {
	case "connect":
		ctx, info := connect.NewClientContext(ctx)
		for _, v := range c.header {
			info.RequestHeader().Add("Authorization", v)
		}
		return ctx
	case "grpc":
		for _, v := range c.header {
			ctx = metadata.AppendToOutgoingContext(ctx, "authorization", v)
		}
		return ctx
	}
	t.Fatalf("unknown protocol %q", protocol)
	return nil
}

// authzCheck runs subtest "<Service>/<Method>/<check>" with one subtest per
// protocol: it prepares a fresh call, makes it with cred and compares the
// outcome with want. Around a write it also fingerprints the database: a
// refused write must leave every table as it was (and a successful one must
// change it, which shows the fingerprint sees writes).
func authzCheck(t *testing.T, fx *authzFixture, c authzCase, check string, cred authzCredential, want authzWant) {
	t.Helper()
	t.Run(c.name()+"/"+check, func(t *testing.T) {
		for _, api := range cred.apis {
			t.Run(api.Protocol, func(t *testing.T) {
				call := c.prepare(t, fx)
				var before string
				if c.write {
					before = authzFingerprint(t, fx)
				}
				err := call(cred.context(t, ctxFor(t), api.Protocol), api)
				if msg := want.check(err); msg != "" {
					t.Fatalf("%s over %s (%s): %s", c.procedure, api.Protocol, check, msg)
				}
				if !c.write {
					return
				}
				after := authzFingerprint(t, fx)
				switch {
				case !want.ok() && after != before:
					t.Fatalf("%s over %s (%s) was refused but changed the database\nbefore:\n%s\nafter:\n%s",
						c.procedure, api.Protocol, check, before, after)
				case want.ok() && after == before:
					t.Fatalf("%s over %s (%s) succeeded but the database fingerprint did not change: it cannot see writes",
						c.procedure, api.Protocol, check)
				}
			})
		}
	})
}

// TestAuthzAccessTable checks the access table of the server against the
// expected one, and that it covers every RPC of the API.
func TestAuthzAccessTable(t *testing.T) {
	t.Run("server.Access is the expected table", func(t *testing.T) {
		got := authzserver.Access()
		if !slices.Equal(got, authzExpectedAccess) {
			var b strings.Builder
			for i := range max(len(got), len(authzExpectedAccess)) {
				var g, w string
				if i < len(got) {
					g = fmt.Sprintf("%+v", got[i])
				}
				if i < len(authzExpectedAccess) {
					w = fmt.Sprintf("%+v", authzExpectedAccess[i])
				}
				mark := " "
				if g != w {
					mark = "!"
				}
				fmt.Fprintf(&b, "%s got  %s\n  want %s\n", mark, g, w)
			}
			t.Fatalf("server.Access() differs from the expected table:\n%s", b.String())
		}
		for _, a := range got {
			if a.Public == (a.Permission != "") || (a.Public && a.Project) {
				t.Fatalf("inconsistent access rule %+v", a)
			}
		}
	})

	t.Run("altalune access prints the expected table", func(t *testing.T) {
		bin := os.Getenv(envServerBin)
		out, err := exec.CommandContext(ctxFor(t), bin, "access").Output()
		if err != nil {
			t.Fatalf("%s access: %v", bin, err)
		}
		lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
		var got []string
		for _, l := range lines {
			got = append(got, strings.Join(strings.Fields(l), " "))
		}
		want := []string{"PROCEDURE REQUIRES"}
		for _, a := range authzExpectedAccess {
			want = append(want, a.Procedure+" "+authzRequires(a))
		}
		requireStrings(t, got, want, "lines of `altalune access` (blanks collapsed)")
	})

	t.Run("every RPC of the API has a rule", func(t *testing.T) {
		var rpcs []string
		protoregistry.GlobalFiles.RangeFilesByPackage("altalune.v1", func(fd protoreflect.FileDescriptor) bool {
			for i := range fd.Services().Len() {
				svc := fd.Services().Get(i)
				for j := range svc.Methods().Len() {
					rpcs = append(rpcs, fmt.Sprintf("/%s/%s", svc.FullName(), svc.Methods().Get(j).Name()))
				}
			}
			return true
		})
		var listed []string
		for _, a := range authzExpectedAccess {
			listed = append(listed, a.Procedure)
		}
		requireSameSet(t, rpcs, listed, "RPCs of the altalune.v1 services")
	})

	t.Run("every rule has a scenario", func(t *testing.T) {
		var covered, listed []string
		for _, c := range authzCases() {
			covered = append(covered, c.procedure)
		}
		for _, a := range authzExpectedAccess {
			listed = append(listed, a.Procedure)
		}
		requireStrings(t, covered, listed, "procedures of authzCases")
	})
}

// TestAuthzNoToken: a call without any credential is refused as
// unauthenticated, unless the RPC is public.
func TestAuthzNoToken(t *testing.T) {
	fx := newAuthzFixture(t)
	anonymous := authzWithToken(t, "")
	for _, c := range authzCases() {
		a := authzAccessOf(t, c.procedure)
		want := authzWant{connect.CodeUnauthenticated, authzMsgNoToken}
		if a.Public {
			want = authzOK
		}
		authzCheck(t, fx, c, "no token", anonymous, want)
	}
}

// TestAuthzPermissions: the permission of the rule is needed (every other
// one is of no use), so is membership of the request's project for a
// project-scoped RPC, the two together suffice, and root passes everything.
func TestAuthzPermissions(t *testing.T) {
	fx := newAuthzFixture(t)
	bothProjects := map[string]string{fx.project.PublicID: authzMembershipRole, fx.other.PublicID: authzMembershipRole}
	root := authzCredential{apis: protocols} // root token, no membership at all
	for _, c := range authzCases() {
		a := authzAccessOf(t, c.procedure)
		user := uniq("user")
		if a.Public {
			authzCheck(t, fx, c, "token without permissions", authzWithToken(t, token(user, nil, nil)), authzOK)
		} else {
			authzCheck(t, fx, c, "every other permission and membership",
				authzWithToken(t, token(user, authzPermissionsExcept(a.Permission), bothProjects)),
				authzWant{connect.CodePermissionDenied, authzMsgRequires + a.Permission})
		}
		if a.Project {
			authzCheck(t, fx, c, "permission but member of another project only",
				authzWithToken(t, token(user, []string{a.Permission}, map[string]string{fx.other.PublicID: authzMembershipRole})),
				authzWant{connect.CodePermissionDenied, authzMsgNotAMember})
			authzCheck(t, fx, c, "permission but no membership",
				authzWithToken(t, token(user, []string{a.Permission}, nil)),
				authzWant{connect.CodePermissionDenied, authzMsgNotAMember})
		}
		var perms []string
		if a.Permission != "" {
			perms = []string{a.Permission}
		}
		authzCheck(t, fx, c, "required permission and membership",
			authzWithToken(t, token(user, perms, map[string]string{fx.project.PublicID: authzMembershipRole})), authzOK)
		authzCheck(t, fx, c, "root", root, authzOK)
	}
}

// TestAuthzInvalidCredentials: a token that fails validation, or an
// authorization header that is not "Bearer <token>", is refused as
// unauthenticated by every RPC, public ones included, even when the token
// claims root.
func TestAuthzInvalidCredentials(t *testing.T) {
	fx := newAuthzFixture(t)
	now := time.Now()
	claims := func(mutate func(*auth.Claims)) auth.Claims {
		c := auth.Claims{
			RegisteredClaims: jwt.RegisteredClaims{
				Subject:   uniq("intruder"),
				IssuedAt:  jwt.NewNumericDate(now),
				ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
			},
			Email:       "intruder@e2e.test",
			Perms:       append([]string{auth.RootPermission}, authzAllPermissions()...),
			Memberships: map[string]string{fx.project.PublicID: "owner", fx.other.PublicID: "owner"},
		}
		if mutate != nil {
			mutate(&c)
		}
		return c
	}
	foreignKey, err := authdev.GenerateKey()
	if err != nil {
		t.Fatalf("generate a foreign key: %v", err)
	}
	sign := func(key *rsa.PrivateKey, kid string, c auth.Claims) string {
		s, err := authdev.Sign(key, kid, c)
		if err != nil {
			t.Fatalf("sign: %v", err)
		}
		return s
	}
	unsigned, err := authzSigned(jwt.SigningMethodNone, claims(nil), jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatalf("unsigned token: %v", err)
	}
	publicPEM, err := x509.MarshalPKIXPublicKey(&signingKey.PublicKey)
	if err != nil {
		t.Fatalf("marshal public key: %v", err)
	}
	hmacWithPublicKey, err := authzSigned(jwt.SigningMethodHS256, claims(nil),
		pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: publicPEM}))
	if err != nil {
		t.Fatalf("HS256 token: %v", err)
	}
	validRoot := tokenWith(signingKey, claims(nil))

	invalidTokens := []struct {
		name  string
		token string
	}{
		{"token signed by another key", tokenWith(foreignKey, claims(nil))},
		{"expired token", tokenWith(signingKey, claims(func(c *auth.Claims) {
			c.IssuedAt = jwt.NewNumericDate(now.Add(-2 * time.Hour))
			c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Hour))
		}))},
		{"token of an unknown key id", sign(signingKey, "not-"+signingKeyID, claims(nil))},
		{"unsigned token (alg none)", unsigned},
		{"HS256 token keyed with the public key", hmacWithPublicKey},
		{"token without subject", tokenWith(signingKey, claims(func(c *auth.Claims) { c.Subject = "" }))},
		{"token not valid yet", tokenWith(signingKey, claims(func(c *auth.Claims) {
			c.NotBefore = jwt.NewNumericDate(now.Add(time.Hour))
		}))},
		{"garbage token", "not-a-jwt"},
	}
	malformedHeaders := []struct {
		name   string
		values []string
	}{
		{"Basic authorization header", []string{"Basic abc"}},
		{"Token authorization header", []string{"Token abc"}},
		{"valid root token under the Basic scheme", []string{"Basic " + validRoot}},
		{"Bearer without token", []string{"Bearer"}},
		{"two Bearer authorization headers", []string{"Bearer " + validRoot, "Bearer " + validRoot}},
	}

	// The valid root token that the malformed headers carry is accepted as
	// such: their refusal is the header's doing.
	for _, c := range authzCases() {
		if c.procedure == "/altalune.v1.ProjectService/QueryProjects" {
			authzCheck(t, fx, c, "control: valid root token as a raw Bearer header", authzWithHeader(t, "Bearer "+validRoot), authzOK)
		}
	}

	for _, tok := range invalidTokens {
		cred := authzWithToken(t, tok.token)
		for _, c := range authzCases() {
			authzCheck(t, fx, c, tok.name, cred, authzWant{connect.CodeUnauthenticated, authzMsgBadToken})
		}
	}
	for _, h := range malformedHeaders {
		cred := authzWithHeader(t, h.values...)
		for _, c := range authzCases() {
			authzCheck(t, fx, c, h.name, cred, authzWant{connect.CodeUnauthenticated, authzMsgBadHeader})
		}
	}
}

// authzSigned signs claims with method and key, naming the server's key id.
func authzSigned(method jwt.SigningMethod, claims auth.Claims, key any) (string, error) {
	tok := jwt.NewWithClaims(method, claims)
	tok.Header["kid"] = signingKeyID
	return tok.SignedString(key)
}
