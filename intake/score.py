"""Score a draft against a hand-written fixture of what a careful reader extracts, field by field.

A field scores one point per expected value found equal (compared with `intake.words.fold`); a value the
drafter gives that the fixture does not have counts against the field's precision ("wrong").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intake.draft import draft_plan
from intake.model import Draft
from intake.text import IntakeError
from intake.words import fold

__all__ = ["FIELDS", "FieldScore", "score_document", "score_draft"]

FIELDS = ("number", "issuer", "date", "place", "title", "parents", "phases", "deadlines", "recipients", "bc",
          "signers", "participants", "delegates", "quotas")
# Scored only for documents whose fixture has the key (written by hand from the source text); elsewhere nobody
# has said what is right, so the drafter's values there count neither way.
ANNOTATED_ONLY = ("participants", "delegates", "quotas")


@dataclass
class FieldScore:
    """Expected values, the ones found right, and the extra ones given that the fixture does not have."""

    expected: int = 0
    right: int = 0
    wrong: list[str] = field(default_factory=list)


def _f(value: Any) -> str:
    return fold(str(value)) if value is not None else ""


def _actual(d: Draft) -> dict[str, set[str]]:
    one = {
        "number": d.number.value if d.number else None,
        "issuer": d.issuer.value if d.issuer else None,
        "date": d.issued_on.value.isoformat() if d.issued_on else None,
        "place": d.place.value if d.place else None,
        "title": d.title.value if d.title else None,
    }
    out = {k: ({_f(v)} if v else set()) for k, v in one.items()}
    out["parents"] = {_f(f"{p.number.value} {p.date.value.isoformat() if p.date else ''}") for p in d.parents}
    # A deadline is scored as the document writes it (the draft's value may add the word the grammar needs).
    out["phases"] = {_f(f"{dl.role[6:]} {dl.as_written}") for dl in d.deadlines if dl.role.startswith("phase:")}
    out["deadlines"] = {_f(f"{dl.as_written} {' '.join(sorted(dl.owners))}") for dl in d.deadlines
                        if dl.role in ("obligation", "event", "milestone")}
    out["recipients"] = {_f(r.name.value) for r in d.recipients}
    out["bc"] = {_f(r.name.value) for r in d.recipients if r.bc}
    out["signers"] = {_f(f"{s.form.value if s.form else ''} {s.title.value if s.title else ''} "
                         f"{s.name.value if s.name else ''}") for s in d.signers}
    out["participants"] = {_f(p.value) for p in d.participants}
    out["delegates"] = {_f(d.delegates.value)} if d.delegates else set()
    out["quotas"] = {_rule(r.value.value, r.kinds, r.min_members, r.max_members) for r in d.quota_rules}
    return out


def _rule(value: int, kinds: list[str], least: int | None, most: int | None) -> str:
    """A quota rule as compared: "3 doan_co_so 51-" (value, kinds, member bounds)."""
    bounds = f"{'' if least is None else least}-{'' if most is None else most}"
    return _f(f"{value} {' '.join(sorted(kinds))} {bounds}")


def _expected(fixture: dict[str, Any]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for key in ("number", "issuer", "date", "place", "title"):
        out[key] = {_f(fixture[key])} if fixture.get(key) else set()
    out["parents"] = {_f(f"{p['number']} {p.get('date') or ''}") for p in fixture.get("parents", [])}
    out["phases"] = {_f(f"{k} {v}") for k, v in fixture.get("phases", {}).items()}
    out["deadlines"] = {_f(f"{x['due']} {' '.join(sorted(x.get('owners', [])))}") for x in fixture.get("deadlines", [])}
    out["recipients"] = {_f(r) for r in [*fixture.get("recipients", {}).get("to", []),
                                         *fixture.get("recipients", {}).get("bc", [])]}
    out["bc"] = {_f(r) for r in fixture.get("recipients", {}).get("bc", [])}
    out["signers"] = {_f(f"{s['form']} {s['title']} {s['name']}") for s in fixture.get("signers", [])}
    out["participants"] = {_f(p) for p in fixture.get("participants") or []}
    out["delegates"] = {_f(fixture["delegates"])} if fixture.get("delegates") else set()
    out["quotas"] = {_rule(r["value"], r.get("kinds", []), r.get("min_members"), r.get("max_members"))
                     for r in fixture.get("quotas") or []}
    return out


def score_draft(draft: Draft, fixture: dict[str, Any]) -> dict[str, FieldScore]:
    """Per field: how many expected values the draft has right, and which values it gives that are not expected."""
    actual, expected = _actual(draft), _expected(fixture)
    scores: dict[str, FieldScore] = {}
    for name in FIELDS:
        if name in ANNOTATED_ONLY and name not in fixture:
            scores[name] = FieldScore()
            continue
        want, got = expected[name], actual[name]
        scores[name] = FieldScore(len(want), len(want & got), sorted(got - want))
    return scores


def score_document(path: Path, fixture: dict[str, Any]) -> tuple[dict[str, FieldScore], bool]:
    """Score the draft of one document; a document the drafter refuses scores as a draft that found nothing
    (and the second value is False)."""
    try:
        draft, _ = draft_plan(path)
    except IntakeError:
        return score_draft(Draft(str(path), []), fixture), False
    return score_draft(draft, fixture), True
