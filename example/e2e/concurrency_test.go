//go:build e2e

package e2e

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

const concurrentCalls = 50

// createConcurrently sends the requests at once and returns one error per
// request (nil on success) and the created employees.
func createConcurrently(t *testing.T, api *API, reqs []*altalunev1.CreateEmployeeRequest) ([]error, []*altalunev1.Employee) {
	t.Helper()
	errs := make([]error, len(reqs))
	created := make([]*altalunev1.Employee, len(reqs))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, req := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ctx, cancel := context.WithTimeout(context.Background(), 2*callTimeout)
			defer cancel()
			res, err := api.Employees.Create(ctx, req)
			errs[i] = err
			if err == nil {
				created[i] = res.GetEmployee()
			}
		}()
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	close(start)
	select {
	case <-done:
	case <-time.After(2*callTimeout + 10*time.Second):
		t.Fatalf("%d concurrent CreateEmployee calls did not finish in time", len(reqs))
	}
	return errs, created
}

func TestConcurrentCreates(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, api *API) {
		t.Run("same email: exactly one winner", func(t *testing.T) {
			p := newProject(t, api)
			email := uniq("race") + "@example.com"
			reqs := make([]*altalunev1.CreateEmployeeRequest, concurrentCalls)
			for i := range reqs {
				reqs[i] = newEmployeeRequest(p.PublicID)
				reqs[i].Email = email
			}
			errs, _ := createConcurrently(t, api, reqs)
			requireOneWinner(t, errs, map[string]string{"email": email})
			requireEqual(t, dbCount(t, "SELECT count(*) FROM altalune_example_employees WHERE project_id = $1", p.ID), int64(1), "employees in the project")
		})

		t.Run("same employee number: exactly one winner", func(t *testing.T) {
			p := newProject(t, api)
			number := uniq("N")
			reqs := make([]*altalunev1.CreateEmployeeRequest, concurrentCalls)
			for i := range reqs {
				reqs[i] = newEmployeeRequest(p.PublicID)
				reqs[i].EmployeeNumber = number
			}
			errs, _ := createConcurrently(t, api, reqs)
			requireOneWinner(t, errs, map[string]string{"employee_number": number})
			requireEqual(t, dbCount(t, "SELECT count(*) FROM altalune_example_employees WHERE project_id = $1", p.ID), int64(1), "employees in the project")
		})

		t.Run("distinct values: all succeed", func(t *testing.T) {
			p := newProject(t, api)
			reqs := make([]*altalunev1.CreateEmployeeRequest, concurrentCalls)
			for i := range reqs {
				reqs[i] = newEmployeeRequest(p.PublicID)
			}
			errs, created := createConcurrently(t, api, reqs)
			var failures []string
			seen := map[string]bool{}
			for i, err := range errs {
				if err != nil {
					failures = append(failures, describeError(err))
					continue
				}
				if seen[created[i].GetId()] {
					t.Fatalf("two employees got the same id %s", created[i].GetId())
				}
				seen[created[i].GetId()] = true
			}
			if len(failures) > 0 {
				t.Fatalf("%d of %d concurrent creates failed:\n  %s", len(failures), len(reqs), strings.Join(failures, "\n  "))
			}
			requireEqual(t, dbCount(t, "SELECT count(*) FROM altalune_example_employees WHERE project_id = $1", p.ID), int64(concurrentCalls), "employees in the project")
			res := queryEmployees(t, api, p.PublicID, nil)
			requireMeta(t, res.GetMeta(), concurrentCalls, (concurrentCalls+9)/10)
		})
	})
}

// requireOneWinner checks that exactly one call succeeded and every other
// failed with AlreadyExists 60202 naming the colliding value.
func requireOneWinner(t *testing.T, errs []error, meta map[string]string) {
	t.Helper()
	wins := 0
	var wrong []string
	for _, err := range errs {
		if err == nil {
			wins++
			continue
		}
		if msg := checkAPIError(err, connect.CodeAlreadyExists, codeEmployeeExists, meta); msg != "" {
			wrong = append(wrong, msg)
		}
	}
	if wins != 1 || len(wrong) > 0 {
		t.Fatalf("%d concurrent duplicate creates: %d succeeded (want 1), %d failed other than AlreadyExists %s %v:\n  %s",
			len(errs), wins, len(wrong), codeEmployeeExists, meta, strings.Join(wrong, "\n  "))
	}
	t.Logf("1 winner, %d AlreadyExists", len(errs)-1)
}
