"""Report quality: per-report indicators, scores and findings over time and by era, defects with examples.

Two layers: structural indicators read straight from the parse tables (sections present, action items dated,
timeline entries stamped) are always available; the scorer's ``report_scores`` and ``findings`` are added
when the score stage has run. Each example links to the Bugzilla comment it comes from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ca_incidents.analysis.intervals import share_row, share_table
from ca_incidents.analysis.loaders import ERA_ORDER, Corpus, bug_url
from ca_incidents.analysis.misclass import DETECTOR_UNITS, Corrector, report_units

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# report roles that are reports in their own right (updates and answers are judged elsewhere)
SUBSTANTIVE_TYPES = ("preliminary", "full", "closure", "audit", "legacy")
KEY_SECTIONS = ("summary", "impact", "timeline", "root_cause", "action_items", "lessons_learned", "related_incidents")
EXCERPT_CHARS = 240


def _count_by(df: pd.DataFrame, name: str, mask: pd.Series | None = None) -> pd.Series:
    if df.empty:
        return pd.Series(dtype="int64", name=name)
    rows = df if mask is None else df[mask]
    return rows.groupby("comment_id").size().rename(name)


def report_frame(corpus: Corpus, types: tuple[str, ...] | None = SUBSTANTIVE_TYPES) -> pd.DataFrame:
    """One row per report: CA, posting time and era, structural indicators, and scores when present."""
    reports = corpus.require("reports", "parse")
    bugs = corpus.require("bugs", "harvest")[["id", "ca_owner"]].rename(columns={"id": "bug_id"})
    rf = reports.merge(bugs, on="bug_id", how="left")
    if types is not None:
        rf = rf[rf["report_type"].isin(types)]
    rf = rf.assign(
        ca_owner=rf["ca_owner"].fillna("(unknown CA)"),
        creation_time=pd.to_datetime(rf["creation_time"]),
        era_in_force=rf["era_in_force"].fillna("legacy"),
    )
    rf["year"] = rf["creation_time"].dt.year
    sections = corpus.table("sections")
    names = sections.groupby("comment_id")["name"].apply(set) if not sections.empty else pd.Series(dtype=object)
    for name in KEY_SECTIONS:
        rf[f"has_{name}"] = rf["comment_id"].map(lambda c, n=name: c in names.index and n in names[c])
    items = corpus.table("action_items")
    events = corpus.table("timeline_events")
    causes = corpus.table("root_causes")
    counts = [
        _count_by(items, "n_items"),
        _count_by(items, "n_items_dated", items["due_date"].notna() if not items.empty else None),
        _count_by(items, "n_items_prevent", items["kind"].eq("prevent") if not items.empty else None),
        _count_by(events, "n_events"),
        _count_by(events, "n_events_timed", events["has_time"].astype(bool) if not events.empty else None),
        _count_by(causes, "n_root_causes"),
    ]
    for series in counts:
        rf[series.name] = rf["comment_id"].map(series).fillna(0).astype("int64")
    rf["share_items_dated"] = np.where(rf["n_items"] > 0, rf["n_items_dated"] / rf["n_items"].clip(lower=1), np.nan)
    rf["share_events_timed"] = np.where(rf["n_events"] > 0, rf["n_events_timed"] / rf["n_events"].clip(lower=1), np.nan)
    rf = rf.merge(_scores_wide(corpus), on="comment_id", how="left")
    findings = corpus.table("findings")
    if not findings.empty:
        per_report = findings.groupby("comment_id").agg(
            n_findings=("rule", "size"), n_errors=("severity", lambda s: int((s == "error").sum()))
        )
        rf = rf.merge(per_report, on="comment_id", how="left")
        rf[["n_findings", "n_errors"]] = rf[["n_findings", "n_errors"]].fillna(0).astype("int64")
    return rf.sort_values(["creation_time", "comment_id"], kind="mergesort").reset_index(drop=True)


def _scores_wide(corpus: Corpus) -> pd.DataFrame:
    """``report_scores`` reduced to the composite and one ``score_<criterion>`` column per criterion."""
    scores = corpus.table("report_scores")
    if scores.empty:
        return pd.DataFrame(columns=["comment_id"])
    criteria = [c for c in scores.columns if c.endswith("_score")]
    renamed = {c: f"score_{c.removesuffix('_score')}" for c in criteria}
    return scores[["comment_id", "composite", *criteria]].rename(columns=renamed)


def has_scores(rf: pd.DataFrame) -> bool:
    """Whether the score stage's composite is available for these reports."""
    return "composite" in rf.columns and rf["composite"].notna().any()


