"""The front page (``reports/index.html``): what a reader needs in two minutes, computed from the tables.

Each headline is one sentence with its number, its 95 % interval and ``n``, read from the CSV tables the
notebooks wrote (``reports/tables/<notebook>/``), never typed in, and links to the notebook it comes from. A
headline whose table is missing or empty (a stage that has not run, a filter that left nothing) is left out.
Next to them: figure thumbnails, a "how far to trust this" panel with each detector's real-text accuracy (or
the words "not measured yet"), and the run's provenance in one collapsed block at the end. Every value shown
is HTML-escaped: CA names come from Bugzilla.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ca_incidents.analysis.intervals import share_row
from ca_incidents.analysis.loaders import ERA_ORDER

THUMBNAILS = (  # (notebook, figure name, caption), in reading order; missing ones are skipped
    ("01-corpus-overview", "per-year-by-era", "Incidents filed per year, by template era"),
    ("02-report-quality", "detector-shares", "Reports flagged by each detector, observed and corrected"),
    ("02-report-quality", "has_lessons_learned-by-era", "Reports with a Lessons Learned section, by era"),
    ("03-ca-comparison", "scorecards", "Per-CA scorecards with 95% intervals"),
    ("04-template-changes", "steps", "Change at each template version"),
    ("05-proposal-simulator", "compliance-by-era", "Compliance with each proposal, by era"),
)


@dataclass(frozen=True)
class Headline:
    """One sentence for the front page and the notebook it comes from."""

    text: str
    notebook: str


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def _interval(low: float, high: float) -> str:
    return f"[{100 * low:.0f}–{100 * high:.0f}%]"


def _signed_pp(value: float) -> str:
    return f"{100 * value:+.0f} percentage points"


class Tables:
    """The CSV tables of one report run, read on demand (an absent table reads as an empty frame)."""

    def __init__(self, root: Path):
        self.root = root

    def get(self, notebook: str, name: str) -> pd.DataFrame:
        path = self.root / notebook / f"{name}.csv"
        return pd.read_csv(path) if path.is_file() and path.stat().st_size > 1 else pd.DataFrame()

    def provenance(self, notebook: str = "01-corpus-overview") -> dict[str, str]:
        table = self.get(notebook, "provenance")
        return {} if table.empty else dict(zip(table["item"], table["value"].fillna("").astype(str), strict=True))


def _corpus(t: Tables) -> Headline | None:
    inc = t.get("01-corpus-overview", "incidents")
    if inc.empty:
        return None
    known = inc[inc["disclosure"].isin(["self", "third_party"])]
    self_reported = share_row(int((known["disclosure"] == "self").sum()), len(known))
    years = pd.to_datetime(inc["creation_time"]).dt.year
    return Headline(
        f"{len(inc)} incidents from {inc['ca_owner'].nunique()} CA owners were filed {years.min()}–{years.max()}; "
        f"{_pct(self_reported['share'])} {_interval(self_reported['ci_low'], self_reported['ci_high'])} of those "
        f"whose source is known were reported by the CA itself (n={self_reported['n']}).",
        "01-corpus-overview")  # fmt: skip


def _structure(t: Tables, indicator: str, wording: str) -> Headline | None:
    table = t.get("02-report-quality", "structure_by_era")
    if table.empty:
        return None
    rows = table[(table["indicator"] == indicator) & (table["n"] > 0)]
    rows = rows.assign(order=rows["era_in_force"].map({e: i for i, e in enumerate(ERA_ORDER)})).sort_values("order")
    if rows.empty:
        return None
    last, first = rows.iloc[-1], rows.iloc[0]
    text = (f"Under {last['era_in_force']}, {_pct(last['share'])} {_interval(last['ci_low'], last['ci_high'])} of "
            f"{wording} (n={last['n']})")  # fmt: skip
    if first["era_in_force"] != last["era_in_force"]:
        text += (f", against {_pct(first['share'])} {_interval(first['ci_low'], first['ci_high'])} under "
                 f"{first['era_in_force']} (n={first['n']})")  # fmt: skip
    return Headline(text + ".", "02-report-quality")


def _detector(t: Tables) -> Headline | None:
    shares = t.get("02-report-quality", "detector_shares")
    shares = shares[shares["reports"] > 0] if not shares.empty else shares
    if shares.empty:
        return None
    top = shares.sort_values(["report_share", "detector"], ascending=[False, True]).iloc[0]
    text = (f"The {top['detector']} detector flags {_pct(top['report_share'])} "
            f"{_interval(top['report_ci_low'], top['report_ci_high'])} of reports (n={top['reports']}); ")
    if pd.notna(top["report_corrected"]):
        text += (f"corrected for its measured errors, {_pct(top['report_corrected'])} "
                 f"{_interval(top['report_corrected_low'], top['report_corrected_high'])} have a true defect.")
    else:
        text += f"it cannot be corrected yet ({top['correction']})."
    return Headline(text, "02-report-quality")


def _timeliness(t: Tables) -> Headline | None:
    cards = t.get("03-ca-comparison", "scorecards")
    if cards.empty:
        return None
    rows = cards[cards["dimension"] == "timeliness"]
    if rows.empty:
        return None
    overall = share_row(int(rows["observed"].sum()), int(rows["n"].sum()))
    outside = int(((rows["ci_high"] < overall["share"]) | (rows["ci_low"] > overall["share"])).sum())
    return Headline(
        f"{_pct(overall['share'])} {_interval(overall['ci_low'], overall['ci_high'])} of incidents got their first "
        f"report on time (n={overall['n']}); {outside} of {len(rows)} CAs' 95% intervals exclude that overall rate.",
        "03-ca-comparison")  # fmt: skip


def _template_step(t: Tables) -> Headline | None:
    steps = t.get("04-template-changes", "steps")
    if steps.empty:
        return None
    real = steps[(steps["kind"] == "version") & ~steps["outcome"].str.startswith("defect_")]
    clear = real[(real["ci_low"] > 0) | (real["ci_high"] < 0)]
    if clear.empty:
        return Headline(f"No template version changed a report outcome beyond chance ({len(real)} steps estimated, "
                        "every CA-clustered 95% interval includes 0).", "04-template-changes")  # fmt: skip
    top = clear.sort_values(["p_value", "outcome", "term"]).iloc[0]  # the step with the strongest evidence
    survival = t.get("04-template-changes", "steps_corrected")
    flagged = 0 if survival.empty else int(survival["verdict"].str.startswith("DOES NOT SURVIVE").sum())
    # a linear probability model's interval is not bounded; past ±1 only the sign is informative
    tail = "; only its direction is clear, the interval runs past ±100 points" if (
        top["ci_low"] < -1 or top["ci_high"] > 1) else ""
    tail += f"; {flagged} step(s) in detector findings do not survive the correction" if flagged else ""
    return Headline(
        f"At {top['term']} the share of reports with {top['outcome'].replace('_', ' ')} changed by "
        f"{_signed_pp(top['estimate'])} [{100 * top['ci_low']:+.0f}, {100 * top['ci_high']:+.0f}] "
        f"(linear probability model, CA-clustered 95% CI, n={top['n']} reports){tail}.",
        "04-template-changes")  # fmt: skip


def _proposal(t: Tables) -> Headline | None:
    overall = t.get("05-proposal-simulator", "overall")
    if overall.empty:
        return None
    low = overall.sort_values(["compliance", "proposal"]).iloc[0]
    return Headline(
        f"Of the proposals, {low['proposal']} would have been met least often: {_pct(low['compliance'])} "
        f"{_interval(low['ci_low'], low['ci_high'])} of {low['units']} historical {low['unit']}s would have complied.",
        "05-proposal-simulator")  # fmt: skip


HEADLINES: tuple[Callable[[Tables], Headline | None], ...] = (
    _corpus,
    lambda t: _structure(t, "reports with lessons learned", "reports had a Lessons Learned section"),
    lambda t: _structure(t, "action items with a due date", "action items carried a due date"),
    _detector,
    _timeliness,
    _template_step,
    _proposal,
)


def headlines(tables_dir: Path) -> list[Headline]:
    """The front page's sentences, each from the tables of one notebook (absent tables: no sentence)."""
    t = Tables(tables_dir)
    return [h for h in (make(t) for make in HEADLINES) if h is not None]


