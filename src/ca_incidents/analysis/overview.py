"""Corpus overview: how many incidents, when, of which kind, from which CAs, and who disclosed them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ca_incidents.analysis.loaders import ERA_ORDER, Corpus, era_of

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# whiteboard tags every bug carries, or that mark workflow rather than the kind of incident
_WORKFLOW_TAGS = {"ca-compliance", "external", "leaf-revocation-delay-reported"}
REPORT_TYPE_ORDER = ["preliminary", "full", "closure", "audit", "legacy", "update", "informal", "other"]


def _incident_tags(tags: object) -> list[str]:
    return [t for t in (list(tags) if tags is not None else []) if t not in _WORKFLOW_TAGS]


def _first_stated_source(reports: pd.DataFrame) -> pd.Series:
    if reports.empty or "disclosure_source" not in reports.columns:
        return pd.Series(dtype="object")
    stated = reports.dropna(subset=["disclosure_source"]).sort_values(["bug_id", "creation_time", "comment_id"])
    return stated.groupby("bug_id")["disclosure_source"].first()


def _filed_by_ca(corpus: Corpus) -> pd.Series:
    roles = corpus.table("comment_roles")
    if roles.empty:
        return pd.Series(dtype="boolean")
    return roles[roles["count"] == 0].set_index("bug_id")["is_ca_side"].astype("boolean")


_FILER = {"ca": "self", "root_program": "third_party", "third_party": "third_party"}


def _disclosure_evidence(corpus: Corpus, bugs: pd.DataFrame) -> dict:
    metrics = corpus.table("disclosure")
    return {
        "metrics": metrics.set_index("bug_id") if not metrics.empty else pd.DataFrame(),
        "stated": _first_stated_source(corpus.table("reports")),
        "filed_by_ca": _filed_by_ca(corpus),
        "external": set(bugs.loc[bugs["whiteboard_tags"].apply(lambda t: t is not None and "external" in list(t)),
                                 "id"]),
    }  # fmt: skip


def _disclosure(evidence: dict, bug_id: int) -> tuple[str, str]:
    """The disclosure source of one bug and the evidence it rests on, strongest evidence first."""
    metrics, stated, filed = evidence["metrics"], evidence["stated"], evidence["filed_by_ca"]
    if bug_id in metrics.index:
        row = metrics.loc[bug_id]
        if pd.notna(row["stated"]) and row["stated"] != "unclear":
            return str(row["stated"]), "metrics: stated in report"
        return _FILER.get(str(row["filer"]), "unknown"), "metrics: who filed"
    if bug_id in stated.index:
        return str(stated[bug_id]), "stated in report"
    if bug_id in evidence["external"]:
        return "third_party", "[external] tag"
    if bug_id in filed.index:
        return ("self", "filed by CA account") if bool(filed[bug_id]) else ("third_party", "filed by non-CA account")
    return "unknown", "no evidence"


def incidents(corpus: Corpus) -> pd.DataFrame:
    """One row per bug: CA owner, filing year and era, incident tags, disclosure and the report types posted.

    ``disclosure`` prefers the metrics stage's ``disclosure`` table (the stated source, else who filed the bug;
    disagreements flagged); without it, the first report's stated source, else the ``[external]`` tag or who
    filed the bug (the CA's own account = self). ``disclosure_basis`` says which evidence was used.
    """
    bugs = corpus.require("bugs", "harvest")
    df = pd.DataFrame({
        "bug_id": bugs["id"].astype("int64"),
        "ca_owner": bugs["ca_owner"].fillna("(unknown CA)"),
        "creation_time": pd.to_datetime(bugs["creation_time"]),
        "status": bugs["status"],
        "tags": bugs["whiteboard_tags"].apply(_incident_tags),
    })  # fmt: skip
    df["year"] = df["creation_time"].dt.year
    df["era"] = df["creation_time"].apply(era_of)
    evidence = _disclosure_evidence(corpus, bugs)
    disclosure, basis = zip(*(_disclosure(evidence, b) for b in df["bug_id"]), strict=True) if len(df) else ((), ())
    df["disclosure"] = list(disclosure)
    df["disclosure_basis"] = list(basis)
    triangulated = evidence["metrics"]
    df["is_disclosure_disagreement"] = (
        df["bug_id"].map(triangulated["is_disagreement"]) if "is_disagreement" in triangulated else pd.NA
    )
    reports = corpus.table("reports")
    types = reports.groupby("bug_id")["report_type"].apply(lambda s: sorted(set(s))) if not reports.empty else {}
    df["report_types"] = df["bug_id"].map(lambda b: ",".join(types.get(b, [])) if len(types) else "")
    return df.sort_values("bug_id").reset_index(drop=True)


def per_year_by_era(inc: pd.DataFrame) -> pd.DataFrame:
    """Incidents filed per year, split by the template era in force on the filing day."""
    table = inc.pivot_table(index="year", columns="era", values="bug_id", aggfunc="count", fill_value=0)
    table = table.reindex(columns=[e for e in ERA_ORDER if e in table.columns])
    table["total"] = table.sum(axis=1)
    return table.reset_index()


def by_tag(inc: pd.DataFrame) -> pd.DataFrame:
    """Incidents per whiteboard tag (a bug with two tags counts under both), most frequent first."""
    exploded = inc[["bug_id", "tags"]].explode("tags").dropna(subset=["tags"])
    counts = exploded.groupby("tags")["bug_id"].nunique().rename("incidents").rename_axis("tag").reset_index()
    return counts.sort_values(["incidents", "tag"], ascending=[False, True]).reset_index(drop=True)


def by_ca(inc: pd.DataFrame) -> pd.DataFrame:
    """Incident count per CA owner, with first and last filing year: quantity only, never a quality measure."""
    grouped = inc.groupby("ca_owner").agg(
        incidents=("bug_id", "count"), first_year=("year", "min"), last_year=("year", "max")
    )
    return grouped.reset_index().sort_values(["incidents", "ca_owner"], ascending=[False, True]).reset_index(drop=True)


def disclosure_by_year(inc: pd.DataFrame) -> pd.DataFrame:
    """Self-reported vs third-party incidents per year."""
    table = inc.pivot_table(index="year", columns="disclosure", values="bug_id", aggfunc="count", fill_value=0)
    return table.reset_index()


def report_types_by_era(corpus: Corpus) -> pd.DataFrame:
    """Reports posted per type and era in force at posting."""
    reports = corpus.table("reports")
    if reports.empty:
        return pd.DataFrame(columns=["report_type"])
    table = reports.pivot_table(
        index="report_type", columns="era_in_force", values="comment_id", aggfunc="count", fill_value=0
    )
    table = table.reindex(columns=[e for e in ERA_ORDER if e in table.columns])
    order = [t for t in REPORT_TYPE_ORDER if t in table.index] + sorted(set(table.index) - set(REPORT_TYPE_ORDER))
    return table.reindex(order).reset_index()


def plot_stacked(table: pd.DataFrame, index: str, title: str, xlabel: str, ylabel: str) -> Figure:
    """A stacked bar chart of a count table (one column per series)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    data = table.set_index(index).drop(columns=["total"], errors="ignore")
    data.plot(kind="bar", stacked=True, ax=ax, width=0.8, colormap="viridis")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(title=data.columns.name or "", bbox_to_anchor=(1.01, 1), loc="upper left")
    fig.tight_layout()
    return fig


def plot_counts(table: pd.DataFrame, label: str, value: str, title: str, xlabel: str, top: int = 20) -> Figure:
    """A horizontal bar chart of the top ``top`` rows of a count table."""
    import matplotlib.pyplot as plt

    data = table.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(8.0, max(2.5, 0.3 * len(data) + 1)))
    ax.barh(data[label].astype(str), data[value], color="#3b6ea5", label=value.replace("_", " "))
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(label.replace("_", " "))
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig
