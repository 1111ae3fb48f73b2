package domainkit

import (
	"context"
	"database/sql/driver"
	"errors"
	"strings"
	"testing"
)

// listRow is a row of the fake lists: a name.
type listRow struct{ name string }

func scanListRow(r Row) (*listRow, error) {
	var v listRow
	err := r.Scan(&v.name)
	return &v, err
}

func listRowName(r *listRow) *string { return &r.name }

var listSpec = &QuerySpec{
	Table:        "things",
	Columns:      "name",
	Scope:        "project_id = $1",
	DefaultSort:  "name",
	DefaultOrder: "asc",
	Sorts:        map[string]string{"name": "name"},
}

// namesAnswer answers every statement with n rows of names.
func namesAnswer(n int) func(string, []any) fakeAnswer {
	return func(string, []any) fakeAnswer {
		a := fakeAnswer{columns: []string{"name"}}
		for i := range n {
			a.rows = append(a.rows, []driver.Value{string(rune('a' + i%26))})
		}
		return a
	}
}

func TestListScopedInDefaultOrder(t *testing.T) {
	db := newFakeDB(t, namesAnswer(3))
	got, err := List(context.Background(), db, listSpec, scanListRow, listRowName, int64(7))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || *got[0] != "a" || *got[2] != "c" {
		t.Fatalf("List = %v, want the three rows", got)
	}
	calls := db.recorded()
	want := "SELECT name FROM things WHERE project_id = $1 ORDER BY name ASC, id ASC LIMIT 1001"
	if len(calls) != 1 || calls[0].query != want || len(calls[0].args) != 1 || calls[0].args[0] != int64(7) {
		t.Fatalf("statements = %+v, want one %q with the scope", calls, want)
	}
}

func TestListWithoutScope(t *testing.T) {
	global := *listSpec
	global.Scope = ""
	db := newFakeDB(t, namesAnswer(0))
	got, err := List(context.Background(), db, &global, scanListRow, listRowName)
	if err != nil || len(got) != 0 {
		t.Fatalf("List = %v, %v; want no rows", got, err)
	}
	if q := db.recorded()[0].query; strings.Contains(q, "WHERE") {
		t.Fatalf("a list without scope has a WHERE: %q", q)
	}
}

func TestListTooLong(t *testing.T) {
	db := newFakeDB(t, namesAnswer(MaxListRows+1))
	_, err := List(context.Background(), db, listSpec, scanListRow, listRowName, int64(1))
	if !errors.Is(err, ErrListTooLong) {
		t.Fatalf("List of %d rows = %v, want ErrListTooLong", MaxListRows+1, err)
	}
	db = newFakeDB(t, namesAnswer(MaxListRows))
	if got, err := List(context.Background(), db, listSpec, scanListRow, listRowName, int64(1)); err != nil || len(got) != MaxListRows {
		t.Fatalf("List of %d rows = %d rows, %v", MaxListRows, len(got), err)
	}
}

func TestListFailures(t *testing.T) {
	broken := errors.New("broken")
	for _, tc := range []struct {
		name   string
		answer fakeAnswer
	}{
		{"the statement fails", fakeAnswer{err: broken}},
		{"reading the rows fails", fakeAnswer{columns: []string{"name"}, rowsErr: broken}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := newFakeDB(t, func(string, []any) fakeAnswer { return tc.answer })
			if _, err := List(context.Background(), db, listSpec, scanListRow, listRowName, int64(1)); !errors.Is(err, broken) {
				t.Fatalf("List = %v, want it to wrap %v", err, broken)
			}
		})
	}
	t.Run("a row does not scan", func(t *testing.T) {
		db := newFakeDB(t, func(string, []any) fakeAnswer {
			return fakeAnswer{columns: []string{"name", "extra"}, rows: [][]driver.Value{{"a", "b"}}}
		})
		if _, err := List(context.Background(), db, listSpec, scanListRow, listRowName, int64(1)); err == nil || !strings.Contains(err.Error(), "scan things") {
			t.Fatalf("List = %v, want the scan error", err)
		}
	})
}
