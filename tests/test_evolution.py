"""Versioned evolution: later releases of an entity add migrations and never
rewrite one, and the migrations do on PostgreSQL what they say.

The golden cases evolution_v1, evolution_v2 and evolution_v3 are three
releases of one entity (a column added with its default, one backfilled, a
longer enum value, a unique index, a dropped column, a renamed one). Here:
each release keeps every earlier migration byte for byte; applied release by
release over rows, the migrations give the schema a fresh install gives, keep
the rows with their values and defaults; and each Down undoes exactly its Up.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from golden_harness import GOLDEN

from protoc_gen_altalune.tables import Column, Index, Table, alter, pg_object_name

RELEASES = ["evolution_v1", "evolution_v2", "evolution_v3"]
PROJECTS_MIGRATION = GOLDEN.parent.parent / "example" / "database" / "migrations" / "20240101000000_create_projects.sql"


def migrations(case: str) -> dict[str, bytes]:
    folder = GOLDEN / case / "expected" / "database" / "migrations"
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.sql"))}


# --- unit ----------------------------------------------------------------------


def test_constraint_names_are_postgresql_s():
    assert pg_object_name("tickets", "state", "check") == "tickets_state_check"
    # makeObjectName shortens the longer part first, to 63 bytes in all.
    name = pg_object_name("t" * 40, "c" * 40, "check")
    assert len(name) == 63 and name == "t" * 28 + "_" + "c" * 28 + "_check"
    assert pg_object_name("t" * 70, "c", "check") == "t" * 55 + "_c_check"


def test_alter_renames_the_index_and_check_named_after_a_column():
    before = Table("t", False, (Column("old", "VARCHAR(20)", True, "'a'", ("a", "b")),),
                   (Index("ix_t_old", False, "old"),))
    after = Table("t", False, (Column("new", "VARCHAR(20)", True, "'a'", ("a", "b")),),
                  (Index("ix_t_new", False, "new"),))
    steps = alter(before, after, {"old": "new"}, {})
    assert [s.up for s in steps] == [(
        "ALTER TABLE t RENAME COLUMN old TO new;",
        "ALTER TABLE t RENAME CONSTRAINT t_old_check TO t_new_check;",
        "ALTER INDEX ix_t_old RENAME TO ix_t_new;",
    )]
    assert steps[0].down == (
        "ALTER TABLE t RENAME COLUMN new TO old;",
        "ALTER TABLE t RENAME CONSTRAINT t_new_check TO t_old_check;",
        "ALTER INDEX ix_t_new RENAME TO ix_t_old;",
    )


def test_alter_renames_the_query_indexes_with_their_column():
    before = Table("t", False, (Column("old", "TEXT", True, "''"),),
                   (Index("ix_t_old_trgm", False, "old gin_trgm_ops", "GIN"), Index("ix_t_old_sort", False, "old, id")))
    after = Table("t", False, (Column("new", "TEXT", True, "''"),),
                  (Index("ix_t_new_trgm", False, "new gin_trgm_ops", "GIN"), Index("ix_t_new_sort", False, "new, id")))
    steps = alter(before, after, {"old": "new"}, {})
    assert [s.up for s in steps] == [(
        "ALTER TABLE t RENAME COLUMN old TO new;",
        "ALTER INDEX ix_t_old_trgm RENAME TO ix_t_new_trgm;",
        "ALTER INDEX ix_t_old_sort RENAME TO ix_t_new_sort;",
    )]


def test_the_first_trigram_index_creates_the_extension():
    columns = (Column("a", "TEXT", True, "''"), Column("b", "TEXT", True, "''"))
    trigram_a = Index("ix_t_a_trgm", False, "a gin_trgm_ops", "GIN")
    trigram_b = Index("ix_t_b_trgm", False, "b gin_trgm_ops", "GIN")
    before = Table("t", False, columns, ())
    steps = alter(before, Table("t", False, columns, (trigram_a, trigram_b)), {}, {})
    assert [s.up for s in steps] == [
        ("CREATE EXTENSION IF NOT EXISTS pg_trgm;",
         "CREATE INDEX IF NOT EXISTS ix_t_a_trgm ON t USING GIN (a gin_trgm_ops);"),
        ("CREATE INDEX IF NOT EXISTS ix_t_b_trgm ON t USING GIN (b gin_trgm_ops);",),
    ]
    # Down drops the index and leaves the extension, which other tables may use.
    assert steps[0].down == ("DROP INDEX IF EXISTS ix_t_a_trgm;",)
    # A table that has one already needs not create it again.
    steps = alter(Table("t", False, columns, (trigram_a,)), Table("t", False, columns, (trigram_a, trigram_b)), {}, {})
    assert [s.up for s in steps] == [("CREATE INDEX IF NOT EXISTS ix_t_b_trgm ON t USING GIN (b gin_trgm_ops);",)]


def test_alter_between_equal_tables_does_nothing():
    table = Table("t", True, (Column("a", "TEXT", True, "''"),), (Index("ix_t_a", False, "project_id, a"),))
    assert alter(table, table, {}, {}) == []


# --- golden releases -------------------------------------------------------------


def test_each_release_keeps_every_earlier_migration_byte_for_byte():
    seen: dict[str, bytes] = {}
    for case in RELEASES:
        files = migrations(case)
        for name, content in seen.items():
            assert files.get(name) == content, f"{case} rewrites {name}, a migration of an earlier release"
        assert len(files) > len(seen), f"{case} adds no migration"
        seen = files
    assert len(seen) == 3


def test_later_releases_only_alter():
    """Every migration after the first alters the table; none creates or drops it."""
    for case in RELEASES[1:]:
        for name, content in migrations(case).items():
            if "_alter_" in name:
                text = content.decode()
                assert "CREATE TABLE" not in text and "DROP TABLE" not in text, name


# --- PostgreSQL ------------------------------------------------------------------


def _sections(sql: str) -> tuple[str, str]:
    up, down = sql.split("-- +goose Down", 1)
    return up.split("-- +goose Up", 1)[1], down


class Database:
    def __init__(self, psql: Path, pg_dump: Path, url: str):
        self.psql, self.pg_dump, self.url = psql, pg_dump, url

    def run(self, sql: str) -> str:
        proc = subprocess.run([str(self.psql), self.url, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-t",
                               "--single-transaction", "-f", "-"], input=sql, capture_output=True, text=True,
                              timeout=60)
        assert proc.returncode == 0, f"psql failed:\n{proc.stderr}\n--- sql ---\n{sql}"
        return proc.stdout.strip()

    def up(self, sql: str) -> None:
        self.run(_sections(sql)[0])

    def down(self, sql: str) -> None:
        self.run(_sections(sql)[1])

    def schema(self) -> str:
        """pg_dump --schema-only without comments, settings and blank lines."""
        proc = subprocess.run([str(self.pg_dump), "--schema-only", "--no-owner", "--no-privileges", self.url],
                              capture_output=True, text=True, timeout=60, check=True)
        lines = [line for line in proc.stdout.splitlines()
                 if line.strip() and not line.startswith(("--", "SET ", "SELECT pg_catalog.set_config"))
                 and not line.startswith("\\")]  # \restrict lines of newer pg_dump
        return "\n".join(lines)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[Path, str]]:
    import pg

    bindir = pg.find_bindir()
    if bindir is None or not (bindir / "psql").exists() or not (bindir / "pg_dump").exists():
        pytest.fail("PostgreSQL client binaries (psql, pg_dump) not found beside initdb; run scripts/bootstrap.sh")
    with pg.throwaway_postgres() as url:
        yield bindir, url


def _database(server: tuple[Path, str], name: str) -> Database:
    bindir, url = server
    admin = Database(bindir / "psql", bindir / "pg_dump", url)
    subprocess.run([str(bindir / "psql"), url, "-X", "-q", "-c", f"CREATE DATABASE {name}"], check=True,
                   capture_output=True, timeout=60)
    db = Database(admin.psql, admin.pg_dump, re.sub(r"/postgres\?", f"/{name}?", url))
    db.up(PROJECTS_MIGRATION.read_text())
    db.run("INSERT INTO altalune_projects (public_id, name) VALUES ('p00000000000001', 'one')")
    return db


def test_releases_applied_over_rows_equal_a_fresh_install(server):
    files = list(migrations("evolution_v3").values())
    v1, v2, v3 = files
    step = _database(server, "stepwise")
    step.up(v1.decode())
    step.run("""
        INSERT INTO altalune_gadgets (public_id, project_id, name, kind, legacy_code, price)
        VALUES ('g1', 1, 'Anvil', 'basic', 'A-1', 1250), ('g2', 1, 'Rocket', 'pro', '', 99900);
        INSERT INTO altalune_gadgets (public_id, project_id, name) VALUES ('g3', 1, 'Defaults');
    """)
    v1_rows = step.run("SELECT public_id, name, kind, legacy_code, price FROM altalune_gadgets ORDER BY public_id")
    v1_schema = step.schema()

    step.up(v2.decode())
    assert step.run("SELECT public_id, name, kind, legacy_code, price FROM altalune_gadgets "
                    "ORDER BY public_id") == v1_rows
    # The added column took its default, the backfilled one the rows' created_at.
    assert step.run("SELECT count(*) FROM altalune_gadgets WHERE serial = '' AND launched_at = created_at") == "3"
    step.run("INSERT INTO altalune_gadgets (public_id, project_id, name, kind, serial, launched_at) "
             "VALUES ('g4', 1, 'Big', 'enterprise_with_support', 'S-4', now())")
    v2_schema = step.schema()

    # v3's unique index cannot be built while rows share a serial: the whole
    # migration fails and changes nothing (goose runs it in one transaction).
    proc = subprocess.run([str(step.psql), step.url, "-v", "ON_ERROR_STOP=1", "-X", "-q", "--single-transaction",
                           "-f", "-"], input=_sections(v3.decode())[0], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "is duplicated" in proc.stderr
    assert step.schema() == v2_schema
    step.run("UPDATE altalune_gadgets SET serial = 'S-' || public_id WHERE serial = ''")
    v2_rows = step.run("SELECT public_id, name, kind, serial, price FROM altalune_gadgets ORDER BY public_id")

    step.up(v3.decode())
    assert step.run("SELECT public_id, name, kind, serial, price_cents FROM altalune_gadgets "
                    "ORDER BY public_id") == v2_rows
    assert step.run("SELECT count(*) FROM altalune_gadgets WHERE note IS NULL") == "4"
    assert step.run("SELECT count(*) FROM information_schema.columns WHERE table_name = 'altalune_gadgets' "
                    "AND column_name IN ('legacy_code', 'price')") == "0"

    fresh = _database(server, "fresh")
    for sql in files:
        fresh.up(sql.decode())
    assert step.schema() == fresh.schema()

    # Down of v3 undoes v3: the renamed column is back under its old name, the
    # new column and the unique index are gone, and every other column keeps
    # its values; the dropped column returns with its default (its values
    # were dropped), last among the columns.
    step.down(v3.decode())
    assert step.run("SELECT public_id, name, kind, serial, price FROM altalune_gadgets ORDER BY public_id") == v2_rows
    assert step.run("SELECT count(*) FROM altalune_gadgets WHERE legacy_code = ''") == "4"
    assert _unordered(step.schema()) == _unordered(v2_schema)
    step.up(v3.decode())
    assert step.schema() == fresh.schema()

    # Down of v2 undoes v2 exactly, once no row holds the value it allowed.
    fresh.down(v3.decode())
    fresh.down(v2.decode())
    assert _unordered(fresh.schema()) == _unordered(v1_schema)


def _unordered(schema: str) -> list[str]:
    """The schema's lines, sorted, without trailing commas: a column added
    back comes last in its table."""
    return sorted(line.rstrip(",") for line in schema.splitlines())


def test_constraint_names_match_the_server_s(server):
    db = _database(server, "names")
    for table, column in (("t" * 40, "c" * 40), ("t" * 60, "c"), ("tickets", "state")):
        db.run(f"CREATE TABLE {table} ({column} TEXT CHECK ({column} <> ''))")
        assert db.run(f"SELECT conname FROM pg_constraint WHERE conrelid = '{table[:63]}'::regclass "
                      "AND contype = 'c'") == pg_object_name(table[:63], column, "check")


def test_down_of_a_check_refuses_to_lose_a_value(server):
    """Narrowing the column back fails while a row holds the added value:
    the Down stops, as a whole, rather than lose or corrupt the row."""
    files = list(migrations("evolution_v2").values())
    db = _database(server, "narrowing")
    for sql in files:
        db.up(sql.decode())
    db.run("INSERT INTO altalune_gadgets (public_id, project_id, name, kind, launched_at) "
           "VALUES ('g1', 1, 'Big', 'enterprise_with_support', now())")
    before = db.schema()
    _, down = _sections(files[1].decode())
    proc = subprocess.run([str(db.psql), db.url, "-v", "ON_ERROR_STOP=1", "-X", "-q", "--single-transaction",
                           "-c", down], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "value too long" in proc.stderr, proc.stderr
    assert db.run("SELECT kind FROM altalune_gadgets") == "enterprise_with_support"
    assert db.schema() == before


def test_an_adopted_table_is_altered_and_never_dropped(server):
    """An adopted table (created by the repository's own migration) gets only
    the later versions' steps; their Down undoes those steps and the table
    stays, rows and all."""
    files = migrations("adopt_existing_table")
    assert list(files) == ["20240801000000_alter_altalune_accounts.sql"]
    db = _database(server, "adopted")
    db.run("""
        CREATE TABLE altalune_accounts (
            id BIGSERIAL PRIMARY KEY, public_id VARCHAR(20) NOT NULL UNIQUE, email TEXT NOT NULL,
            display_name TEXT NOT NULL DEFAULT '', created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now());
        INSERT INTO altalune_accounts (public_id, email, display_name) VALUES ('a1', 'a@example.com', 'A');
    """)
    before = db.schema()
    sql = files["20240801000000_alter_altalune_accounts.sql"].decode()
    db.up(sql)
    assert db.run("SELECT public_id, email, display_name, locale IS NULL FROM altalune_accounts") == \
        "a1|a@example.com|A|t"
    db.down(sql)
    assert db.schema() == before
    assert db.run("SELECT public_id, email, display_name FROM altalune_accounts") == "a1|a@example.com|A"
