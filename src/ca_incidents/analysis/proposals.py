"""Proposals as data: a template-change proposal is a small YAML file, evaluated against every historical report.

A proposal names one rule from a small vocabulary over the parsed and scored tables (``proposals/README.md``
documents it) and, optionally, which reports it applies to. ``evaluate`` applies the rule to every report
(or incident) of the chosen period and returns one row per unit with ``passes``, a readable ``reason`` and the
burden it would have put on the CA (sections or items to add, updates added or saved).

    name: lessons-learned
    title: Every report has a Lessons Learned section
    applies_to: {report_types: [full, closure]}
    rule:
      section_present: {section: lessons_learned}
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import yaml

from ca_incidents.analysis.loaders import ERA_ORDER, Corpus, bug_url, era_of
from ca_incidents.analysis.quality import SUBSTANTIVE_TYPES, report_frame

if TYPE_CHECKING:
    from matplotlib.figure import Figure

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
OPEN_STATUSES = (None, "ongoing", "delayed", "planned", "in progress")
CLOSED_STATUSES = ("complete", "canceled")
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


# ---- evaluation ---------------------------------------------------------------------------------------------

Evaluator = Callable[[Corpus, pd.DataFrame, dict[str, Any]], pd.DataFrame]


def _per_report(units: pd.DataFrame, passes: pd.Series, reason: pd.Series, **burden: pd.Series) -> pd.DataFrame:
    out = units[["bug_id", "comment_id", "count", "ca_owner", "era", "report_type", "creation_time"]].copy()
    out["passes"] = passes.astype(bool).to_numpy()
    out["reason"] = np.where(out["passes"], "", reason.to_numpy())
    for name, values in burden.items():
        out[name] = np.where(out["passes"], 0, values.to_numpy()).astype("int64")
    return out


def _section_present(corpus: Corpus, units: pd.DataFrame, opts: dict) -> pd.DataFrame:
    sections = corpus.table("sections")
    names = set(zip(sections.get("comment_id", []), sections.get("name", []), strict=True))
    passes = units["comment_id"].map(lambda c: (c, opts["section"]) in names)
    reason = pd.Series(f"no '{opts['section']}' section", index=units.index)
    return _per_report(units, passes, reason, sections_to_add=pd.Series(1, index=units.index))


def _items(corpus: Corpus, units: pd.DataFrame) -> pd.DataFrame:
    items = corpus.table("action_items")
    if items.empty:
        return pd.DataFrame(columns=["comment_id", "seq", *ITEM_FIELDS])
    return items[items["comment_id"].isin(units["comment_id"])]


def _action_items_have(corpus: Corpus, units: pd.DataFrame, opts: dict) -> pd.DataFrame:
    items = _items(corpus, units)
    fields = opts["fields"]
    missing = items[fields].isna().any(axis=1) if len(items) else pd.Series(dtype=bool)
    n_items = units["comment_id"].map(items.groupby("comment_id").size()).fillna(0).astype(int)
    n_missing = units["comment_id"].map(missing.groupby(items["comment_id"]).sum()).fillna(0).astype(int)
    too_few = n_items < opts["min_items"]
    passes = (n_missing == 0) & ~too_few
    reason = pd.Series(
        [f"only {n} action items (needs {opts['min_items']})" if few else f"{m} of {n} action items lack "
         f"{' or '.join(fields)}" for n, m, few in zip(n_items, n_missing, too_few, strict=True)],
        index=units.index,
    )  # fmt: skip
    return _per_report(units, passes, reason, items_to_complete=n_missing, items_to_add=(opts["min_items"] -
                       n_items).clip(lower=0))  # fmt: skip


def _cause_numbers(text: Any) -> set[int]:
    return {int(n) for n in re.findall(r"\d+", text)} if isinstance(text, str) else set()


def _root_causes_mapped(corpus: Corpus, units: pd.DataFrame, opts: dict) -> pd.DataFrame:
    causes = corpus.table("root_causes")
    causes = causes[causes["comment_id"].isin(units["comment_id"])] if not causes.empty else causes
    items = _items(corpus, units)
    if opts["action_kind"] != "any" and len(items):
        items = items[items["kind"] == opts["action_kind"]]
    covered = items.groupby("comment_id")["root_causes"].apply(
        lambda s: set().union(*(_cause_numbers(t) for t in s))) if len(items) else pd.Series(dtype=object)  # fmt: skip
    n_causes = causes.groupby("comment_id").size() if len(causes) else pd.Series(dtype=int)
    unmapped, reasons = [], []
    for comment_id in units["comment_id"]:
        total = int(n_causes.get(comment_id, 0))
        have = covered.get(comment_id, set())
        missing = [i + 1 for i in range(total) if (i + 1) not in have and not (total == 1 and have)]
        unmapped.append(len(missing))
        kind = "" if opts["action_kind"] == "any" else f" {opts['action_kind']}"
        reasons.append(f"root cause(s) {', '.join(map(str, missing))} have no{kind} action item" if missing else "")
    unmapped_s = pd.Series(unmapped, index=units.index)
    return _per_report(units, unmapped_s == 0, pd.Series(reasons, index=units.index), actions_to_add=unmapped_s)


def _timeline_stamped(corpus: Corpus, units: pd.DataFrame, opts: dict) -> pd.DataFrame:
    events = corpus.table("timeline_events")
    events = events[events["comment_id"].isin(units["comment_id"])] if not events.empty else events
    bad = ~events["has_time"].astype(bool) if len(events) else pd.Series(dtype=bool)
    if opts["require_zone"] and len(events):
        bad |= ~events["has_zone"].astype(bool)
    n_bad = units["comment_id"].map(bad.groupby(events["comment_id"]).sum() if len(events) else {}).fillna(0)
    what = "a time and zone" if opts["require_zone"] else "a time"
    reason = n_bad.map(lambda n: f"{int(n)} timeline entries lack {what}")
    return _per_report(units, n_bad == 0, reason, entries_to_stamp=n_bad.astype(int))


def _report_field(corpus: Corpus, units: pd.DataFrame, opts: dict) -> pd.DataFrame:
    name = opts["field"]
    if name not in units.columns:
        raise ProposalError(f"report_field: the reports table has no column {name!r}")
    passes = units[name].notna()
    return _per_report(units, passes, pd.Series(f"{name} not stated", index=units.index),
                       fields_to_add=pd.Series(1, index=units.index))  # fmt: skip


def _finding_absent(corpus: Corpus, units: pd.DataFrame, opts: dict) -> pd.DataFrame:
    findings = corpus.table("findings")
    if "findings" not in corpus.tables:
        raise ProposalError("finding_absent needs the score stage's findings: run `ca-incidents score` first")
    hits = findings[findings["rule"] == opts["rule"]].groupby("comment_id").size() if len(findings) else {}
    n_hits = units["comment_id"].map(hits).fillna(0).astype(int)
    reason = n_hits.map(lambda n: f"{n} finding(s) of {opts['rule']}")
    return _per_report(units, n_hits == 0, reason, passages_to_fix=n_hits)


def _incident_units(corpus: Corpus) -> pd.DataFrame:
    bugs = corpus.require("bugs", "harvest")
    out = pd.DataFrame({
        "bug_id": bugs["id"].astype("int64"), "comment_id": pd.NA, "count": pd.NA,
        "ca_owner": bugs["ca_owner"].fillna("(unknown CA)"), "creation_time": pd.to_datetime(bugs["creation_time"]),
        "resolved_time": pd.to_datetime(bugs["cf_last_resolved"]), "report_type": "incident",
    })  # fmt: skip
    out["era"] = out["creation_time"].apply(era_of)
    return out.sort_values("bug_id").reset_index(drop=True)


def _report_within(corpus: Corpus, units: pd.DataFrame, opts: dict) -> pd.DataFrame:
    reports = corpus.table("reports")
    own = reports[reports["is_ca_side"].astype(bool) & reports["report_type"].isin(opts["report_types"])]
    first = own.sort_values(["creation_time", "comment_id"]).groupby("bug_id").first()
    out = units.copy()
    posted = out["bug_id"].map(first["creation_time"])
    out["comment_id"] = out["bug_id"].map(first["comment_id"])
    out["count"] = out["bug_id"].map(first["count"])
    lag_days = (pd.to_datetime(posted) - out["creation_time"]).dt.total_seconds() / 86400
    limit = opts["days"]
    out["passes"] = (lag_days <= limit).fillna(False)
    kinds = "/".join(opts["report_types"])
    out["reason"] = [
        "" if ok else (f"no {kinds} report posted" if pd.isna(lag) else f"{kinds} report after {lag:.1f} days")
        for ok, lag in zip(out["passes"], lag_days, strict=True)
    ]
    out["days_to_bring_forward"] = np.where(out["passes"], 0, np.ceil((lag_days - limit).fillna(0))).astype(int)
    out["reports_missing"] = (~out["passes"] & lag_days.isna()).astype(int)
    out["lag_days"] = lag_days.round(2)
    return out.drop(columns=["resolved_time"])


def _checkpoints(items: pd.DataFrame, ca_posts: list[pd.Timestamp], end: pd.Timestamp | None, grace: int) -> tuple:
    """Walk an incident under the automatic rule and return (checkpoints, met).

    At each step the rule reads the latest report (as of the previous checkpoint) that lists action items and
    sets Next update to the earliest due date among its open items still ahead; a CA post after the previous
    checkpoint and on or before that date (plus ``grace`` days) meets it. Items completed in a later revision
    therefore stop setting dates once that revision is posted.
    """
    if items.empty:
        return [], 0
    revisions = [(pd.Timestamp(t), group) for t, group in items.groupby("report_time", sort=True)]
    cursor = revisions[0][0]
    checkpoints, met = [], 0
    while True:
        current = [group for posted, group in revisions if posted <= cursor][-1]
        open_items = current[~current["status"].isin(CLOSED_STATUSES)].dropna(subset=["due_date"])
        ahead = sorted(d for d in (pd.Timestamp(x) for x in open_items["due_date"]) if d > cursor)
        if not ahead or (end is not None and ahead[0] > end):
            return checkpoints, met
        due = ahead[0]
        checkpoints.append(due)
        deadline = due + pd.Timedelta(days=grace + 1)  # posts on the due day count
        met += any(cursor < t < deadline for t in ca_posts)
        cursor = due


def _auto_next_update(corpus: Corpus, units: pd.DataFrame, opts: dict) -> pd.DataFrame:
    roles = corpus.require("comment_roles", "parse")
    items = corpus.require("action_items", "parse")
    reports = corpus.require("reports", "parse")
    items = items.merge(reports[["comment_id", "bug_id", "creation_time"]].rename(
        columns={"creation_time": "report_time"}), on="comment_id")  # fmt: skip
    ca_posts = roles[roles["is_ca_side"].astype(bool) & (roles["count"] > 0)]
    posts = ca_posts.groupby("bug_id")["creation_time"].apply(lambda s: sorted(pd.to_datetime(s)))
    history = _next_update_settings(corpus)
    rows = []
    for unit in units.itertuples():
        bug_items = items[items["bug_id"] == unit.bug_id]
        end = unit.resolved_time if pd.notna(unit.resolved_time) else None
        bug_posts = posts.get(unit.bug_id, [])
        checkpoints, met = _checkpoints(bug_items, bug_posts, end, opts["grace_days"])
        first = bug_items["report_time"].min() if len(bug_items) else None
        window = [t for t in bug_posts if first is not None and t > first and (end is None or t <= end)]
        rows.append({"auto_checkpoints": len(checkpoints), "met": met, "ca_updates_posted": len(window),
                     "manual_next_updates": history.get(unit.bug_id, 0)})  # fmt: skip
    sim = pd.DataFrame(rows, index=units.index)
    out = units.drop(columns=["resolved_time"]).copy()
    out = pd.concat([out, sim], axis=1)
    out["passes"] = out["met"] == out["auto_checkpoints"]
    out["reason"] = [
        "" if ok else f"{c - m} of {c} automatic Next update dates passed with no CA post"
        for ok, c, m in zip(out["passes"], out["auto_checkpoints"], out["met"], strict=True)
    ]
    out["updates_added"] = (out["auto_checkpoints"] - out["ca_updates_posted"]).clip(lower=0)
    out["updates_saved"] = (out["ca_updates_posted"] - out["auto_checkpoints"]).clip(lower=0)
    out["updates_missed"] = out["auto_checkpoints"] - out["met"]
    return out


def _next_update_settings(corpus: Corpus) -> dict[int, int]:
    """How many distinct Next update dates the root store set by hand per bug (from whiteboard history)."""
    from ca_incidents.corpus import parse_whiteboard

    history = corpus.table("history")
    if history.empty:
        return {}
    changes = history[history["field_name"] == "whiteboard"]
    counts: dict[int, set] = {}
    for bug_id, added in zip(changes["bug_id"], changes["added"], strict=True):
        day = parse_whiteboard(added).next_update
        if day is not None:
            counts.setdefault(int(bug_id), set()).add(day)
    return {bug: len(days) for bug, days in counts.items()}


EVALUATORS: dict[str, Evaluator] = {
    "section_present": _section_present,
    "action_items_have": _action_items_have,
    "root_causes_mapped": _root_causes_mapped,
    "timeline_stamped": _timeline_stamped,
    "report_field": _report_field,
    "finding_absent": _finding_absent,
    "report_within": _report_within,
    "auto_next_update": _auto_next_update,
}


@dataclass
class Evaluation:
    """What a proposal would have meant for history: every unit judged, plus the summaries people read."""

    proposal: Proposal
    units: pd.DataFrame  # one row per report or incident: passes, reason, burden columns, link
    burden_columns: list[str] = field(default_factory=list)

    def compliance(self, by: str | None = None) -> pd.DataFrame:
        """Units, passing and the compliance rate (with a Wilson 95% interval), overall or per ``era``/``ca_owner``."""
        from ca_incidents.analysis.comparison import wilson_interval

        keys = [by] if by else []
        grouped = self.units.groupby(keys, sort=True) if by else [("all", self.units)]
        rows = []
        for key, group in grouped:
            label = key[0] if isinstance(key, tuple) else key
            row = {by or "scope": label, "units": len(group), "passing": int(group["passes"].sum())}
            row.update({c: int(group[c].sum()) for c in self.burden_columns})
            rows.append(row)
        table = pd.DataFrame(rows)
        if table.empty:
            return table
        table["compliance"] = table["passing"] / table["units"]
        low, high = wilson_interval(table["passing"].to_numpy(), table["units"].to_numpy())
        table["ci_low"], table["ci_high"] = low, high
        if by == "era":
            table["era"] = pd.Categorical(table["era"], categories=ERA_ORDER, ordered=True)
            table = table.sort_values("era").reset_index(drop=True)
            table["era"] = table["era"].astype(str)
        return table

    def failing(self) -> pd.DataFrame:
        """Reports (or incidents) that would fail, with why and a link, oldest first."""
        cols = ["bug_id", "comment_id", "ca_owner", "era", "report_type", "reason", "link"]
        fails = self.units[~self.units["passes"]]
        return fails.sort_values(["creation_time", "bug_id"], kind="mergesort")[cols].reset_index(drop=True)


def evaluate(proposal: Proposal, corpus: Corpus) -> Evaluation:
    """Apply a proposal to every report (or incident) of the corpus selection."""
    if VOCABULARY[proposal.check].unit == "report":
        rf = report_frame(corpus, types=proposal.report_types)
        rf = rf.assign(era=rf["era_in_force"])
        units = rf[rf["era"].isin(proposal.eras)].reset_index(drop=True)
    else:
        units = _incident_units(corpus)
        units = units[units["era"].isin(proposal.eras)].reset_index(drop=True)
    before = set(units.columns) | {"passes", "reason"}
    judged = EVALUATORS[proposal.check](corpus, units, proposal.options)
    burden = [c for c in judged.columns if c not in before and c.endswith(("_add", "_added", "_saved", "_missed",
              "_complete", "_stamp", "_fix", "_forward", "_missing"))]  # fmt: skip
    judged["link"] = [bug_url(b, c) for b, c in zip(judged["bug_id"], judged["count"], strict=True)]
    judged = judged.sort_values(["creation_time", "bug_id"], kind="mergesort").reset_index(drop=True)
    return Evaluation(proposal, judged, burden)


def evaluate_all(paths: list[Path], corpus: Corpus) -> list[Evaluation]:
    """Evaluate several proposal files (in the order given) on the same corpus selection."""
    return [evaluate(load_proposal(path), corpus) for path in paths]


def summary(results: list[Evaluation], by: str | None = None) -> pd.DataFrame:
    """One table for many proposals: compliance overall (with the burden totals as text) or per ``by``."""
    if not results:
        return pd.DataFrame()
    if by is not None:
        return pd.concat([r.compliance(by).assign(proposal=r.proposal.name) for r in results], ignore_index=True)
    rows = [
        r.compliance().assign(proposal=r.proposal.name, unit=r.proposal.unit,
                              burden="; ".join(f"{c}={int(r.units[c].sum())}" for c in r.burden_columns))
        for r in results
    ]  # fmt: skip
    table = pd.concat(rows, ignore_index=True)
    return table[["proposal", "unit", "units", "passing", "compliance", "ci_low", "ci_high", "burden"]]


def plot_compliance_by_era(by_era: pd.DataFrame) -> Figure:
    """Compliance per era, one line per proposal (eras in time order, gaps where a proposal does not apply)."""
    import matplotlib.pyplot as plt

    eras = [e for e in ERA_ORDER if e in set(by_era["era"])]
    fig, ax = plt.subplots()
    for name, group in by_era.groupby("proposal", sort=True):
        x = [eras.index(e) for e in group["era"]]
        ax.plot(x, group["compliance"], "o-", label=name)
    ax.set_xticks(range(len(eras)), eras)
    ax.set_ylim(-0.05, 1.05)
    ax.set_title("Share of history that would comply, by era")
    ax.set_xlabel("era in force (report posted / incident filed)")
    ax.set_ylabel("compliance (share, 0-1)")
    ax.legend(fontsize=7, bbox_to_anchor=(1.01, 1), loc="upper left")
    fig.tight_layout()
    return fig
