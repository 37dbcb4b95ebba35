"""The rule catalogue: every rule documented, every rule implemented, and nothing else emitted."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ca_incidents.cli import app
from ca_incidents.score.rules import catalogue, parse_catalogue
from ca_incidents.score.scorer import FAMILIES


def test_every_catalogue_rule_has_exactly_one_detector_family() -> None:
    emitted = [r for family in FAMILIES for r in family.RULES]
    assert sorted(emitted) == sorted(catalogue().rules)


def test_rules_have_examples_and_weights_sum_to_one() -> None:
    cat = catalogue()
    assert all(r.fires and r.passes and r.clause for r in cat.rules.values())
    assert sum(w for w, _ in cat.criteria.values()) == pytest.approx(1.0)


def test_unknown_severity_is_rejected() -> None:
    text = """rubric_version: x
criteria: {a: {weight: 1, title: t}}
rules:
  - {id: r, severity: fatal, criterion: a, eras: all, what: w, why: y, clause: c}
"""
    with pytest.raises(ValueError, match="unknown severity"):
        parse_catalogue(text)


def test_era_scoping() -> None:
    rule = catalogue().rule("missing-field")
    assert rule.applies("v3.1") and not rule.applies("v2.0") and not rule.applies(None)
    assert catalogue().rule("vague-action").applies("legacy")


def test_rules_command_prints_one_rule_and_rejects_unknown() -> None:
    runner = CliRunner()
    one = runner.invoke(app, ["rules", "human-error-root-cause"])
    assert one.exit_code == 0
    assert "Clause:" in one.output and "Fires:" in one.output and "Passes:" in one.output
    assert "vague-action" not in one.output
    everything = runner.invoke(app, ["rules"])
    assert everything.exit_code == 0
    assert all(rule_id in everything.output for rule_id in catalogue().rules)
    bad = runner.invoke(app, ["rules", "no-such-rule"])
    assert bad.exit_code == 2 and "unknown rule" in bad.output
