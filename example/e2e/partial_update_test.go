//go:build e2e

package e2e

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

// maskedUpdate is an UpdateEmployeeRequest for e with the mask's paths and
// nothing else set: every field it leaves out is a zero value (an empty
// string, UNSPECIFIED, a nil pointer), which a partial update must not write.
func maskedUpdate(projectID string, e *altalunev1.Employee, paths ...string) *altalunev1.UpdateEmployeeRequest {
	return &altalunev1.UpdateEmployeeRequest{
		ProjectId:  projectID,
		EmployeeId: e.GetId(),
		UpdateMask: &fieldmaskpb.FieldMask{Paths: paths},
	}
}

// updateEmployee sends upd and returns the updated employee, checking it
// against the row and that Get answers the same.
func updateEmployee(t *testing.T, api *API, p project, upd *altalunev1.UpdateEmployeeRequest) *altalunev1.Employee {
	t.Helper()
	res, err := api.Employees.Update(ctxFor(t), upd)
	requireOK(t, err, "UpdateEmployee")
	requireMessage(t, res.GetMessage(), msgEmployeeUpdated)
	got := res.GetEmployee()
	requireProtoEqual(t, getEmployee(t, api, p.PublicID, got.GetId()), got, "GetEmployee after the update")
	requireEmployeeRow(t, p.ID, got)
	return got
}

// requireUpdated checks that got is before with change applied, updated_at
// moved on and every other field as it was.
func requireUpdated(t *testing.T, got, before *altalunev1.Employee, change func(*altalunev1.Employee), what string) {
	t.Helper()
	want := proto.Clone(before).(*altalunev1.Employee)
	change(want)
	want.UpdatedAt = got.GetUpdatedAt()
	requireProtoEqual(t, got, want, what)
	if got.GetUpdatedAt().AsTime().Before(before.GetUpdatedAt().AsTime()) {
		t.Fatalf("%s: updated_at went back from %s to %s", what, before.GetUpdatedAt().AsTime(), got.GetUpdatedAt().AsTime())
	}
}

// requirePhoneColumn checks the phone column: NULL for nil, else the value.
func requirePhoneColumn(t *testing.T, p project, id string, want *string) {
	t.Helper()
	got := loadEmployeeRow(t, p.ID, id).Phone
	switch {
	case want == nil && got != nil:
		t.Fatalf("db phone = %q, want NULL", *got)
	case want != nil && got == nil:
		t.Fatalf("db phone is NULL, want %q", *want)
	case want != nil && *got != *want:
		t.Fatalf("db phone = %q, want %q", *got, *want)
	}
}