def mean_ci(values: pd.Series, z: float = 1.96) -> tuple[float, float, float, int]:
    """Mean with a normal-approximation 95% interval (NaN interval below two observations)."""
    v = values.dropna().astype(float)
    n = len(v)
    if n == 0:
        return (np.nan, np.nan, np.nan, 0)
    mean = float(v.mean())
    if n < 2:
        return (mean, np.nan, np.nan, n)
    half = z * float(v.std(ddof=1)) / np.sqrt(n)
    return (mean, mean - half, mean + half, n)


def indicator_by(rf: pd.DataFrame, value: str, by: str) -> pd.DataFrame:
    """Mean of a score per group (era, year, type), with its normal-approximation 95% interval and n.

    For means only: a share gets a Wilson interval from ``structural_summary`` or ``intervals.share_table``.
    """
    rows = []
    for key, group in rf.groupby(by, sort=True):
        mean, low, high, n = mean_ci(group[value].astype(float))
        rows.append({by: key, "mean": mean, "ci_low": low, "ci_high": high, "n": n})
    out = pd.DataFrame(rows, columns=[by, "mean", "ci_low", "ci_high", "n"])
    if by in ("era_in_force", "era"):
        out[by] = pd.Categorical(out[by], categories=ERA_ORDER, ordered=True)
        out = out.sort_values(by).reset_index(drop=True)
        out[by] = out[by].astype(str)
    return out


def _era_sorted(table: pd.DataFrame, column: str = "era_in_force") -> pd.DataFrame:
    """Rows in template order (legacy, v1.0, ... v3.2) rather than alphabetical."""
    order = {era: i for i, era in enumerate(ERA_ORDER)}
    return table.sort_values(column, key=lambda s: s.map(order), kind="mergesort").reset_index(drop=True)


def structural_summary(rf: pd.DataFrame) -> pd.DataFrame:
    """Per era: share of reports with each key section, of action items with a due date and of timeline
    entries with a time, each with its ``n`` and a Wilson 95% interval (items and entries are pooled per era,
    so ``n`` counts items or entries, not reports)."""
    reports = share_table(rf, "era_in_force", {f"has_{s}": f"reports with {s.replace('_', ' ')}"
                                               for s in KEY_SECTIONS})  # fmt: skip
    pooled = []
    for era, group in rf.groupby("era_in_force", sort=True):
        for label, hit, total in (("action items with a due date", "n_items_dated", "n_items"),
                                  ("timeline entries with a time", "n_events_timed", "n_events")):  # fmt: skip
            pooled.append({"era_in_force": era, "indicator": label,
                           **share_row(int(group[hit].sum()), int(group[total].sum()))})  # fmt: skip
    return _era_sorted(pd.concat([reports, pd.DataFrame(pooled)], ignore_index=True))


def _correct(row: dict, share: dict, flip: bool) -> dict:
    """Add a detector share's corrected estimate to a table row (``flip``: the row counts reports *without*)."""
    if flip:
        return {**row, "corrected": 1 - share["report_corrected"], "corrected_low": 1 - share["report_corrected_high"],
                "corrected_high": 1 - share["report_corrected_low"], "correction": share["correction"]}  # fmt: skip
    return {**row, "corrected": share["report_corrected"], "corrected_low": share["report_corrected_low"],
            "corrected_high": share["report_corrected_high"], "correction": share["correction"]}  # fmt: skip


