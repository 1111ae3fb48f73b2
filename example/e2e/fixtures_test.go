//go:build e2e

package e2e

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

// publicIDAlphabet is the alphabet of the 14-character public IDs.
const publicIDAlphabet = "23456789abcdefghjklmnpqrstuvwxyz"

var (
	seq    atomic.Int64
	runTag = func() string {
		const letters = "abcdefghijklmnopqrstuvwxyz"
		var b strings.Builder
		for range 4 {
			b.WriteByte(letters[rand.IntN(len(letters))])
		}
		return b.String()
	}()
)

// next returns a number unique within the run.
func next() int64 { return seq.Add(1) }

// uniq returns "<prefix><n><runTag>", unique within the run (letters and
// digits only: no LIKE wildcards, no separators).
func uniq(prefix string) string {
	return fmt.Sprintf("%s%d%s", prefix, next(), runTag)
}

// randomPublicID returns a well-formed public ID that (almost surely) names
// nothing.
func randomPublicID() string {
	b := make([]byte, 14)
	for i := range b {
		b[i] = publicIDAlphabet[rand.IntN(len(publicIDAlphabet))]
	}
	return string(b)
}

// project is a project created through the API.
type project struct {
	PublicID string
	ID       int64 // internal ID, the partition key
}

// newProject creates a project and returns its public and internal IDs.
func newProject(t *testing.T, api *API) project {
	t.Helper()
	res, err := api.Projects.Create(ctxFor(t), &altalunev1.CreateProjectRequest{Name: uniq("Project ")})
	requireOK(t, err, "CreateProject")
	pid := res.GetProject().GetId()
	if len(pid) != 14 {
		t.Fatalf("CreateProject returned project id %q, want 14 characters", pid)
	}
	return project{PublicID: pid, ID: projectInternalID(t, pid)}
}

// micros returns a UTC time truncated to microseconds, PostgreSQL's precision.
func micros(year int, month time.Month, day, hour, minute, sec, usec int) time.Time {
	return time.Date(year, month, day, hour, minute, sec, usec*1000, time.UTC)
}

func ptr[T any](v T) *T { return &v }

// hostileStrings carry SQL meant to break out of a literal, an identifier or
// a LIKE pattern. Each is at most 64 characters (the sort field limit).
var hostileStrings = []string{
	`'; DROP TABLE altalune_example_employees; --`,
	`' OR 1=1 --`,
	`' OR '1'='1`,
	`" OR ""="`,
	`name; DROP TABLE altalune_example_employees`,
	`name); DELETE FROM altalune_example_employees; --`,
	`1) UNION SELECT public_id FROM altalune_projects --`,
	`' UNION SELECT NULL, version() --`,
	`name /* */ DESC, (SELECT 1/0)`,
	`created_at; TRUNCATE altalune_currencies --`,
	`%' OR '%'='`,
	`\'; SELECT pg_sleep(3); --`,
	`$1`,
	`--`,
}