func TestEmployeePartialUpdate(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, api *API) {
		t.Run("a mask writes its fields and keeps every other one", func(t *testing.T) {
			p := newProject(t, api)
			e := createEmployee(t, api, fullEmployeeRequest(p.PublicID))

			upd := maskedUpdate(p.PublicID, e, "name")
			upd.Name = "Renamed " + runTag
			got := updateEmployee(t, api, p, upd)
			requireUpdated(t, got, e, func(w *altalunev1.Employee) { w.Name = upd.Name }, "after a name-only update")

			upd = maskedUpdate(p.PublicID, got, "status", "salary", "remote")
			upd.Status = altalunev1.EmployeeStatus_EMPLOYEE_STATUS_INACTIVE
			upd.Salary = 0
			upd.Remote = false
			before := got
			got = updateEmployee(t, api, p, upd)
			requireUpdated(t, got, before, func(w *altalunev1.Employee) {
				w.Status = altalunev1.EmployeeStatus_EMPLOYEE_STATUS_INACTIVE
				w.Salary = 0
				w.Remote = false
			}, "after writing status, salary and remote (zero values written, not skipped)")

			upd = maskedUpdate(p.PublicID, got, "age", "hired_at")
			before = got
			got = updateEmployee(t, api, p, upd)
			requireUpdated(t, got, before, func(w *altalunev1.Employee) {
				w.Age = nil
				w.HiredAt = nil
			}, "after clearing age and hired_at")
			requireEqual(t, got.GetPhone(), e.GetPhone(), "phone, never listed")
		})

		t.Run("an unlisted nullable field stays NULL, and NULL and empty stay distinct", func(t *testing.T) {
			p := newProject(t, api)
			e := createEmployee(t, api, newEmployeeRequest(p.PublicID)) // phone NULL
			requirePhoneColumn(t, p, e.GetId(), nil)

			upd := maskedUpdate(p.PublicID, e, "name")
			upd.Name = "Still no phone " + runTag
			upd.Phone = ptr("+62 800 0000") // not listed: not written
			got := updateEmployee(t, api, p, upd)
			requirePhoneColumn(t, p, e.GetId(), nil)
			if got.Phone != nil {
				t.Fatalf("phone = %q after an update that did not list it, want unset", got.GetPhone())
			}

			upd = maskedUpdate(p.PublicID, got, "phone")
			upd.Phone = ptr("")
			got = updateEmployee(t, api, p, upd)
			requirePhoneColumn(t, p, e.GetId(), ptr(""))
			if got.Phone == nil || got.GetPhone() != "" {
				t.Fatalf("phone = %v after writing the empty string, want set and empty", got.Phone)
			}

			upd = maskedUpdate(p.PublicID, got, "salary")
			upd.Salary = 5
			got = updateEmployee(t, api, p, upd)
			requirePhoneColumn(t, p, e.GetId(), ptr(""))

			upd = maskedUpdate(p.PublicID, got, "phone") // listed and absent: NULL
			got = updateEmployee(t, api, p, upd)
			requirePhoneColumn(t, p, e.GetId(), nil)
			if got.Phone != nil {
				t.Fatalf("phone = %q after writing NULL, want unset", got.GetPhone())
			}
		})

		t.Run("the rules of unlisted fields do not apply, those of listed ones do", func(t *testing.T) {
			p := newProject(t, api)
			e := createEmployee(t, api, fullEmployeeRequest(p.PublicID))
			// name is empty (min_len 1), email is not an address, role is
			// UNSPECIFIED (not_in [0]) and age is 5 (gte 16): none is listed.
			upd := maskedUpdate(p.PublicID, e, "phone")
			upd.Email = "not an address"
			upd.Age = wrapperspb.Int32(5)
			upd.Phone = ptr("+62 811 0000 0000")
			got := updateEmployee(t, api, p, upd)
			requireUpdated(t, got, e, func(w *altalunev1.Employee) { w.Phone = upd.Phone }, "after a phone-only update")

			for _, tc := range []struct {
				path string
				set  func(*altalunev1.UpdateEmployeeRequest)
			}{
				{"name", func(r *altalunev1.UpdateEmployeeRequest) {}},
				{"email", func(r *altalunev1.UpdateEmployeeRequest) { r.Email = "not an address" }},
				{"age", func(r *altalunev1.UpdateEmployeeRequest) { r.Age = wrapperspb.Int32(5) }},
				{"phone", func(r *altalunev1.UpdateEmployeeRequest) { r.Phone = ptr(strings.Repeat("9", 31)) }},
			} {
				upd := maskedUpdate(p.PublicID, got, tc.path)
				tc.set(upd)
				_, err := api.Employees.Update(ctxFor(t), upd)
				requireInvalidPayload(t, err, "UpdateEmployee breaking the rule of listed "+tc.path)
				requireProtoEqual(t, getEmployee(t, api, p.PublicID, e.GetId()), got, "employee after the refused update of "+tc.path)
			}
		})

		t.Run("the BeforeUpdate hook sees the listed fields only", func(t *testing.T) {
			p := newProject(t, api)
			e := createEmployee(t, api, fullEmployeeRequest(p.PublicID))
			future := timestamppb.New(time.Now().Add(72 * time.Hour).Truncate(time.Microsecond))

			upd := maskedUpdate(p.PublicID, e, "hired_at")
			upd.HiredAt = future
			_, err := api.Employees.Update(ctxFor(t), upd)
			requireInvalidPayload(t, err, "UpdateEmployee listing a future hired_at")
			requireProtoEqual(t, getEmployee(t, api, p.PublicID, e.GetId()), e, "employee after the refused update")

			upd = maskedUpdate(p.PublicID, e, "remote")
			upd.HiredAt = future // not listed: neither written nor judged
			upd.Remote = false
			got := updateEmployee(t, api, p, upd)
			requireUpdated(t, got, e, func(w *altalunev1.Employee) { w.Remote = false }, "after a remote-only update")
		})

		t.Run("immutable and unknown paths are refused, each named", func(t *testing.T) {
			p := newProject(t, api)
			e := createEmployee(t, api, fullEmployeeRequest(p.PublicID))
			row := loadEmployeeRow(t, p.ID, e.GetId())
			immutable := []string{"employee_number", "id", "employee_id", "project_id", "created_at", "updated_at"}
			unknown := []string{"salary_cents", "name.first", "employee", "update_mask"}
			if api.Protocol == "grpc" {
				// Paths travel as they are over gRPC (protojson would rewrite
				// JSON names, and refuses the others); a path is matched
				// exactly.
				immutable = append(immutable, "employeeNumber", "createdAt")
				unknown = append(unknown, "Name", "EMAIL", "name ", "")
			}
			check := func(paths []string, wantNamed []string, why string) {
				t.Helper()
				upd := maskedUpdate(p.PublicID, e, paths...)
				upd.Name = "Must not be written"
				_, err := api.Employees.Update(ctxFor(t), upd)
				requireInvalidPayload(t, err, "UpdateEmployee with paths "+strings.Join(paths, ","))
				ae, _ := decodeError(err)
				for _, name := range wantNamed {
					if quoted, _ := json.Marshal(name); !strings.Contains(ae.Message, string(quoted)+" "+why) &&
						!strings.Contains(ae.Message, string(quoted)+",") {
						t.Fatalf("paths %q: message %q does not name %s as %s", paths, ae.Message, quoted, why)
					}
				}
				if !strings.HasPrefix(ae.Message, "update_mask: ") {
					t.Fatalf("message %q does not start with the mask's field", ae.Message)
				}
				if !reflect.DeepEqual(loadEmployeeRow(t, p.ID, e.GetId()), row) {
					t.Fatalf("paths %q: the row changed", paths)
				}
			}
			for _, path := range immutable {
				check([]string{"name", path}, []string{path}, "is immutable")
			}
			for _, path := range unknown {
				check([]string{path, "name"}, []string{path}, "is not a field")
			}
			check([]string{"name", "employee_number", "salary_cents"}, []string{"employee_number"}, "is immutable")
			check([]string{"name", "employee_number", "salary_cents"}, []string{"salary_cents"}, "is not a field")
			requireProtoEqual(t, getEmployee(t, api, p.PublicID, e.GetId()), e, "employee after every refused update")

			if api.Protocol == "grpc" {
				upd := maskedUpdate(p.PublicID, e, "hiredAt") // a JSON name is accepted as a path
				got := updateEmployee(t, api, p, upd)
				requireUpdated(t, got, e, func(w *altalunev1.Employee) { w.HiredAt = nil }, "after clearing hiredAt")
			}
		})

		t.Run("a unique field is checked only when the mask lists it", func(t *testing.T) {
			p := newProject(t, api)
			a := createEmployee(t, api, newEmployeeRequest(p.PublicID))
			b := createEmployee(t, api, fullEmployeeRequest(p.PublicID))

			upd := maskedUpdate(p.PublicID, b, "name")
			upd.Name = "Email not listed " + runTag
			upd.Email = a.GetEmail() // taken, but not written
			got := updateEmployee(t, api, p, upd)
			requireUpdated(t, got, b, func(w *altalunev1.Employee) { w.Name = upd.Name }, "after a name-only update")

			for _, email := range []string{a.GetEmail(), strings.ToUpper(a.GetEmail())} {
				upd = maskedUpdate(p.PublicID, got, "email")
				upd.Email = email
				_, err := api.Employees.Update(ctxFor(t), upd)
				requireAPIError(t, err, "UpdateEmployee listing a taken email", connect.CodeAlreadyExists, codeEmployeeExists, anyMeta)
				requireEmailMeta(t, err, a.GetEmail())
				requireProtoEqual(t, getEmployee(t, api, p.PublicID, b.GetId()), got, "employee after the refused update")
			}

			upd = maskedUpdate(p.PublicID, got, "email")
			upd.Email = "fresh" + uniq("") + "@example.com"
			before := got
			got = updateEmployee(t, api, p, upd)
			requireUpdated(t, got, before, func(w *altalunev1.Employee) { w.Email = upd.Email }, "after an email-only update")
		})

		t.Run("without a mask, or with an empty one, every field is written", func(t *testing.T) {
			p := newProject(t, api)
			for _, mask := range []*fieldmaskpb.FieldMask{nil, {}} {
				e := createEmployee(t, api, fullEmployeeRequest(p.PublicID))
				upd := updateRequestFrom(p.PublicID, e)
				upd.UpdateMask = mask
				upd.Phone = nil
				upd.Age = nil
				upd.Remote = false
				got := updateEmployee(t, api, p, upd)
				requireUpdated(t, got, e, func(w *altalunev1.Employee) {
					w.Phone = nil
					w.Age = nil
					w.Remote = false
				}, "after a full update")
				requirePhoneColumn(t, p, e.GetId(), nil)
			}
		})

		if api.Protocol != "connect" {
			return
		}
		t.Run("the JSON form of a mask: a string of JSON names", func(t *testing.T) {
			p := newProject(t, api)
			e := createEmployee(t, api, fullEmployeeRequest(p.PublicID))
			const path = "/api/altalune.v1.EmployeeService/UpdateEmployee"
			body, _ := json.Marshal(map[string]any{
				"projectId": p.PublicID, "employeeId": e.GetId(), "updateMask": "phone,hiredAt",
				"phone": "", "name": "Not listed",
			})
			status, text := postJSON(t, path, body)
			if status != http.StatusOK {
				t.Fatalf("UpdateEmployee with updateMask %q: HTTP %d %s", "phone,hiredAt", status, text)
			}
			got := getEmployee(t, api, p.PublicID, e.GetId())
			requireUpdated(t, got, e, func(w *altalunev1.Employee) {
				w.Phone = ptr("")
				w.HiredAt = nil
			}, "after the JSON partial update")

			body, _ = json.Marshal(map[string]any{
				"projectId": p.PublicID, "employeeId": e.GetId(), "updateMask": "name,employeeNumber",
				"name": "Must not be written",
			})
			status, text = postJSON(t, path, body)
			if status != http.StatusBadRequest || !strings.Contains(text, `\"employee_number\" is immutable`) {
				t.Fatalf("UpdateEmployee with updateMask naming employeeNumber: HTTP %d %s, want 400 naming employee_number", status, text)
			}
			requireProtoEqual(t, getEmployee(t, api, p.PublicID, e.GetId()), got, "employee after the refused JSON update")
		})
	})
}
