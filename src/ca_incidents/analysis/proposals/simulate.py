"""Apply a proposal to history and summarise it: compliance overall, by era and by CA, failures and burden.

Compliance of a ``finding_absent`` proposal rests on an NLP detector; ``corrected_compliance`` reports it
as observed and corrected for the detector's measured real-text errors (``analysis.misclass``), and says in
words when no accuracy has been measured yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ca_incidents.analysis.intervals import wilson_interval
from ca_incidents.analysis.loaders import ERA_ORDER, Corpus, bug_url
from ca_incidents.analysis.misclass import Corrector, report_units
from ca_incidents.analysis.proposals.checks import EVALUATORS, incident_units
from ca_incidents.analysis.proposals.schema import VOCABULARY, Proposal, load_proposal
from ca_incidents.analysis.quality import report_frame

if TYPE_CHECKING:
    from matplotlib.figure import Figure

@dataclass
class Evaluation:
    """What a proposal would have meant for history: every unit judged, plus the summaries people read."""

    proposal: Proposal
    units: pd.DataFrame  # one row per report or incident: passes, reason, burden columns, link
    burden_columns: list[str] = field(default_factory=list)

    def compliance(self, by: str | None = None) -> pd.DataFrame:
        """Units, passing and the compliance rate (with a Wilson 95% interval), overall or per ``era``/``ca_owner``."""
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
        units = incident_units(corpus)
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


def _finding_units(result: Evaluation, corpus: Corpus) -> pd.DataFrame:
    """The judged reports of a ``finding_absent`` proposal as the detector's units and flags, with CA."""
    reports = result.units.rename(columns={"era": "era_in_force"})
    units = report_units(corpus, reports, result.proposal.options["rule"])
    return units.assign(ca_owner=result.units["ca_owner"].to_numpy())


def corrected_compliance(results: list[Evaluation], corpus: Corpus, corrector: Corrector,
                         by: str | None = None) -> pd.DataFrame:  # fmt: skip
    """Compliance of each ``finding_absent`` proposal, observed and corrected for the detector's errors.

    Compliance is the share of reports with no finding, so its corrected value is one minus the corrected
    share of reports with a true defect (and its interval the mirror of that one).
    """
    rows = []
    for result in results:
        if result.proposal.check != "finding_absent":
            continue
        units = _finding_units(result, corpus)
        rule = result.proposal.options["rule"]
        groups = [("all", units)] if by is None else units.groupby(by, sort=True)
        for key, group in groups:
            share = corrector.share(rule, group, key=f"{result.proposal.name}:{by}={key}")
            rows.append({
                "proposal": result.proposal.name, by or "scope": key, "units": share["reports"],
                "compliance": 1 - share["report_share"], "ci_low": 1 - share["report_ci_high"],
                "ci_high": 1 - share["report_ci_low"], "corrected": 1 - share["report_corrected"],
                "corrected_low": 1 - share["report_corrected_high"],
                "corrected_high": 1 - share["report_corrected_low"], "correction": share["correction"],
            })  # fmt: skip
    return pd.DataFrame(rows)


def compliance_change(results: list[Evaluation], corpus: Corpus, corrector: Corrector) -> pd.DataFrame:
    """For each ``finding_absent`` proposal: did compliance change from the earliest to the latest era, and
    does that conclusion survive correcting for the detector's errors?"""
    rows = []
    for result in results:
        if result.proposal.check != "finding_absent":
            continue
        units = _finding_units(result, corpus)
        eras = [e for e in ERA_ORDER if e in set(units["era"])]
        if len(eras) < 2:
            continue
        first, last = units[units["era"] == eras[0]], units[units["era"] == eras[-1]]
        change = corrector.difference(result.proposal.options["rule"], first, last, key=result.proposal.name)
        # compliance is 1 - share: the change flips sign and its interval's ends swap
        flip = {f"{side}_{end}": -change[f"{side}_{other}"] for side in ("observed", "corrected")
                for end, other in (("change", "change"), ("low", "high"), ("high", "low"))}  # fmt: skip
        rows.append({"proposal": result.proposal.name, "from_era": eras[0], "to_era": eras[-1], **change, **flip})
    columns = ["proposal", "from_era", "to_era", "n_first", "n_second", "observed_change", "observed_low",
               "observed_high", "corrected_change", "corrected_low", "corrected_high", "correction",
               "verdict"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)
