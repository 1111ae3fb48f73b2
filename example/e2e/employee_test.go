//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

const (
	msgEmployeeCreated = "Employee created successfully"
	msgEmployeeUpdated = "Employee updated successfully"
	msgEmployeeDeleted = "Employee deleted successfully"
)

// newEmployeeRequest is a valid CreateEmployeeRequest with unique email and
// employee number and no optional field set.
func newEmployeeRequest(projectID string) *altalunev1.CreateEmployeeRequest {
	n := next()
	return &altalunev1.CreateEmployeeRequest{
		ProjectId:      projectID,
		Name:           fmt.Sprintf("Employee %d %s", n, runTag),
		Email:          fmt.Sprintf("employee%d%s@example.com", n, runTag),
		EmployeeNumber: fmt.Sprintf("EN%d%s", n, runTag),
		Role:           altalunev1.EmployeeRole_EMPLOYEE_ROLE_ENGINEER,
		Status:         altalunev1.EmployeeStatus_EMPLOYEE_STATUS_ACTIVE,
		Salary:         1000,
	}
}

// fullEmployeeRequest sets every field of a CreateEmployeeRequest.
func fullEmployeeRequest(projectID string) *altalunev1.CreateEmployeeRequest {
	req := newEmployeeRequest(projectID)
	req.Role = altalunev1.EmployeeRole_EMPLOYEE_ROLE_MANAGER
	req.Status = altalunev1.EmployeeStatus_EMPLOYEE_STATUS_ON_LEAVE
	req.Phone = ptr("+62 811 2233 4455")
	req.Age = wrapperspb.Int32(42)
	req.HiredAt = timestamppb.New(micros(2019, time.March, 4, 5, 6, 7, 123456))
	req.Salary = 98765.4321
	req.Remote = true
	return req
}

func createEmployee(t *testing.T, api *API, req *altalunev1.CreateEmployeeRequest) *altalunev1.Employee {
	t.Helper()
	res, err := api.Employees.Create(ctxFor(t), req)
	requireOK(t, err, "CreateEmployee")
	requireMessage(t, res.GetMessage(), msgEmployeeCreated)
	if res.GetEmployee().GetId() == "" {
		t.Fatal("CreateEmployee returned an employee without id")
	}
	return res.GetEmployee()
}

func getEmployee(t *testing.T, api *API, projectID, id string) *altalunev1.Employee {
	t.Helper()
	res, err := api.Employees.Get(ctxFor(t), &altalunev1.GetEmployeeRequest{ProjectId: projectID, EmployeeId: id})
	requireOK(t, err, "GetEmployee")
	return res.GetEmployee()
}

// expectedEmployee is what the API must answer for a created employee, with
// the server-assigned fields taken from got.
func expectedEmployee(req *altalunev1.CreateEmployeeRequest, got *altalunev1.Employee) *altalunev1.Employee {
	status := req.GetStatus()
	if status == altalunev1.EmployeeStatus_EMPLOYEE_STATUS_UNSPECIFIED {
		status = altalunev1.EmployeeStatus_EMPLOYEE_STATUS_ACTIVE
	}
	return &altalunev1.Employee{
		Id:             got.GetId(),
		Name:           req.GetName(),
		Email:          req.GetEmail(),
		EmployeeNumber: req.GetEmployeeNumber(),
		Role:           req.GetRole(),
		Status:         status,
		Phone:          req.Phone,
		Age:            req.GetAge(),
		HiredAt:        req.GetHiredAt(),
		Salary:         req.GetSalary(),
		Remote:         req.GetRemote(),
		CreatedAt:      got.GetCreatedAt(),
		UpdatedAt:      got.GetUpdatedAt(),
	}
}

// updateRequestFrom is an UpdateEmployeeRequest repeating e's current values.
func updateRequestFrom(projectID string, e *altalunev1.Employee) *altalunev1.UpdateEmployeeRequest {
	return &altalunev1.UpdateEmployeeRequest{
		ProjectId:  projectID,
		EmployeeId: e.GetId(),
		Name:       e.GetName(),
		Email:      e.GetEmail(),
		Role:       e.GetRole(),
		Status:     e.GetStatus(),
		Phone:      e.Phone,
		Age:        e.GetAge(),
		HiredAt:    e.GetHiredAt(),
		Salary:     e.GetSalary(),
		Remote:     e.GetRemote(),
	}
}

// employeeRow is the raw database row of an employee.
type employeeRow struct {
	Name, Email, EmployeeNumber, Role, Status string
	Phone                                     *string
	Age                                       *int64
	HiredAt                                   *time.Time
	Salary                                    float64
	Remote                                    bool
}

func loadEmployeeRow(t *testing.T, projectID int64, publicID string) employeeRow {
	t.Helper()
	var r employeeRow
	dbScan(t, `SELECT name, email, employee_number, role::text, status::text, phone, age::bigint, hired_at, salary::float8, remote
		FROM altalune_example_employees WHERE project_id = $1 AND public_id = $2`,
		[]any{projectID, publicID},
		&r.Name, &r.Email, &r.EmployeeNumber, &r.Role, &r.Status, &r.Phone, &r.Age, &r.HiredAt, &r.Salary, &r.Remote)
	return r
}

// employeeStatusDB and employeeRoleDB are the database values of the enums.
var (
	employeeStatusDB = map[altalunev1.EmployeeStatus]string{
		altalunev1.EmployeeStatus_EMPLOYEE_STATUS_ACTIVE:   "active",
		altalunev1.EmployeeStatus_EMPLOYEE_STATUS_INACTIVE: "inactive",
		altalunev1.EmployeeStatus_EMPLOYEE_STATUS_ON_LEAVE: "leave",
	}
	employeeRoleDB = map[altalunev1.EmployeeRole]string{
		altalunev1.EmployeeRole_EMPLOYEE_ROLE_ENGINEER: "engineer",
		altalunev1.EmployeeRole_EMPLOYEE_ROLE_MANAGER:  "manager",
		altalunev1.EmployeeRole_EMPLOYEE_ROLE_DESIGNER: "designer",
	}
)

// requireEmployeeRow checks the database row against the API's view.
func requireEmployeeRow(t *testing.T, projectID int64, e *altalunev1.Employee) {
	t.Helper()
	r := loadEmployeeRow(t, projectID, e.GetId())
	requireEqual(t, r.Name, e.GetName(), "db name")
	requireEqual(t, r.Email, e.GetEmail(), "db email")
	requireEqual(t, r.EmployeeNumber, e.GetEmployeeNumber(), "db employee_number")
	requireEqual(t, r.Role, employeeRoleDB[e.GetRole()], "db role")
	requireEqual(t, r.Status, employeeStatusDB[e.GetStatus()], "db status")
	switch {
	case e.Phone == nil && r.Phone != nil:
		t.Fatalf("db phone = %q, want NULL", *r.Phone)
	case e.Phone != nil && r.Phone == nil:
		t.Fatalf("db phone is NULL, want %q", e.GetPhone())
	case e.Phone != nil:
		requireEqual(t, *r.Phone, e.GetPhone(), "db phone")
	}
	switch {
	case e.Age == nil && r.Age != nil:
		t.Fatalf("db age = %d, want NULL", *r.Age)
	case e.Age != nil && r.Age == nil:
		t.Fatalf("db age is NULL, want %d", e.GetAge().GetValue())
	case e.Age != nil:
		requireEqual(t, *r.Age, int64(e.GetAge().GetValue()), "db age")
	}
	switch {
	case e.HiredAt == nil && r.HiredAt != nil:
		t.Fatalf("db hired_at = %s, want NULL", r.HiredAt)
	case e.HiredAt != nil && r.HiredAt == nil:
		t.Fatalf("db hired_at is NULL, want %s", e.GetHiredAt().AsTime())
	case e.HiredAt != nil:
		if !r.HiredAt.Equal(e.GetHiredAt().AsTime()) {
			t.Fatalf("db hired_at = %s, want %s", r.HiredAt.UTC().Format(time.RFC3339Nano), e.GetHiredAt().AsTime().Format(time.RFC3339Nano))
		}
	}
	requireEqual(t, r.Salary, e.GetSalary(), "db salary")
	requireEqual(t, r.Remote, e.GetRemote(), "db remote")
}

func countEmployees(t *testing.T) int64 { return countRows(t, employeesTable) }

func TestEmployees(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, api *API) {
		t.Run("create get and query round-trip every field", func(t *testing.T) {
			p := newProject(t, api)
			req := fullEmployeeRequest(p.PublicID)
			got := createEmployee(t, api, req)
			want := expectedEmployee(req, got)
			requireProtoEqual(t, got, want, "CreateEmployee employee")
			requireRecent(t, got.GetCreatedAt(), "created_at")
			requireRecent(t, got.GetUpdatedAt(), "updated_at")
			if len(got.GetId()) != 14 {
				t.Fatalf("employee id %q: want 14 characters", got.GetId())
			}

			requireProtoEqual(t, getEmployee(t, api, p.PublicID, got.GetId()), want, "GetEmployee employee")

			q, err := api.Employees.Query(ctxFor(t), &altalunev1.QueryEmployeesRequest{ProjectId: p.PublicID})
			requireOK(t, err, "QueryEmployees")
			if len(q.GetData()) != 1 {
				t.Fatalf("QueryEmployees returned %d employees, want 1", len(q.GetData()))
			}
			requireProtoEqual(t, q.GetData()[0], want, "QueryEmployees employee")
			requireMeta(t, q.GetMeta(), 1, 1)

			requireEmployeeRow(t, p.ID, want)
		})

		t.Run("absent optional fields read back absent and are NULL", func(t *testing.T) {
			p := newProject(t, api)
			req := newEmployeeRequest(p.PublicID)
			got := createEmployee(t, api, req)
			if got.Phone != nil || got.Age != nil || got.HiredAt != nil {
				t.Fatalf("optional fields set on create: phone=%v age=%v hired_at=%v", got.Phone, got.Age, got.HiredAt)
			}
			requireProtoEqual(t, getEmployee(t, api, p.PublicID, got.GetId()), expectedEmployee(req, got), "GetEmployee employee")
			n := dbCount(t, `SELECT count(*) FROM altalune_example_employees
				WHERE project_id = $1 AND public_id = $2 AND phone IS NULL AND age IS NULL AND hired_at IS NULL`, p.ID, got.GetId())
			requireEqual(t, n, int64(1), "rows with phone, age and hired_at NULL")
		})

		t.Run("empty phone is kept as an empty string", func(t *testing.T) {
			p := newProject(t, api)
			req := newEmployeeRequest(p.PublicID)
			req.Phone = ptr("")
			got := createEmployee(t, api, req)
			if got.Phone == nil {
				t.Fatal("phone absent after creating with phone \"\"")
			}
			requireEqual(t, got.GetPhone(), "", "phone")
			if e := getEmployee(t, api, p.PublicID, got.GetId()); e.Phone == nil || e.GetPhone() != "" {
				t.Fatalf("GetEmployee phone = %v, want present and empty", e.Phone)
			}
			n := dbCount(t, `SELECT count(*) FROM altalune_example_employees
				WHERE project_id = $1 AND public_id = $2 AND phone IS NOT NULL AND phone = ''`, p.ID, got.GetId())
			requireEqual(t, n, int64(1), "rows with phone = '' (not NULL)")
		})

		t.Run("zero age reads back present", func(t *testing.T) {
			p := newProject(t, api)
			got := createEmployee(t, api, newEmployeeRequest(p.PublicID))
			// The API refuses age 0 (min 16), so put it there directly.
			dbExec(t, `UPDATE altalune_example_employees SET age = 0 WHERE project_id = $1 AND public_id = $2`, p.ID, got.GetId())
			e := getEmployee(t, api, p.PublicID, got.GetId())
			if e.Age == nil {
				t.Fatal("age absent, want present with value 0")
			}
			requireEqual(t, e.GetAge().GetValue(), int32(0), "age")
		})

		t.Run("timestamps keep microseconds", func(t *testing.T) {
			p := newProject(t, api)
			for _, hired := range []time.Time{
				micros(2001, time.February, 3, 4, 5, 6, 1),
				micros(1999, time.December, 31, 23, 59, 59, 999999),
				micros(2024, time.February, 29, 12, 0, 0, 500000),
				micros(1970, time.January, 1, 0, 0, 0, 0),
			} {
				req := newEmployeeRequest(p.PublicID)
				req.HiredAt = timestamppb.New(hired)
				got := createEmployee(t, api, req)
				e := getEmployee(t, api, p.PublicID, got.GetId())
				if e.HiredAt == nil || !e.GetHiredAt().AsTime().Equal(hired) {
					t.Fatalf("hired_at = %v, want %s", e.GetHiredAt(), hired.Format(time.RFC3339Nano))
				}
			}
		})

		t.Run("unspecified status is stored as active", func(t *testing.T) {
			p := newProject(t, api)
			req := newEmployeeRequest(p.PublicID)
			req.Status = altalunev1.EmployeeStatus_EMPLOYEE_STATUS_UNSPECIFIED
			got := createEmployee(t, api, req)
			requireEqual(t, got.GetStatus(), altalunev1.EmployeeStatus_EMPLOYEE_STATUS_ACTIVE, "status")
			requireEqual(t, loadEmployeeRow(t, p.ID, got.GetId()).Status, "active", "db status")
		})

		t.Run("enums are stored as their database values", func(t *testing.T) {
			p := newProject(t, api)
			for status, dbStatus := range employeeStatusDB {
				for role, dbRole := range employeeRoleDB {
					req := newEmployeeRequest(p.PublicID)
					req.Status, req.Role = status, role
					got := createEmployee(t, api, req)
					requireEqual(t, got.GetStatus(), status, "status")
					requireEqual(t, got.GetRole(), role, "role")
					row := loadEmployeeRow(t, p.ID, got.GetId())
					requireEqual(t, row.Status, dbStatus, "db status of "+status.String())
					requireEqual(t, row.Role, dbRole, "db role of "+role.String())
				}
			}
		})

		t.Run("update replaces every writable field", func(t *testing.T) {
			p := newProject(t, api)
			created := createEmployee(t, api, fullEmployeeRequest(p.PublicID))
			time.Sleep(20 * time.Millisecond) // let updated_at move

			upd := &altalunev1.UpdateEmployeeRequest{
				ProjectId:  p.PublicID,
				EmployeeId: created.GetId(),
				Name:       "Renamed " + runTag,
				Email:      uniq("renamed") + "@example.org",
				Role:       altalunev1.EmployeeRole_EMPLOYEE_ROLE_DESIGNER,
				Status:     altalunev1.EmployeeStatus_EMPLOYEE_STATUS_INACTIVE,
				Phone:      nil,
				Age:        nil,
				HiredAt:    nil,
				Salary:     0.5,
				Remote:     false,
			}
			res, err := api.Employees.Update(ctxFor(t), upd)
			requireOK(t, err, "UpdateEmployee")
			requireMessage(t, res.GetMessage(), msgEmployeeUpdated)
			got := res.GetEmployee()
			want := &altalunev1.Employee{
				Id:             created.GetId(),
				Name:           upd.GetName(),
				Email:          upd.GetEmail(),
				EmployeeNumber: created.GetEmployeeNumber(),
				Role:           upd.GetRole(),
				Status:         upd.GetStatus(),
				Salary:         upd.GetSalary(),
				CreatedAt:      created.GetCreatedAt(),
				UpdatedAt:      got.GetUpdatedAt(),
			}
			requireProtoEqual(t, got, want, "UpdateEmployee employee")
			requireRecent(t, got.GetUpdatedAt(), "updated_at")
			if !got.GetUpdatedAt().AsTime().After(created.GetUpdatedAt().AsTime()) {
				t.Fatalf("updated_at did not move: %s -> %s", created.GetUpdatedAt().AsTime(), got.GetUpdatedAt().AsTime())
			}
			requireProtoEqual(t, getEmployee(t, api, p.PublicID, created.GetId()), want, "GetEmployee after update")
			requireEmployeeRow(t, p.ID, want)

			// And back: set the optional fields again, to other values.
			upd2 := updateRequestFrom(p.PublicID, got)
			upd2.Phone = ptr("")
			upd2.Age = wrapperspb.Int32(16)
			upd2.HiredAt = timestamppb.New(micros(2010, time.October, 10, 10, 10, 10, 101010))
			upd2.Remote = true
			upd2.Status = altalunev1.EmployeeStatus_EMPLOYEE_STATUS_ON_LEAVE
			res2, err := api.Employees.Update(ctxFor(t), upd2)
			requireOK(t, err, "UpdateEmployee (second)")
			want2 := proto.Clone(want).(*altalunev1.Employee)
			want2.Phone, want2.Age, want2.HiredAt, want2.Remote, want2.Status = upd2.Phone, upd2.Age, upd2.HiredAt, true, upd2.Status
			want2.UpdatedAt = res2.GetEmployee().GetUpdatedAt()
			requireProtoEqual(t, res2.GetEmployee(), want2, "UpdateEmployee employee (second)")
			requireProtoEqual(t, getEmployee(t, api, p.PublicID, created.GetId()), want2, "GetEmployee after second update")
			requireEmployeeRow(t, p.ID, want2)
		})

		t.Run("update keeping the own email succeeds", func(t *testing.T) {
			p := newProject(t, api)
			e := createEmployee(t, api, newEmployeeRequest(p.PublicID))
			upd := updateRequestFrom(p.PublicID, e)
			upd.Name = "Same email " + runTag
			res, err := api.Employees.Update(ctxFor(t), upd)
			requireOK(t, err, "UpdateEmployee with unchanged email")
			requireEqual(t, res.GetEmployee().GetName(), upd.GetName(), "name")
		})

		t.Run("unspecified enums in an update keep the stored values", func(t *testing.T) {
			p := newProject(t, api)
			req := newEmployeeRequest(p.PublicID)
			req.Status = altalunev1.EmployeeStatus_EMPLOYEE_STATUS_INACTIVE
			e := createEmployee(t, api, req)
			upd := updateRequestFrom(p.PublicID, e)
			upd.Name = "Still inactive " + runTag
			upd.Status = altalunev1.EmployeeStatus_EMPLOYEE_STATUS_UNSPECIFIED
			res, err := api.Employees.Update(ctxFor(t), upd)
			requireOK(t, err, "UpdateEmployee without status")
			requireEqual(t, res.GetEmployee().GetStatus(), altalunev1.EmployeeStatus_EMPLOYEE_STATUS_INACTIVE, "status after an update that left it unspecified")
			requireEqual(t, res.GetEmployee().GetName(), upd.GetName(), "name")

			upd.Status = altalunev1.EmployeeStatus_EMPLOYEE_STATUS_ON_LEAVE
			res, err = api.Employees.Update(ctxFor(t), upd)
			requireOK(t, err, "UpdateEmployee with status")
			requireEqual(t, res.GetEmployee().GetStatus(), altalunev1.EmployeeStatus_EMPLOYEE_STATUS_ON_LEAVE, "status after an update that set it")
		})

		t.Run("timestamps outside years 1-9999 are invalid payloads", func(t *testing.T) {
			if api.Protocol == "connect" {
				t.Skip("protojson cannot carry such a timestamp; the gRPC run covers it")
			}
			p := newProject(t, api)
			before := countEmployees(t)
			req := newEmployeeRequest(p.PublicID)
			req.HiredAt = &timestamppb.Timestamp{Seconds: -300000 * 365 * 24 * 3600}
			_, err := api.Employees.Create(ctxFor(t), req)
			requireInvalidPayload(t, err, "CreateEmployee with hired_at in year -298030")
			requireRowCount(t, employeesTable, before)
		})

		t.Run("employee_number is immutable", func(t *testing.T) {
			p := newProject(t, api)
			e := createEmployee(t, api, newEmployeeRequest(p.PublicID))
			upd := updateRequestFrom(p.PublicID, e)
			upd.Name = "Number kept " + runTag
			res, err := api.Employees.Update(ctxFor(t), upd)
			requireOK(t, err, "UpdateEmployee")
			requireEqual(t, res.GetEmployee().GetEmployeeNumber(), e.GetEmployeeNumber(), "employee_number after update")

			if api.Protocol == "connect" {
				// UpdateEmployeeRequest has no employee_number; a client that
				// sends one anyway must not change it.
				body, _ := json.Marshal(map[string]any{
					"projectId": p.PublicID, "employeeId": e.GetId(), "name": "Number smuggled " + runTag,
					"email": e.GetEmail(), "role": e.GetRole().String(), "status": e.GetStatus().String(),
					"salary": e.GetSalary(), "employeeNumber": "CHANGED" + runTag, "employee_number": "CHANGED" + runTag,
				})
				status, text := postJSON(t, "/api/altalune.v1.EmployeeService/UpdateEmployee", body)
				if status != http.StatusOK && status != http.StatusBadRequest {
					t.Fatalf("UpdateEmployee with employeeNumber in the JSON: HTTP %d %s, want 200 (field ignored) or 400", status, text)
				}
			}
			requireEqual(t, getEmployee(t, api, p.PublicID, e.GetId()).GetEmployeeNumber(), e.GetEmployeeNumber(), "employee_number read back")
			requireEqual(t, loadEmployeeRow(t, p.ID, e.GetId()).EmployeeNumber, e.GetEmployeeNumber(), "db employee_number")
		})

		t.Run("hired_at in the future is rejected", func(t *testing.T) {
			p := newProject(t, api)
			before := countEmployees(t)
			req := newEmployeeRequest(p.PublicID)
			req.HiredAt = timestamppb.New(time.Now().Add(72 * time.Hour).Truncate(time.Microsecond))
			_, err := api.Employees.Create(ctxFor(t), req)
			requireInvalidPayload(t, err, "CreateEmployee with hired_at in the future")
			requireRowCount(t, employeesTable, before)

			e := createEmployee(t, api, fullEmployeeRequest(p.PublicID))
			upd := updateRequestFrom(p.PublicID, e)
			upd.Name = "Time traveller"
			upd.HiredAt = timestamppb.New(time.Now().Add(72 * time.Hour).Truncate(time.Microsecond))
			_, err = api.Employees.Update(ctxFor(t), upd)
			requireInvalidPayload(t, err, "UpdateEmployee with hired_at in the future")
			requireProtoEqual(t, getEmployee(t, api, p.PublicID, e.GetId()), e, "employee after the rejected update")
		})

		t.Run("delete", func(t *testing.T) {
			p := newProject(t, api)
			e := createEmployee(t, api, newEmployeeRequest(p.PublicID))
			keep := createEmployee(t, api, newEmployeeRequest(p.PublicID))
			res, err := api.Employees.Delete(ctxFor(t), &altalunev1.DeleteEmployeeRequest{ProjectId: p.PublicID, EmployeeId: e.GetId()})
			requireOK(t, err, "DeleteEmployee")
			requireMessage(t, res.GetMessage(), msgEmployeeDeleted)
			meta := map[string]string{"employee_id": e.GetId()}
			_, err = api.Employees.Get(ctxFor(t), &altalunev1.GetEmployeeRequest{ProjectId: p.PublicID, EmployeeId: e.GetId()})
			requireAPIError(t, err, "GetEmployee after delete", connect.CodeNotFound, codeEmployeeNotFound, meta)
			_, err = api.Employees.Delete(ctxFor(t), &altalunev1.DeleteEmployeeRequest{ProjectId: p.PublicID, EmployeeId: e.GetId()})
			requireAPIError(t, err, "DeleteEmployee twice", connect.CodeNotFound, codeEmployeeNotFound, meta)
			requireEqual(t, dbCount(t, "SELECT count(*) FROM altalune_example_employees WHERE public_id = $1", e.GetId()), int64(0), "rows of the deleted employee")
			requireProtoEqual(t, getEmployee(t, api, p.PublicID, keep.GetId()), keep, "the other employee")
		})

		t.Run("missing employee", func(t *testing.T) {
			p := newProject(t, api)
			createEmployee(t, api, newEmployeeRequest(p.PublicID))
			id := randomPublicID()
			meta := map[string]string{"employee_id": id}
			_, err := api.Employees.Get(ctxFor(t), &altalunev1.GetEmployeeRequest{ProjectId: p.PublicID, EmployeeId: id})
			requireAPIError(t, err, "GetEmployee", connect.CodeNotFound, codeEmployeeNotFound, meta)
			upd := updateRequestFrom(p.PublicID, &altalunev1.Employee{Id: id, Name: "Nobody", Email: uniq("nobody") + "@example.com",
				Role: altalunev1.EmployeeRole_EMPLOYEE_ROLE_ENGINEER})
			before := countEmployees(t)
			_, err = api.Employees.Update(ctxFor(t), upd)
			requireAPIError(t, err, "UpdateEmployee", connect.CodeNotFound, codeEmployeeNotFound, meta)
			_, err = api.Employees.Delete(ctxFor(t), &altalunev1.DeleteEmployeeRequest{ProjectId: p.PublicID, EmployeeId: id})
			requireAPIError(t, err, "DeleteEmployee", connect.CodeNotFound, codeEmployeeNotFound, meta)
			requireRowCount(t, employeesTable, before)
		})

		t.Run("unknown project", func(t *testing.T) {
			pid := randomPublicID()
			meta := map[string]string{"project_id": pid}
			before := countEmployees(t)
			_, err := api.Employees.Create(ctxFor(t), newEmployeeRequest(pid))
			requireAPIError(t, err, "CreateEmployee", connect.CodeNotFound, codeProjectNotFound, meta)
			_, err = api.Employees.Get(ctxFor(t), &altalunev1.GetEmployeeRequest{ProjectId: pid, EmployeeId: randomPublicID()})
			requireAPIError(t, err, "GetEmployee", connect.CodeNotFound, codeProjectNotFound, meta)
			_, err = api.Employees.Query(ctxFor(t), &altalunev1.QueryEmployeesRequest{ProjectId: pid})
			requireAPIError(t, err, "QueryEmployees", connect.CodeNotFound, codeProjectNotFound, meta)
			upd := updateRequestFrom(pid, &altalunev1.Employee{Id: randomPublicID(), Name: "Nobody", Email: uniq("nobody") + "@example.com",
				Role: altalunev1.EmployeeRole_EMPLOYEE_ROLE_ENGINEER})
			_, err = api.Employees.Update(ctxFor(t), upd)
			requireAPIError(t, err, "UpdateEmployee", connect.CodeNotFound, codeProjectNotFound, meta)
			_, err = api.Employees.Delete(ctxFor(t), &altalunev1.DeleteEmployeeRequest{ProjectId: pid, EmployeeId: randomPublicID()})
			requireAPIError(t, err, "DeleteEmployee", connect.CodeNotFound, codeProjectNotFound, meta)
			requireRowCount(t, employeesTable, before)
		})

		t.Run("badly formatted ids", func(t *testing.T) {
			p := newProject(t, api)
			e := createEmployee(t, api, newEmployeeRequest(p.PublicID))
			for _, c := range []struct{ name, projectID, employeeID string }{
				{"short project id", p.PublicID[:13], e.GetId()},
				{"long project id", p.PublicID + "x", e.GetId()},
				{"empty project id", "", e.GetId()},
				{"short employee id", p.PublicID, e.GetId()[:13]},
				{"long employee id", p.PublicID, e.GetId() + "x"},
				{"empty employee id", p.PublicID, ""},
			} {
				t.Run(c.name, func(t *testing.T) {
					_, err := api.Employees.Get(ctxFor(t), &altalunev1.GetEmployeeRequest{ProjectId: c.projectID, EmployeeId: c.employeeID})
					requireInvalidPayload(t, err, "GetEmployee")
					upd := updateRequestFrom(c.projectID, e)
					upd.EmployeeId = c.employeeID
					upd.Name = "Changed"
					_, err = api.Employees.Update(ctxFor(t), upd)
					requireInvalidPayload(t, err, "UpdateEmployee")
					_, err = api.Employees.Delete(ctxFor(t), &altalunev1.DeleteEmployeeRequest{ProjectId: c.projectID, EmployeeId: c.employeeID})
					requireInvalidPayload(t, err, "DeleteEmployee")
				})
			}
			_, err := api.Employees.Query(ctxFor(t), &altalunev1.QueryEmployeesRequest{ProjectId: "tooshort"})
			requireInvalidPayload(t, err, "QueryEmployees")
			requireProtoEqual(t, getEmployee(t, api, p.PublicID, e.GetId()), e, "employee after the rejected calls")
		})

		t.Run("invalid create payloads write nothing", func(t *testing.T) {
			p := newProject(t, api)
			for _, c := range []struct {
				name   string
				mutate func(r *altalunev1.CreateEmployeeRequest)
			}{
				{"empty name", func(r *altalunev1.CreateEmployeeRequest) { r.Name = "" }},
				{"name too long", func(r *altalunev1.CreateEmployeeRequest) { r.Name = strings.Repeat("n", 101) }},
				{"bad email", func(r *altalunev1.CreateEmployeeRequest) { r.Email = "not-an-email" }},
				{"empty email", func(r *altalunev1.CreateEmployeeRequest) { r.Email = "" }},
				{"empty employee number", func(r *altalunev1.CreateEmployeeRequest) { r.EmployeeNumber = "" }},
				{"employee number too long", func(r *altalunev1.CreateEmployeeRequest) { r.EmployeeNumber = strings.Repeat("9", 21) }},
				{"unspecified role", func(r *altalunev1.CreateEmployeeRequest) { r.Role = altalunev1.EmployeeRole_EMPLOYEE_ROLE_UNSPECIFIED }},
				{"undefined role", func(r *altalunev1.CreateEmployeeRequest) { r.Role = 99 }},
				{"undefined status", func(r *altalunev1.CreateEmployeeRequest) { r.Status = 42 }},
				{"phone too long", func(r *altalunev1.CreateEmployeeRequest) { r.Phone = ptr(strings.Repeat("1", 31)) }},
				{"age 10", func(r *altalunev1.CreateEmployeeRequest) { r.Age = wrapperspb.Int32(10) }},
				{"age 101", func(r *altalunev1.CreateEmployeeRequest) { r.Age = wrapperspb.Int32(101) }},
				{"negative salary", func(r *altalunev1.CreateEmployeeRequest) { r.Salary = -0.01 }},
				{"project id of 13 characters", func(r *altalunev1.CreateEmployeeRequest) { r.ProjectId = r.ProjectId[:13] }},
				{"empty project id", func(r *altalunev1.CreateEmployeeRequest) { r.ProjectId = "" }},
				{"NUL in the name", func(r *altalunev1.CreateEmployeeRequest) { r.Name = "Null\x00Byte" }},
				{"NUL at the end of the name", func(r *altalunev1.CreateEmployeeRequest) { r.Name += "\x00" }},
				{"NUL in the employee number", func(r *altalunev1.CreateEmployeeRequest) { r.EmployeeNumber = "EN\x00" + runTag }},
				{"NUL in the phone", func(r *altalunev1.CreateEmployeeRequest) { r.Phone = ptr("555\x000100") }},
				{"NUL as the phone", func(r *altalunev1.CreateEmployeeRequest) { r.Phone = ptr("\x00") }},
			} {
				t.Run(c.name, func(t *testing.T) {
					before := countEmployees(t)
					req := newEmployeeRequest(p.PublicID)
					c.mutate(req)
					_, err := api.Employees.Create(ctxFor(t), req)
					requireInvalidPayload(t, err, "CreateEmployee")
					requireRowCount(t, employeesTable, before)
				})
			}
		})

		t.Run("invalid update payloads change nothing", func(t *testing.T) {
			p := newProject(t, api)
			e := createEmployee(t, api, fullEmployeeRequest(p.PublicID))
			for _, c := range []struct {
				name   string
				mutate func(r *altalunev1.UpdateEmployeeRequest)
			}{
				{"empty name", func(r *altalunev1.UpdateEmployeeRequest) { r.Name = "" }},
				{"bad email", func(r *altalunev1.UpdateEmployeeRequest) { r.Email = "@nope" }},
				{"unspecified role", func(r *altalunev1.UpdateEmployeeRequest) { r.Role = 0 }},
				{"age 10", func(r *altalunev1.UpdateEmployeeRequest) { r.Age = wrapperspb.Int32(10) }},
				{"negative salary", func(r *altalunev1.UpdateEmployeeRequest) { r.Salary = -5 }},
				{"phone too long", func(r *altalunev1.UpdateEmployeeRequest) { r.Phone = ptr(strings.Repeat("1", 31)) }},
				{"undefined role", func(r *altalunev1.UpdateEmployeeRequest) { r.Role = 99 }},
				{"undefined status", func(r *altalunev1.UpdateEmployeeRequest) { r.Status = 42 }},
				{"NUL in the name", func(r *altalunev1.UpdateEmployeeRequest) { r.Name = "Must not\x00be written" }},
				{"NUL in the phone", func(r *altalunev1.UpdateEmployeeRequest) { r.Phone = ptr("\x00") }},
			} {
				t.Run(c.name, func(t *testing.T) {
					upd := updateRequestFrom(p.PublicID, e)
					upd.Name = "Must not be written"
					c.mutate(upd)
					_, err := api.Employees.Update(ctxFor(t), upd)
					requireInvalidPayload(t, err, "UpdateEmployee")
					requireProtoEqual(t, getEmployee(t, api, p.PublicID, e.GetId()), e, "employee after the rejected update")
				})
			}
		})
	})
}

func TestEmployeeUniqueness(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, api *API) {
		t.Run("duplicate email in the same project", func(t *testing.T) {
			p := newProject(t, api)
			first := createEmployee(t, api, newEmployeeRequest(p.PublicID))
			before := countEmployees(t)
			dup := newEmployeeRequest(p.PublicID)
			dup.Email = first.GetEmail()
			_, err := api.Employees.Create(ctxFor(t), dup)
			requireAPIError(t, err, "CreateEmployee with a taken email", connect.CodeAlreadyExists, codeEmployeeExists,
				map[string]string{"email": first.GetEmail()})
			requireRowCount(t, employeesTable, before)
		})

		t.Run("duplicate email differing in case", func(t *testing.T) {
			p := newProject(t, api)
			req := newEmployeeRequest(p.PublicID)
			req.Email = uniq("Mixed.Case") + "@Example.COM"
			createEmployee(t, api, req)
			before := countEmployees(t)
			for _, variant := range []string{strings.ToLower(req.Email), strings.ToUpper(req.Email)} {
				dup := newEmployeeRequest(p.PublicID)
				dup.Email = variant
				_, err := api.Employees.Create(ctxFor(t), dup)
				requireAPIError(t, err, "CreateEmployee with "+variant, connect.CodeAlreadyExists, codeEmployeeExists, anyMeta)
				requireEmailMeta(t, err, variant)
			}
			requireRowCount(t, employeesTable, before)
		})

		t.Run("duplicate employee number", func(t *testing.T) {
			p := newProject(t, api)
			first := createEmployee(t, api, newEmployeeRequest(p.PublicID))
			before := countEmployees(t)
			dup := newEmployeeRequest(p.PublicID)
			dup.EmployeeNumber = first.GetEmployeeNumber()
			_, err := api.Employees.Create(ctxFor(t), dup)
			requireAPIError(t, err, "CreateEmployee with a taken employee number", connect.CodeAlreadyExists, codeEmployeeExists,
				map[string]string{"employee_number": first.GetEmployeeNumber()})
			requireRowCount(t, employeesTable, before)
		})

		t.Run("same email and number in another project", func(t *testing.T) {
			a, b := newProject(t, api), newProject(t, api)
			req := newEmployeeRequest(a.PublicID)
			createEmployee(t, api, req)
			other := proto.Clone(req).(*altalunev1.CreateEmployeeRequest)
			other.ProjectId = b.PublicID
			e := createEmployee(t, api, other)
			requireEqual(t, e.GetEmail(), req.GetEmail(), "email in project B")
			requireEqual(t, rowPartition(t, employeesTable, e.GetId()), partitionName(employeesTable, b.ID), "partition of project B's row")
		})

		t.Run("update to another employee's email", func(t *testing.T) {
			p := newProject(t, api)
			first := createEmployee(t, api, newEmployeeRequest(p.PublicID))
			second := createEmployee(t, api, newEmployeeRequest(p.PublicID))
			upd := updateRequestFrom(p.PublicID, second)
			upd.Email = first.GetEmail()
			upd.Name = "Must not be written"
			_, err := api.Employees.Update(ctxFor(t), upd)
			requireAPIError(t, err, "UpdateEmployee to a taken email", connect.CodeAlreadyExists, codeEmployeeExists,
				map[string]string{"email": first.GetEmail()})
			requireProtoEqual(t, getEmployee(t, api, p.PublicID, second.GetId()), second, "employee after the rejected update")
		})
	})
}

// requireEmailMeta checks that an already-exists error names the email that
// collided (in any letter case).
func requireEmailMeta(t *testing.T, err error, email string) {
	t.Helper()
	ae, _ := decodeError(err)
	d, derr := ae.errorDetail()
	if derr != nil {
		t.Fatalf("error details: %v", derr)
	}
	if len(d.GetMeta()) != 1 || !strings.EqualFold(d.GetMeta()["email"], email) {
		t.Fatalf("ErrorDetail.meta = %v, want {email: %q} (any case)", d.GetMeta(), email)
	}
}

// postJSON posts a Connect JSON request to the server as the root caller and
// returns the HTTP status and body.
func postJSON(t *testing.T, path string, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctxFor(t), http.MethodPost, httpBase+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Connect-Protocol-Version", "1")
	req.Header.Set("Authorization", "Bearer "+rootToken())
	resp, err := (&http.Client{Timeout: callTimeout}).Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(text)
}
