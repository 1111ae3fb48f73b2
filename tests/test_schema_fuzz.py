"""Generated-code fuzzing over a recorded seed set (see tests/schema_fuzz.py).

Every seed's schema must be either refused by protoc-gen-altalune with located
errors, or accepted and its Go build, vet and gofmt clean in a copy of the
reference target. The seed set is bounded (about two to three minutes on two
cores); ``scripts/fuzz-schemas.sh --count 1000`` runs a longer one.
"""

from __future__ import annotations

from collections import Counter

import pytest
import schema_fuzz
from schema_fuzz import ACCEPTED, BAD_ERROR, CRASH, FAILURES, REFUSED, REPO, generate, run_seeds, summary

# 1-40, and seeds that once found something (each reached a distinct failure class).
REGRESSION_SEEDS = [
    6,  # nested enum Wish.Status beside top-level WishStatus: one Go type declared twice
    9,  # fields name and get_name: protoc-gen-go renames the field GetName_
    1087,  # a domain named internal: the go command refuses to import it from elsewhere
]
SEEDS = sorted(set(range(1, 41)) | set(REGRESSION_SEEDS))
RESULTS = REPO / ".tools" / "fuzz-results" / "pytest"


def test_generator_is_deterministic():
    """A seed gives the same schema every time, and different seeds different schemas."""
    for seed in SEEDS:
        assert generate(seed).text == generate(seed).text, f"seed {seed} is not deterministic"
    assert len({generate(seed).text for seed in SEEDS}) == len(SEEDS)


def test_located_is_the_golden_pattern():
    """The fuzzer accepts a refusal on the same terms as the golden error cases."""
    import test_golden

    assert schema_fuzz.LOCATED.pattern == test_golden.LOCATED.pattern


def test_classifier_refuses_unlocated_errors_and_crashes():
    """The classification cannot pass a bad answer: an unlocated line, a line
    pointing outside the file, a traceback or a failed plugin are failures."""
    files = {"altalune/v1/w.proto": 'syntax = "proto3";\n\nmessage W {\n  string id = 1;\n}\n'}
    ok = "--altalune_out: altalune/v1/w.proto:4:3: field W.id: a problem; the fix\n"
    assert schema_fuzz.classify_protoc(1, ok, files)[0] == REFUSED
    for bad in ("--altalune_out: something went wrong\n",
                "--altalune_out: altalune/v1/w.proto:4:3: a problem without a fix\n",
                "--altalune_out: altalune/v1/w.proto:40:3: field W.id: a problem; the fix\n",
                "--altalune_out: altalune/v1/w.proto:2:1: field W.id: a problem; the fix\n",
                "--altalune_out: other.proto:4:3: field W.id: a problem; the fix\n"):
        assert schema_fuzz.classify_protoc(1, bad, files)[0] == BAD_ERROR, bad
    for crash in ("Traceback (most recent call last):\n  File x\nKeyError: 'a'\n"
                  "--altalune_out: protoc-gen-altalune: Plugin failed with status code 1.\n",
                  "protoc-gen-altalune: internal error: KeyError: 'a' (set ALTALUNE_DEBUG=1 for the traceback)\n"
                  "--altalune_out: protoc-gen-altalune: Plugin failed with status code 2.\n"):
        assert schema_fuzz.classify_protoc(1, crash, files)[0] == CRASH
    assert schema_fuzz.classify_protoc(0, "", files)[0] == ACCEPTED


def test_seed_set_reaches_both_outcomes():
    """The plugin alone (no Go): the seed set holds schemas it accepts and
    schemas it refuses, so the compiled test below cannot pass vacuously."""
    results = run_seeds(SEEDS, build=False, results=RESULTS / "plugin-only", verbose=False)
    counts = Counter(r.outcome for r in results)
    assert counts[ACCEPTED] >= len(SEEDS) // 3, summary(results, 0, 0)
    assert counts[REFUSED] >= 5, summary(results, 0, 0)
    assert sum(1 for r in results if r.intent != "valid" and r.outcome == REFUSED) >= 5
    failed = [r for r in results if r.outcome in FAILURES]
    assert not failed, summary(results, 0, 0)


@pytest.mark.go
def test_seed_set_compiles_or_is_refused():
    """Each seed: refused with located errors, or built, vetted and gofmt-clean."""
    import time

    start = time.monotonic()
    results = run_seeds(SEEDS, results=RESULTS, verbose=False)
    report = summary(results, time.monotonic() - start, schema_fuzz.os.cpu_count() or 1)
    print(report)
    assert any(r.outcome == ACCEPTED for r in results), report
    failed = [r for r in results if r.outcome in FAILURES]
    assert not failed, f"{len(failed)} of {len(SEEDS)} seeds failed (cases saved under {RESULTS}):\n{report}"