def trust_rows(tables_dir: Path) -> list[str]:
    """One line per detector: its real-text accuracy with intervals, or "not measured yet"."""
    from ca_incidents.analysis.misclass import DETECTOR_UNITS, POOLED

    accuracy = Tables(tables_dir).get("02-report-quality", "detector_accuracy")
    rows = []
    for detector in DETECTOR_UNITS:
        pooled = accuracy[(accuracy["detector"] == detector) & (accuracy["era"] == POOLED)] if not accuracy.empty \
            else accuracy  # fmt: skip
        if pooled.empty or pooled.iloc[0][["gold_positive", "gold_negative"]].sum() == 0:
            rows.append(f"<tr><th>{html.escape(detector)}</th><td colspan='2' class='missing'>not measured yet: "
                        "no real-text accuracy; its shares are shown as observed only</td></tr>")  # fmt: skip
            continue
        r = pooled.iloc[0]
        own = accuracy[(accuracy["detector"] == detector) & (accuracy["accuracy_used"] == "own")]["era"].tolist()
        basis = f"per era for {', '.join(own)}" if own else "pooled over eras"
        rows.append(
            f"<tr><th>{html.escape(detector)}</th>"
            f"<td>sensitivity {r['sensitivity']:.2f} [{r['sens_low']:.2f}, {r['sens_high']:.2f}] "
            f"(n={int(r['gold_positive'])})</td><td>specificity {r['specificity']:.2f} [{r['spec_low']:.2f}, "
            f"{r['spec_high']:.2f}] (n={int(r['gold_negative'])}); used {html.escape(basis)}</td></tr>")  # fmt: skip
    return rows