def _rule_share(corpus: Corpus, corrector: Corrector, applicable: pd.DataFrame, rule: str, hit: int,
                flip: bool) -> dict:  # fmt: skip
    """One rule's share of applicable reports (with, or with ``flip`` without, a finding), observed and corrected."""
    n = len(applicable)
    row = share_row(n - hit if flip else hit, n)
    if rule not in DETECTOR_UNITS:
        return _correct(row, {"report_corrected": np.nan, "report_corrected_low": np.nan,
                              "report_corrected_high": np.nan, "correction": corrector.status(rule)}, flip)  # fmt: skip
    units = report_units(corpus, applicable, rule)
    return _correct(row, corrector.share(rule, units, key=f"rule={rule}"), flip)


def defect_counts(corpus: Corpus, rf: pd.DataFrame, corrector: Corrector) -> pd.DataFrame:
    """Per rule: reports with at least one finding among the reports it applies to (its eras), as observed
    with a Wilson interval and, for the NLP detectors, corrected for their measured real-text errors."""
    findings = corpus.table("findings")
    columns = ["rule", "severity", "reports_with_finding", "reports_applicable", "share", "ci_low", "ci_high",
               "corrected", "corrected_low", "corrected_high", "correction"]  # fmt: skip
    if findings.empty:
        return pd.DataFrame(columns=columns)
    from ca_incidents.score.rules import catalogue

    cat = catalogue()
    sel = findings[findings["comment_id"].isin(rf["comment_id"])]
    rows = []
    for rule_id, group in sel.groupby("rule"):
        rule = cat.rules.get(rule_id)
        applicable = rf[rf["era"].isin(rule.eras)] if rule is not None else rf
        hit = group["comment_id"].nunique()
        shares = _rule_share(corpus, corrector, applicable, rule_id, hit, flip=False)
        rows.append({"rule": rule_id, "severity": rule.severity if rule else group["severity"].iloc[0],
                     "reports_with_finding": hit, "reports_applicable": len(applicable),
                     **{k: v for k, v in shares.items() if k != "n"}})  # fmt: skip
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["reports_with_finding", "rule"], ascending=[False, True]).reset_index(drop=True)


def clause_compliance(corpus: Corpus, rf: pd.DataFrame, corrector: Corrector) -> pd.DataFrame:
    """How well reports meet each guideline clause: share of applicable reports with no finding of its rule,
    with a Wilson interval and, for the NLP detectors, corrected for their measured errors."""
    from ca_incidents.score.rules import catalogue

    findings = corpus.table("findings")
    hit = findings.groupby("rule")["comment_id"].apply(set) if not findings.empty else pd.Series(dtype=object)
    rows = []
    for rule in sorted(catalogue().rules.values(), key=lambda r: (r.criterion, r.id)):
        applicable = rf[rf["era"].isin(rule.eras)]
        failing = int(applicable["comment_id"].isin(hit.get(rule.id, set())).sum())
        shares = _rule_share(corpus, corrector, applicable, rule.id, failing, flip=True)
        rows.append({"criterion": rule.criterion, "rule": rule.id, "clause": rule.clause,
                     "reports": len(applicable), "meeting_clause": len(applicable) - failing,
                     **{k: v for k, v in shares.items() if k != "n"}})  # fmt: skip
    return pd.DataFrame(rows)


def detector_shares(corpus: Corpus, rf: pd.DataFrame, corrector: Corrector, by: str | None = None) -> pd.DataFrame:
    """Each NLP detector's share of reports and of units flagged, observed and corrected, overall or per ``by``."""
    from ca_incidents.analysis.misclass import corrected_shares

    table = corrected_shares(corrector, corpus, rf, by=by)
    return _era_sorted(table, by) if by == "era_in_force" else table


