"""Report quality: per-report indicators, scores and findings over time and by era, defects with examples.

Two layers: structural indicators read straight from the parse tables (sections present, action items dated,
timeline entries stamped) are always available; the scorer's ``report_scores`` and ``findings`` are added
when the score stage has run. Each example links to the Bugzilla comment it comes from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ca_incidents.analysis.loaders import ERA_ORDER, Corpus, bug_url

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
    """Mean of one indicator or score per group (era, year, type), with its 95% interval and n."""
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


def structural_summary(rf: pd.DataFrame) -> pd.DataFrame:
    """Share of reports with each key section, dated action items and timed timeline entries, per era."""
    cols = [f"has_{s}" for s in KEY_SECTIONS] + ["share_items_dated", "share_events_timed"]
    table = rf.groupby("era_in_force")[cols].mean().reindex([e for e in ERA_ORDER if e in set(rf["era_in_force"])])
    table.insert(0, "reports", rf.groupby("era_in_force").size())
    return table.reset_index()


def defect_counts(corpus: Corpus, rf: pd.DataFrame) -> pd.DataFrame:
    """Per rule: reports with at least one finding, and the share of reports where the rule applied."""
    findings = corpus.table("findings")
    if findings.empty:
        return pd.DataFrame(columns=["rule", "severity", "reports_with_finding", "reports_applicable", "share"])
    from ca_incidents.score.rules import catalogue

    cat = catalogue()
    sel = findings[findings["comment_id"].isin(rf["comment_id"])]
    rows = []
    for rule_id, group in sel.groupby("rule"):
        rule = cat.rules.get(rule_id)
        applicable = rf["era"].isin(rule.eras).sum() if rule is not None else len(rf)
        hit = group["comment_id"].nunique()
        rows.append({
            "rule": rule_id, "severity": rule.severity if rule else group["severity"].iloc[0],
            "reports_with_finding": hit, "reports_applicable": int(applicable),
            "share": hit / applicable if applicable else np.nan,
        })  # fmt: skip
    out = pd.DataFrame(rows)
    return out.sort_values(["reports_with_finding", "rule"], ascending=[False, True]).reset_index(drop=True)


def clause_compliance(corpus: Corpus, rf: pd.DataFrame) -> pd.DataFrame:
    """How well reports meet each guideline clause: share of applicable reports with no finding of its rule."""
    from ca_incidents.score.rules import catalogue

    findings = corpus.table("findings")
    hit = findings.groupby("rule")["comment_id"].apply(set) if not findings.empty else pd.Series(dtype=object)
    rows = []
    for rule in sorted(catalogue().rules.values(), key=lambda r: (r.criterion, r.id)):
        applicable = rf[rf["era"].isin(rule.eras)]
        failing = hit.get(rule.id, set())
        n = len(applicable)
        ok = int((~applicable["comment_id"].isin(failing)).sum())
        rows.append({"criterion": rule.criterion, "rule": rule.id, "clause": rule.clause, "reports": n,
                     "meeting_clause": ok, "share": ok / n if n else np.nan})  # fmt: skip
    return pd.DataFrame(rows)


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


def plot_by_era(table: pd.DataFrame, key: str, title: str, ylabel: str) -> Figure:
    """Point estimates with 95% intervals per era or year, annotated with n."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    x = np.arange(len(table))
    low = (table["mean"] - table["ci_low"]).fillna(0).clip(lower=0)
    high = (table["ci_high"] - table["mean"]).fillna(0).clip(lower=0)
    ax.errorbar(x, table["mean"], yerr=[low, high], fmt="o", capsize=4, color="#3b6ea5", label="mean, 95% CI")
    for xi, (m, n) in enumerate(zip(table["mean"], table["n"], strict=True)):
        if pd.notna(m):
            ax.annotate(f"n={n}", (xi, m), textcoords="offset points", xytext=(6, 4), fontsize=7)
    ax.set_xticks(x, table[key].astype(str))
    ax.set_title(title)
    ax.set_xlabel(key.replace("_", " "))
    ax.set_ylabel(ylabel)
    ax.legend(loc="best")
    fig.tight_layout()
    return fig