def _question(executed: Path) -> str:
    """The question a notebook answers, from its first cell's "**Question:**" line."""
    try:
        first = json.loads(executed.read_text(encoding="utf-8"))["cells"][0]
    except (OSError, ValueError, KeyError, IndexError):
        return ""
    for line in "".join(first["source"]).splitlines():
        if line.startswith("**Question:**"):
            return line.removeprefix("**Question:**").strip()
    return ""


STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;
color:#1d2733;line-height:1.45}
h1{margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #d6dde5;padding-bottom:.2rem}
.corpus{color:#4a5866;margin-top:0}.corpus code{font-size:.85em;background:#eef2f6;padding:.05rem .3rem}
ol.headlines li{margin:.45rem 0}ol.headlines a{font-size:.85em;white-space:nowrap}
.thumbs{display:grid;grid-template-columns:repeat(auto-fill,minmax(19rem,1fr));gap:1rem}
.thumbs figure{margin:0;border:1px solid #d6dde5;border-radius:6px;padding:.5rem;background:#fff}
.thumbs img{width:100%;height:13rem;object-fit:contain}.thumbs figcaption{font-size:.85em;color:#4a5866}
table.trust{border-collapse:collapse;width:100%}table.trust th,table.trust td{text-align:left;padding:.35rem .5rem;
border-bottom:1px solid #e3e8ee;vertical-align:top}.trust td.missing{color:#a0521d}
.panel{background:#f6f8fa;border:1px solid #d6dde5;border-radius:6px;padding:.2rem 1rem 1rem}
ul.notebooks li{margin:.3rem 0}details{margin-top:2rem}details table th{text-align:left;padding-right:1rem}
"""


def build_index(rendered: list, reports_dir: Path, parameters: dict) -> str:
    """The whole front page as HTML (``rendered``: the notebooks' ``RenderedNotebook`` records, in order)."""
    tables_dir = Path(parameters.get("tables_dir") or reports_dir / "tables")
    prov = Tables(tables_dir).provenance()
    pages = {r.name: r.html.name for r in rendered}
    e = html.escape
    start, end = prov.get("date_from", ""), prov.get("date_to", "")
    period = f"from {start or 'the start'} to {end or 'the end'}" if start or end else "at any date"
    cas = prov.get("ca_filter") or "every CA"
    corpus = (f"Corpus: {e(prov.get('source', ''))}, data as of {e(prov.get('corpus_as_of', '') or 'unknown')}; "
              f"snapshot manifest sha256 <code>{e(prov.get('manifest_sha256', parameters.get('manifest_sha256', '')))}"
              f"</code>; bugs filed {e(period)}; {e(cas)}.")  # fmt: skip
    items = "".join(
        f"<li>{e(h.text)} <a href='{e(pages.get(h.notebook, h.notebook + '.html'))}'>{e(h.notebook)} →</a></li>"
        for h in headlines(tables_dir)
    )
    figures = Path(parameters.get("figures_dir") or reports_dir / "figures")
    folder = _relative(figures, reports_dir)
    thumbs = "".join(
        f"<figure><a href='{e(pages.get(notebook, notebook + '.html'))}'><img src='{e(folder)}/{e(notebook)}-"
        f"{e(name)}.png' alt='{e(caption)}'></a><figcaption>{e(caption)}</figcaption></figure>"
        for notebook, name, caption in THUMBNAILS if (figures / f"{notebook}-{name}.png").is_file()
    )  # fmt: skip
    notebooks = "".join(
        f"<li><a href='{e(r.html.name)}'>{e(r.name)}</a>: {e(_question(r.executed))}</li>" for r in rendered
    )
    params = "".join(f"<tr><th>{e(str(k))}</th><td>{e(str(v))}</td></tr>" for k, v in sorted(parameters.items()))
    trust = "".join(trust_rows(tables_dir))
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>CA incident reports: overview</title>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{STYLE}</style></head><body>"
        f"<h1>CA compliance incidents: what the reports show</h1><p class='corpus'>{corpus}</p>"
        "<h2>Headline findings</h2><p>Each with its 95% interval and n; the link opens the notebook it comes "
        f"from.</p><ol class='headlines'>{items}</ol>"
        f"<h2>Key figures</h2><div class='thumbs'>{thumbs}</div>"
        "<h2>How far to trust this</h2><div class='panel'><p>Four findings come from NLP detectors reading free "
        "text. Their accuracy on held-out real report text (test split) decides how far their shares can be "
        "trusted; where it is measured, every share from their findings is also shown corrected for their errors "
        f"(Rogan–Gladen, bootstrap intervals).</p><table class='trust'>{trust}</table><p>Parser and scorer "
        "accuracy on the project's gold data: <code>ca-incidents evaluate parser</code>, <code>ca-incidents "
        "evaluate quality</code>. Shares carry Wilson 95% intervals; CAs are compared on shrunk estimates, never "
        "ranked.</p></div>"
        f"<h2>The notebooks</h2><ul class='notebooks'>{notebooks}</ul>"
        f"<details><summary>Provenance: run parameters</summary><table>{params}</table></details></body></html>"
    )


def _relative(path: Path, base: Path) -> str:
    """``path`` relative to the page's folder when inside it (so the folder can be moved), else absolute."""
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_uri()