def defect_examples(corpus: Corpus, rules: list[str], per_rule: int = 2) -> pd.DataFrame:
    """A few findings per rule with the text they point at and a link to the comment (earliest first)."""
    findings = corpus.table("findings")
    comments = corpus.table("comments")
    if findings.empty or comments.empty:
        return pd.DataFrame(columns=["rule", "bug_id", "link", "excerpt", "message"])
    texts = comments.set_index("id")
    rows = []
    for rule in rules:
        chosen = findings[findings["rule"] == rule].sort_values(["comment_id", "start"]).head(per_rule)
        for f in chosen.itertuples():
            c = texts.loc[f.comment_id]
            raw = c["raw_text"] if isinstance(c["raw_text"], str) else str(c["text"])
            excerpt = " ".join(raw[int(f.start) : int(f.end)].split())
            excerpt = excerpt if len(excerpt) <= EXCERPT_CHARS else excerpt[: EXCERPT_CHARS - 1] + "…"
            rows.append({"rule": rule, "bug_id": int(c["bug_id"]), "link": bug_url(c["bug_id"], c["count"]),
                         "excerpt": excerpt, "message": getattr(f, "message", "")})  # fmt: skip
    return pd.DataFrame(rows, columns=["rule", "bug_id", "link", "excerpt", "message"])


def plot_by_era(table: pd.DataFrame, key: str, title: str, ylabel: str, value: str = "mean") -> Figure:
    """Point estimates (``value``: a mean, or a share with its Wilson interval) per era or year, with n."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    x = np.arange(len(table))
    low = (table[value] - table["ci_low"]).fillna(0).clip(lower=0)
    high = (table["ci_high"] - table[value]).fillna(0).clip(lower=0)
    ax.errorbar(x, table[value], yerr=[low, high], fmt="o", capsize=4, color="#3b6ea5", label=f"{value}, 95% CI")
    for xi, (m, n) in enumerate(zip(table[value], table["n"], strict=True)):
        if pd.notna(m):
            ax.annotate(f"n={n}", (xi, m), textcoords="offset points", xytext=(6, 4), fontsize=7)
    ax.set_xticks(x, table[key].astype(str))
    ax.set_title(title)
    ax.set_xlabel(key.replace("_", " "))
    ax.set_ylabel(ylabel)
    if value == "share":
        ax.set_ylim(-0.02, 1.05)
    ax.legend(loc="best")
    fig.tight_layout()
    return fig


def plot_detector_shares(table: pd.DataFrame) -> Figure:
    """Share of reports each NLP detector flags: observed (Wilson 95%) above corrected (bootstrap 95%).

    Where a detector has no measured real-text accuracy the corrected row says so in words instead of a point.
    """
    import matplotlib.pyplot as plt

    data = table.iloc[::-1].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8.0, 1.0 + 0.75 * len(data)))
    y = np.arange(len(data))
    for yi, row in zip(y, data.itertuples(), strict=True):
        ax.errorbar(row.report_share, yi + 0.15, xerr=[[row.report_share - row.report_ci_low],
                    [row.report_ci_high - row.report_share]], fmt="o", color="0.45", capsize=3)  # fmt: skip
        if np.isfinite(row.report_corrected):
            ax.errorbar(row.report_corrected, yi - 0.15, xerr=[[max(row.report_corrected - row.report_corrected_low,
                        0)], [max(row.report_corrected_high - row.report_corrected, 0)]], fmt="s", color="#3b6ea5",
                        capsize=3)  # fmt: skip
        else:
            ax.text(0.01, yi - 0.15, row.correction, va="center", fontsize=7, color="#b0702f")
        ax.annotate(f"n={row.reports}", (1.0, yi + 0.15), xytext=(4, 0), textcoords="offset points", fontsize=7,
                    va="center")  # fmt: skip
    ax.errorbar([], [], fmt="o", color="0.45", label="observed (Wilson 95% CI)")
    ax.errorbar([], [], fmt="s", color="#3b6ea5", label="corrected for detector errors (bootstrap 95% CI)")
    ax.set_yticks(y, data["detector"])
    ax.set_ylim(-0.6, len(data) - 0.4)
    ax.set_xlim(-0.02, 1.0)
    ax.set_xlabel("share of reports with at least one finding (0-1)")
    ax.set_ylabel("detector")
    ax.set_title("Reports flagged by each detector: observed and corrected")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25 if len(data) < 3 else -0.18), ncol=2, fontsize=7)
    fig.tight_layout()
    return fig
