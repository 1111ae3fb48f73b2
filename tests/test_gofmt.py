"""gofmt by construction, checked against the real gofmt.

Each snippet is written the way templates write Go: leading tabs for
indentation, one tab between the cells gofmt aligns. ``align`` must give what
gofmt gives for the same source; the import block must be what goimports
would write and leave the file gofmt-clean.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from golden_harness import tool_env

from protoc_gen_altalune import gofmt, golang
from protoc_gen_altalune.golang import GoPackage

pytestmark = pytest.mark.go


def real_gofmt(source: str) -> str:
    path = shutil.which("gofmt", path=tool_env()["PATH"])
    if path is None:
        pytest.fail("gofmt is required to check the alignment")
    proc = subprocess.run([path, "-s"], input=source, capture_output=True, text=True)
    assert proc.returncode == 0, f"gofmt rejected the snippet:\n{proc.stderr}\n{source}"
    return proc.stdout


def file_of(body: str) -> str:
    return "package p\n\n" + body


SNIPPETS = {
    "struct fields with trailing comments": """\
type T struct {
	A	int	// first
	LongName	string	// second, longer
	B	map[string]int
	VeryLongFieldName	*T	// last
}
""",
    "struct with a comment line between fields": """\
type T struct {
	// A is the first.
	A	int
	LongName	string

	// After a blank line a new section starts.
	X	bool
	Shorter	[]byte
}
""",
    "const block with blank lines": """\
const (
	A	= "1"
	BBBB	= "2"

	CCCCCCCC	= "3"
	D	= "4"
)
""",
    "typed const block": """\
const (
	StatusActive	Status	= "active"
	StatusOnLeave	Status	= "leave"
	StatusX	Status	= "x"
)
""",
    "composite literal with a multi-line entry": """\
var x = map[string]T{
	"a":	{A: 1},
	"bbbbbb":	{A: 2},
	"multi": {
		A:	3,
		LongName:	"x",
	},
	"c":	{A: 4},
	"dddd":	{A: 5},
}
""",
    "struct literal with a multi-line field between single-line ones": """\
var spec = &Spec{
	Table:	"t",
	DefaultSort:	"created_at DESC",
	Filters: map[string]Filter{
		"status":	{Column: "status"},
		"x":	{Column: "x"},
	},
	Sorts: map[string]string{
		"name":	"name",
	},
	Empty:	map[string]string{},
	Last:	1,
}
""",
    "composite literal with long keys": """\
var sorts = map[string]string{
	"a":	"a",
	"bb":	"b",
	"this_is_a_very_long_field_name_for_sorting_things":	"x",
	"c":	"c",
	"dd":	"d",
	"another_field_whose_name_is_longer_than_forty_chars":	"y",
	"yet_another_field_with_a_name_over_forty_characters":	"z",
	"estimated_delivery_window_start_utc":	"w",
}

var p = &Person{
	ID:	r.PublicID,
	EstimatedDeliveryWindowStartTimestampUTC:	r.EstimatedDeliveryWindowStartTimestampUTC,
	Name:	r.Name,
	Email:	r.Email,
	Nested: &Inner{
		A:	1,
	},
	LongerButUnderTheLimitOfFortyChars:	1,
	X:	2,
}
""",
    "nested indentation": """\
func f() {
	x := T{
		A:	1,
		Bcd:	2,
	}
	if x.A > 0 {
		y := T{
			LongField:	1,
			B:	2,
		}
		_ = y
	}
	switch {
	case x.A == 1:
		z := map[string]int{
			"one":	1,
			"three":	3,
		}
		_ = z
	}
}
""",
    "assignments in a var block": """\
var (
	_	BeforeCreateHook	= (*Service)(nil)
	_	BeforeUpdateHook	= (*Service)(nil)
	errLonger		= errors.New("x")
)
""",
    "comment lines between aligned lines": """\
type T struct {
	A	int
	// LongName is documented.
	LongName	string
	// Z too.
	Z	bool
}

var m = map[string]int{
	"a":	1,
	// "bbbbbbbb" is explained.
	"bbbbbbbb":	2,
}
""",
    "doc comment with a code block": """\
// Service has RPCs that are not CRUD. Implement each:
//
//	func (s *Service) Close(ctx context.Context) error
//	func (s *Service) Reopen(ctx context.Context) error
//
// Until then this fails to compile.
var _ = 1
""",
    "trailing comment containing a tab": """\
