"""Property tests: any text parses without raising, to JSON with in-range offsets, deterministically."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ca_incidents.parse import lint_document, parse_report

FRAGMENTS = st.sampled_from(
    [
        "### Timeline\n",
        "## Action Items\n",
        "| a | b |\n",
        "|---|\n",
        "- 13:45 ",
        "2024-05-01 ",
        "UTC",
        "**",
        "> ",
        "1. How did you become aware\n",
        "Q3 2024",
        "**Contributing Factor #1: x**\n",
        "\n",
        "(In reply to A from comment #1)\n",
        "01.05.2024 13:45 CET",
        "Status: done",
        "    ",
        "\t",
        "#",
        "crt.sh/?id=1 ",
        "BR 7.1.2.3 ",
        "bug 1234567",
    ]
)
TEXTS = st.one_of(
    st.text(max_size=3000), st.lists(st.one_of(FRAGMENTS, st.text(max_size=20)), max_size=60).map("".join)
)


def _check(text: str, *, twice: bool = True) -> None:
    out = lint_document(text)
    json.dumps(out)
    n = len(text)
    for key in ("sections", "root_causes", "action_items", "timeline", "references"):
        for item in out[key]:
            assert 0 <= item["start"] <= item["end"] <= n
    if twice:
        assert out == lint_document(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_any_text_parses_to_valid_json(text: str) -> None:
    _check(text)


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example])
@given(st.text(min_size=1, max_size=50), st.sampled_from(["\n", " ", "|", "- 1. ", "2024-01-01 "]))
def test_large_texts_up_to_one_megabyte(seed: str, joiner: str) -> None:
    text = (seed + joiner) * (1_000_000 // (len(seed) + len(joiner)))
    assert len(text) <= 1_000_000
    _check(text[:1_000_000], twice=False)  # determinism is checked on the small texts above


def test_non_text_input_never_raises() -> None:
    assert parse_report(None).report_type == "other"  # type: ignore[arg-type]
