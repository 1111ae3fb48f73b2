"""The reference target's migrations are deployed: once a migration has
landed its bytes never change, and every later schema change arrives as a new
migration.

example/database/deployed.sha256 records each landed migration's SHA-256
(`sha256sum` format). A migration that changes fails here; a new migration
must be recorded there when it lands, so that it is protected from then on.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = ROOT / "example" / "database" / "migrations"
MANIFEST = ROOT / "example" / "database" / "deployed.sha256"


def _manifest() -> dict[str, str]:
    entries = {}
    for line in MANIFEST.read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        entries[name.lstrip("*")] = digest
    return entries


def test_landed_migrations_never_change():
    entries = _manifest()
    assert entries, "the manifest lists no migration"
    changed = []
    for name, digest in sorted(entries.items()):
        path = MIGRATIONS / name
        assert path.is_file(), f"deployed migration {name} is gone; a landed migration is never removed"
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            changed.append(name)
    assert not changed, (f"deployed migrations changed: {changed}; express the change as a new migration "
                         "(a later version) instead")


def test_every_migration_is_recorded():
    recorded = set(_manifest())
    present = {p.name for p in MIGRATIONS.glob("*.sql")}
    assert present - recorded == set(), (
        f"migrations not recorded in {MANIFEST.relative_to(ROOT)}: {sorted(present - recorded)}; "
        "append their `sha256sum` lines when they land")