type T struct {
	A	int	// a	b
	Bbbbbbb	int	// c
}
""",
}


@pytest.mark.parametrize("body", SNIPPETS.values(), ids=SNIPPETS.keys())
def test_align_matches_gofmt(body):
    source = file_of(body)
    assert gofmt.align(source) == real_gofmt(source)


def test_align_is_idempotent_on_gofmt_output():
    for body in SNIPPETS.values():
        formatted = real_gofmt(file_of(body))
        assert gofmt.align(formatted) == formatted


KNOWN = {
    "context": "context",
    "fmt": "fmt",
    "sql": "database/sql",
    "errors": "errors",
    "connect": "connectrpc.com/connect",
    "altalune": "github.com/hrz8/altalune",
    "altalunev1": "github.com/hrz8/altalune/gen/altalune/v1",
    "project_domain": "github.com/hrz8/altalune/internal/domain/project",
    "domainkit": "github.com/hrz8/altalune/internal/platform/kit",
    "timestamppb": "google.golang.org/protobuf/types/known/timestamppb",
    "query": "github.com/hrz8/altalune/internal/shared/query",
}


def _packages(*names: str) -> set[GoPackage]:
    return {GoPackage(KNOWN[n], n) for n in names}


def test_imports_grouped_sorted_and_aliased():
    used = _packages("context", "sql", "fmt", "altalune", "altalunev1", "project_domain", "domainkit", "timestamppb")
    body = """\
func f(ctx context.Context, r *altalunev1.Request) error {
	_ = timestamppb.Now()
	_ = sql.ErrNoRows
	_ = domainkit.Unary
	_ = project_domain.ErrProjectNotFound
	return altalune.NewInvalidPayloadError(fmt.Sprint(r))
}
"""
    block = golang.import_block(used)
    assert block == """\
import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hrz8/altalune"
	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
	project_domain "github.com/hrz8/altalune/internal/domain/project"
	domainkit "github.com/hrz8/altalune/internal/platform/kit"
	"google.golang.org/protobuf/types/known/timestamppb"
)
"""
    source = "package p\n\n" + block + "\n" + body
    assert real_gofmt(source) == source


def test_single_import_on_one_line():
    assert golang.import_block(_packages("errors")) == 'import "errors"\n'
    assert golang.import_block(set()) == ""


def test_a_file_does_not_import_its_own_package():
    used = _packages("errors", "domainkit")
    assert golang.import_block(used, own_path=KNOWN["domainkit"]) == 'import "errors"\n'


def test_imports_are_recorded_as_packages_are_written():
    """What a template writes through a package is imported; a local name
    that looks like a package (query, time, codes) is not."""
    query, fmt = GoPackage(KNOWN["query"], "query"), golang.STD["fmt"]
    with golang.collecting() as used:
        text = f"params := {query}.QueryParams{{}}\n" + "query := 1\ntime := query\ncodes.X(time)\n"
        text += f"{fmt}.Sprint(x)\n"
    assert used == {query, fmt}
    assert "query.QueryParams" in text and "fmt.Sprint" in text
    # Outside a file being rendered, nothing is recorded.
    assert str(query) == "query"
    assert used == {query, fmt}


def test_identifiers_record_their_package():
    pb = GoPackage(KNOWN["altalunev1"], "altalunev1")
    with golang.collecting() as used:
        assert f"*{pb.ident('Employee')}" == "*altalunev1.Employee"
    assert used == {pb}


def test_tidy():
    text = "package p\n\n\n\nfunc f() {\n\n\tx := T{\n\t}\n\n}\n\n\nvar y = []string{\n}\n\n"
    assert gofmt.tidy(text) == "package p\n\nfunc f() {\n\tx := T{}\n}\n\nvar y = []string{}\n"
    assert gofmt.tidy("type I interface {\n}\n") == "type I interface {\n}\n"


@pytest.mark.parametrize(("text", "expected"), [
    ("a\n\n\n\nb\n", "a\n\nb\n"),  # a run of blank lines is one
    ("f() {\n\n\n\tx\n}\n", "f() {\n\tx\n}\n"),  # none after an opening brace
    ("var (\n\n\tx = 1\n)\n", "var (\n\tx = 1\n)\n"),  # ...or parenthesis
    ("\t\tx\n\n\n\t\t}\n", "\t\tx\n\t\t}\n"),  # none before a closing brace, however indented
    ("\tx\n\n)\n", "\tx\n)\n"),
    ("\tx\n\n\ty\n", "\tx\n\n\ty\n"),  # one between statements stays
    ("\n\nx\n\n\n", "x\n"),  # none at the ends
    ("x\n\n\t\t\t", "x\n\n\t\t\t\n"),  # tabs to the end are no closing brace
])
def test_tidy_blank_lines(text, expected):
    assert gofmt.tidy(text) == expected
