"""The settings object: CA_INCIDENTS_* variables, the legacy BUGZILLA_API_KEY, bounds, a secret key, and a
reference page generated from the class that must be current."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ca_incidents.cli import app
from ca_incidents.score.nlp import model_name
from ca_incidents.settings import Settings, SettingsError, load_settings, reference_markdown
from tests.conftest import REPO_ROOT

KEY = "bmo-SECRET-9f8e7d"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("CA_INCIDENTS_") or name == "BUGZILLA_API_KEY":
            monkeypatch.delenv(name)


def test_the_reference_page_is_generated_from_the_class_and_current() -> None:
    page = (REPO_ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert page == reference_markdown(), "regenerate: ca-incidents settings --markdown > docs/settings.md"
    result = CliRunner().invoke(app, ["settings", "--markdown"])
    assert result.exit_code == 0 and result.output == page


def test_every_field_is_documented_bounded_and_on_the_page() -> None:
    page = reference_markdown()
    for name, field in Settings.model_fields.items():
        assert field.description and len(field.description) > 20, name
        row = next(line for line in page.splitlines() if line.startswith(f"| `{name}` |"))
        assert "| any |" not in row, f"{name} has no bound"
    assert set(Settings.model_fields) >= {"data_dir", "base_url", "api_key", "rate_limit", "spacy_model", "report_dir"}


def test_environment_overrides_defaults_and_options_override_the_environment(monkeypatch, tmp_path: Path) -> None:
    assert load_settings().data_dir == Path("data")
    monkeypatch.setenv("CA_INCIDENTS_DATA_DIR", str(tmp_path / "env"))
    monkeypatch.setenv("CA_INCIDENTS_RATE_LIMIT", "30")
    monkeypatch.setenv("CA_INCIDENTS_SPACY_MODEL", "en_core_web_md")
    settings = load_settings(data_dir=None, rate_limit=12.0)
    assert settings.data_dir == tmp_path / "env" and settings.rate_limit == 12.0
    assert model_name() == "en_core_web_md" and model_name("other") == "other"


def test_the_api_key_reads_both_variables_and_never_shows(monkeypatch) -> None:
    monkeypatch.setenv("BUGZILLA_API_KEY", KEY)
    settings = load_settings()
    assert settings.api_key_value() == KEY and KEY not in repr(settings) and KEY not in str(settings)
    monkeypatch.setenv("CA_INCIDENTS_API_KEY", "newer")
    assert load_settings().api_key_value() == "newer"
    monkeypatch.setenv("CA_INCIDENTS_API_KEY", "")  # empty is unset, so the legacy variable applies again
    assert load_settings().api_key_value() == KEY
    shown = CliRunner().invoke(app, ["settings"])
    assert shown.exit_code == 0 and "api_key\tset" in shown.output and KEY not in shown.output


@pytest.mark.parametrize(
    ("overrides", "setting"),
    [
        ({"rate_limit": 0}, "rate_limit"),
        ({"rate_limit": 1e9}, "rate_limit"),
        ({"base_url": "ftp://example.org"}, "base_url"),
        ({"spacy_model": ""}, "spacy_model"),
        ({"api_key": "x" * 300}, "api_key"),
    ],
)
def test_values_out_of_bounds_are_refused_naming_the_setting(overrides: dict, setting: str) -> None:
    with pytest.raises(SettingsError, match=rf"^setting {setting} \(option\)"):
        load_settings(**overrides)


def test_a_data_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(SettingsError, match=r"data_dir.*is a file"):
        load_settings(data_dir=tmp_path / "f")


def test_the_cli_turns_a_bad_setting_into_one_line_and_exit_2(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CA_INCIDENTS_RATE_LIMIT", "-1")
    result = CliRunner().invoke(app, ["settings"])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert result.output.strip().splitlines() == [
        "error: setting rate_limit (CA_INCIDENTS_RATE_LIMIT or default): Input should be greater than 0"
    ]
    monkeypatch.delenv("CA_INCIDENTS_RATE_LIMIT")
    result = CliRunner().invoke(app, ["harvest", "--data-dir", str(tmp_path / "d"), "--rate-limit", "200000/s"])
    assert result.exit_code == 2 and "rate_limit" in result.output and not (tmp_path / "d").exists()
