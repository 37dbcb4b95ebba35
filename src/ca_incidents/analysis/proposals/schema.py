"""The proposal file format: the check vocabulary, the ``Proposal`` it becomes, and validation that names the line.

Kept apart from evaluation so the format (documented in ``proposals/README.md``) can be read, linted and tested
without loading a corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ca_incidents.analysis.loaders import ERA_ORDER
from ca_incidents.analysis.quality import SUBSTANTIVE_TYPES

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ITEM_FIELDS = ("due_date", "kind", "evaluation_criteria", "status", "root_causes")
TOP_LEVEL_KEYS = {"name", "title", "rationale", "source", "applies_to", "rule"}
APPLIES_KEYS = {"report_types", "eras"}

class ProposalError(ValueError):
    """A proposal file cannot be read or does not follow the schema; the message names file and line."""


@dataclass(frozen=True)
class Check:
    """One vocabulary entry: the unit it judges, its options with defaults, and what it does."""

    unit: str  # "report" or "incident"
    options: dict[str, Any]
    summary: str


# The vocabulary. Option values given as types are required; others are defaults.
VOCABULARY: dict[str, Check] = {
    "section_present": Check("report", {"section": str}, "the report has the named section (or marks it N/A)"),
    "action_items_have": Check(
        "report", {"fields": list, "min_items": 0},
        "every action item has each listed field (due_date, kind, evaluation_criteria, status, root_causes)",
    ),
    "root_causes_mapped": Check(
        "report", {"action_kind": "any"},
        "every root cause is referenced by at least one action item (of the given kind: prevent/detect/mitigate)",
    ),
    "timeline_stamped": Check("report", {"require_zone": True}, "every timeline entry has a time (and a zone)"),
    "report_field": Check("report", {"field": str}, "a parsed report field is filled (e.g. total_certificates)"),
    "finding_absent": Check("report", {"rule": str}, "the scorer found no finding of this rule id in the report"),
    "report_within": Check(
        "incident", {"days": int, "report_types": ["full", "legacy", "audit"]},
        "the CA's first report of these types is posted within N days of the bug being filed",
    ),
    "auto_next_update": Check(
        "incident", {"grace_days": 0},
        "Next update is set automatically to the earliest open action item's due date; the CA posts by then",
    ),
}  # fmt: skip


@dataclass
class Proposal:
    """A parsed, validated proposal."""

    name: str
    title: str
    check: str
    options: dict[str, Any]
    report_types: tuple[str, ...] = SUBSTANTIVE_TYPES
    eras: tuple[str, ...] = tuple(ERA_ORDER)
    rationale: str = ""
    source: str = ""
    path: Path | None = None

    @property
    def unit(self) -> str:
        """Whether the rule judges single reports or whole incidents."""
        return VOCABULARY[self.check].unit


def _lines(node: yaml.Node, prefix: tuple = ()) -> dict[tuple, int]:
    """1-based line of every key and item, by its path in the document."""
    found = {prefix: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = (*prefix, key.value)
            found[path] = key.start_mark.line + 1
            found.update({k: v for k, v in _lines(value, path).items() if k != path})
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            found.update(_lines(item, (*prefix, i)))
    return found


class _Reader:
    """Validates the parsed YAML and raises errors that point at the offending line."""

    def __init__(self, label: str, lines: dict[tuple, int]):
        self.label, self.lines = label, lines

    def fail(self, path: tuple, message: str) -> None:
        probe = path
        while probe not in self.lines and probe:
            probe = probe[:-1]
        line = self.lines.get(probe, 1)
        where = ".".join(str(p) for p in path) or "document"
        raise ProposalError(f"{self.label}:{line}: {where}: {message}")

    def mapping(self, value: Any, path: tuple, allowed: set[str] | None = None) -> dict:
        if not isinstance(value, dict):
            self.fail(path, f"expected a mapping, got {type(value).__name__}")
        if allowed is not None:
            for key in value:
                if key not in allowed:
                    self.fail((*path, key), f"unknown key {key!r}; allowed: {', '.join(sorted(allowed))}")
        return value

    def string_list(self, value: Any, path: tuple, choices: list[str] | None = None) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(path, "expected a list of strings")
        for i, item in enumerate(value):
            if choices is not None and item not in choices:
                self.fail((*path, i), f"{item!r} is not one of {', '.join(choices)}")
        return tuple(value)


def _options(reader: _Reader, check: str, given: Any, path: tuple) -> dict[str, Any]:
    spec = VOCABULARY[check].options
    given = {} if given is None else reader.mapping(given, path, set(spec))
    options = {}
    for key, default in spec.items():
        if key in given:
            value = given[key]
            expected = default if isinstance(default, type) else type(default)
            if expected is list and isinstance(value, list):
                value = list(value)
            elif (expected is int and isinstance(value, bool)) or not isinstance(value, expected):
                reader.fail((*path, key), f"expected {expected.__name__}, got {type(value).__name__}")
            options[key] = value
        elif isinstance(default, type):
            reader.fail(path, f"{check} needs option {key!r}")
        else:
            options[key] = default
    if check == "action_items_have":
        reader.string_list(options["fields"], (*path, "fields"), list(ITEM_FIELDS))
    return options


def parse_proposal(text: str, label: str = "<proposal>") -> Proposal:
    """Validate a proposal's YAML text; every error names ``label`` and the line it is about."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{label}:{mark.line + 1}:{mark.column + 1}" if mark is not None else label
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        raise ProposalError(f"{where}: invalid YAML: {problem}" + (f" ({context})" if context else "")) from exc
    if node is None:
        raise ProposalError(f"{label}:1: the file is empty; a proposal needs name, title and rule")
    reader = _Reader(label, _lines(node))
    data = reader.mapping(data, (), TOP_LEVEL_KEYS)
    for key in ("name", "title", "rule"):
        if key not in data:
            reader.fail((), f"missing required key {key!r}")
    name = data["name"]
    if not isinstance(name, str) or not NAME_RE.match(name):
        reader.fail(("name",), "name must be lower-case letters, digits and hyphens (e.g. lessons-learned)")
    rule = reader.mapping(data["rule"], ("rule",))
    if len(rule) != 1:
        reader.fail(("rule",), f"rule must name exactly one check, one of: {', '.join(VOCABULARY)}")
    check, given = next(iter(rule.items()))
    if check not in VOCABULARY:
        reader.fail(("rule", check), f"unknown check {check!r}; the vocabulary is: {', '.join(VOCABULARY)}")
    options = _options(reader, check, given, ("rule", check))
    applies = reader.mapping(data.get("applies_to", {}), ("applies_to",), APPLIES_KEYS)
    types = reader.string_list(applies.get("report_types", list(SUBSTANTIVE_TYPES)), ("applies_to", "report_types"),
                               [*SUBSTANTIVE_TYPES, "update"])  # fmt: skip
    eras = reader.string_list(applies.get("eras", ERA_ORDER), ("applies_to", "eras"), ERA_ORDER)
    return Proposal(
        name=name, title=str(data["title"]), check=check, options=options, report_types=types, eras=eras,
        rationale=str(data.get("rationale", "")).strip(), source=str(data.get("source", "")).strip(),
    )  # fmt: skip


def load_proposal(path: Path | str) -> Proposal:
    """Read and validate a proposal file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProposalError(f"{p}: cannot read: {exc}") from exc
    proposal = parse_proposal(text, str(p))
    proposal.path = p
    return proposal
