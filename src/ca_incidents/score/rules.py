"""The rule catalogue (``rules.yaml``) as typed objects: the one source of rule ids, severities and eras.

Detectors never hard-code a severity; they look the rule up here, so the catalogue, the findings and the
CLI's ``rules`` listing cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from ca_incidents.parse.model import ERAS
from ca_incidents.score.model import SEVERITIES


@dataclass(frozen=True)
class Rule:
    """One documented rule."""

    id: str
    severity: str
    criterion: str
    eras: tuple[str, ...]
    what: str
    why: str
    clause: str
    fires: tuple[str, ...]
    passes: tuple[str, ...]

    def applies(self, era: str | None) -> bool:
        """Whether the rule is in force for a report of this era (no era: only era-independent rules)."""
        return self.eras == ERAS or (era is not None and era in self.eras)


@dataclass(frozen=True)
class Catalogue:
    """All rules, the criteria they feed and the rubric version stamped on every score."""

    rubric_version: str
    criteria: dict[str, tuple[float, str]]  # name -> (weight, title)
    rules: dict[str, Rule]

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id; an unknown id is a programming error."""
        return self.rules[rule_id]


def _rule(raw: dict[str, Any], criteria: dict[str, tuple[float, str]]) -> Rule:
    eras = tuple(ERAS) if raw["eras"] == "all" else tuple(raw["eras"])
    if raw["severity"] not in SEVERITIES or raw["criterion"] not in criteria or not set(eras) <= set(ERAS):
        raise ValueError(f"rules.yaml: rule {raw['id']!r} has an unknown severity, criterion or era")
    return Rule(
        id=raw["id"],
        severity=raw["severity"],
        criterion=raw["criterion"],
        eras=eras,
        what=raw["what"],
        why=raw["why"],
        clause=raw["clause"],
        fires=tuple(raw.get("fires", ())),
        passes=tuple(raw.get("passes", ())),
    )


def parse_catalogue(text: str) -> Catalogue:
    """Build a catalogue from YAML text, validating what detectors rely on."""
    data = yaml.safe_load(text)
    criteria = {name: (float(c["weight"]), c["title"]) for name, c in data["criteria"].items()}
    rules = [_rule(r, criteria) for r in data["rules"]]
    by_id = {r.id: r for r in rules}
    if len(by_id) != len(rules):
        raise ValueError("rules.yaml: duplicate rule id")
    return Catalogue(str(data["rubric_version"]), criteria, by_id)


@cache
def catalogue() -> Catalogue:
    """The packaged catalogue (read once per process)."""
    return parse_catalogue(resources.files("ca_incidents.score").joinpath("rules.yaml").read_text(encoding="utf-8"))


def format_rule(rule: Rule) -> str:
    """The human-readable entry printed by ``ca-incidents rules RULE_ID``."""
    eras = "all eras" if rule.eras == ERAS else ", ".join(rule.eras)
    lines = [
        f"{rule.id}  [{rule.severity}, criterion: {rule.criterion}, {eras}]",
        f"  What:   {rule.what}",
        f"  Why:    {rule.why}",
        f"  Clause: {rule.clause}",
    ]
    lines += [f"  Fires:  {ex}" for ex in rule.fires]
    lines += [f"  Passes: {ex}" for ex in rule.passes]
    return "\n".join(lines)
