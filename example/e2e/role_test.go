//go:build e2e

package e2e

import (
	"testing"

	"connectrpc.com/connect"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

// Role keeps a repository's own conventions: codes 60700 and 60701, and a
// nullable description that reads as "" when NULL.
const (
	codeRoleNotFound = "60700"
	codeRoleExists   = "60701"
)

func newRoleRequest() *altalunev1.CreateRoleRequest {
	return &altalunev1.CreateRoleRequest{Name: uniq("role-"), Description: "Can do things."}
}

func createRole(t *testing.T, api *API, req *altalunev1.CreateRoleRequest) *altalunev1.Role {
	t.Helper()
	res, err := api.Roles.Create(ctxFor(t), req)
	requireOK(t, err, "CreateRole")
	if res.GetRole().GetId() == "" {
		t.Fatal("CreateRole returned a role without id")
	}
	return res.GetRole()
}

func TestRoles(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, api *API) {
		t.Run("a NULL description reads as empty, and an empty one is stored as ''", func(t *testing.T) {
			role := createRole(t, api, newRoleRequest())
			requireEqual(t, role.GetDescription(), "Can do things.", "description")
			dbExec(t, `UPDATE altalune_roles SET description = NULL WHERE public_id = $1`, role.GetId())
			res, err := api.Roles.Get(ctxFor(t), &altalunev1.GetRoleRequest{RoleId: role.GetId()})
			requireOK(t, err, "GetRole of a NULL description")
			requireEqual(t, res.GetRole().GetDescription(), "", "description read from NULL")

			list, err := api.Roles.Query(ctxFor(t), &altalunev1.QueryRolesRequest{Query: &altalunev1.QueryRequest{Keyword: role.GetName()}})
			requireOK(t, err, "QueryRoles")
			if len(list.GetRoles()) != 1 || list.GetRoles()[0].GetDescription() != "" {
				t.Fatalf("QueryRoles answered %v in `roles`, want the role with an empty description", list.GetRoles())
			}

			// description is optional in the update: unset keeps the stored NULL,
			// set to "" stores ''.
			upd, err := api.Roles.Update(ctxFor(t), &altalunev1.UpdateRoleRequest{RoleId: role.GetId(), Name: role.GetName() + "-x"})
			requireOK(t, err, "UpdateRole without description")
			requireEqual(t, upd.GetRole().GetDescription(), "", "description after an update that leaves it out")
			var stored *string
			dbScan(t, `SELECT description FROM altalune_roles WHERE public_id = $1`, []any{role.GetId()}, &stored)
			if stored != nil {
				t.Fatalf("description stored as %q, want NULL kept", *stored)
			}
			_, err = api.Roles.Update(ctxFor(t), &altalunev1.UpdateRoleRequest{RoleId: role.GetId(), Name: role.GetName(), Description: ptr("")})
			requireOK(t, err, "UpdateRole with an empty description")
			dbScan(t, `SELECT description FROM altalune_roles WHERE public_id = $1`, []any{role.GetId()}, &stored)
			if stored == nil || *stored != "" {
				t.Fatalf("description stored as %v, want ''", stored)
			}
		})

		t.Run("an update keeps what it leaves out", func(t *testing.T) {
			role := createRole(t, api, newRoleRequest())
			upd, err := api.Roles.Update(ctxFor(t), &altalunev1.UpdateRoleRequest{RoleId: role.GetId(), Name: "renamed-" + role.GetName()})
			requireOK(t, err, "UpdateRole of the name only")
			requireEqual(t, upd.GetRole().GetDescription(), "Can do things.", "description kept")
			requireEqual(t, upd.GetRole().GetName(), "renamed-"+role.GetName(), "name written")
			upd, err = api.Roles.Update(ctxFor(t), &altalunev1.UpdateRoleRequest{RoleId: role.GetId(), Name: role.GetName(), Description: ptr("New.")})
			requireOK(t, err, "UpdateRole of both")
			requireEqual(t, upd.GetRole().GetDescription(), "New.", "description written")
		})

		t.Run("its own error codes", func(t *testing.T) {
			role := createRole(t, api, newRoleRequest())
			_, err := api.Roles.Create(ctxFor(t), &altalunev1.CreateRoleRequest{Name: role.GetName()})
			requireAPIError(t, err, "CreateRole with a taken name", connect.CodeAlreadyExists, codeRoleExists,
				map[string]string{"name": role.GetName()})
			missing := randomPublicID()
			_, err = api.Roles.Get(ctxFor(t), &altalunev1.GetRoleRequest{RoleId: missing})
			requireAPIError(t, err, "GetRole of a missing role", connect.CodeNotFound, codeRoleNotFound,
				map[string]string{"role_id": missing})
			_, err = api.Roles.Delete(ctxFor(t), &altalunev1.DeleteRoleRequest{RoleId: role.GetId()})
			requireOK(t, err, "DeleteRole")
			_, err = api.Roles.Delete(ctxFor(t), &altalunev1.DeleteRoleRequest{RoleId: role.GetId()})
			requireAPIError(t, err, "DeleteRole twice", connect.CodeNotFound, codeRoleNotFound, anyMeta)
		})
	})
}
