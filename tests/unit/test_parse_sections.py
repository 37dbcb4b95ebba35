"""Section segmentation across heading styles."""

from itertools import pairwise

from ca_incidents.parse import parse_report

V2 = """## Incident Report

### Summary
Widget CA put a wrong OID in 12 certificates.

### Impact
12 certificates.

### Timeline
All times are UTC.

### Root Cause Analysis
A template was copied.

### Lessons Learned
#### What went well
- fast fix
#### What didn't go well
- slow review
#### Where we got lucky
- nobody relied on it

### Action Items
| Action Item | Kind | Due Date |
|---|---|---|
| Split templates | Prevent | 2024-07-01 |

### Appendix
none
"""


def names(text: str) -> list[str]:
    return [s.name for s in parse_report(text).sections]


def test_v2_headings_and_lessons_subsections() -> None:
    assert names(V2) == [
        "summary",
        "impact",
        "timeline",
        "root_cause",
        "lessons_learned",
        "went_well",
        "didnt_go_well",
        "lucky",
        "action_items",
        "appendix",
    ]


def test_section_spans_nest_and_do_not_overlap() -> None:
    rep = parse_report(V2)
    tops = [s for s in rep.sections if s.parent is None]
    for a, b in pairwise(tops):
        assert a.end <= b.start
    lessons = rep.section("lessons_learned")
    assert lessons is not None
    for sub in (s for s in rep.sections if s.parent == "lessons_learned"):
        assert lessons.start <= sub.start < sub.end <= lessons.end


def test_bold_and_plain_labels_without_markdown() -> None:
    text = (
        "**Summary**\nA thing broke.\n\nTimeline:\n2024-01-02 10:00 UTC: found\n\nRoot cause: a typo.\n\n"
        "**Action items**\n- fix it - 2024-02-01\n"
    )
    assert names(text) == ["summary", "timeline", "root_cause", "action_items"]


def test_legacy_numbered_questions_map_to_canonical_sections() -> None:
    text = (
        "1. How your CA first became aware of the problem\nBy mail.\n\n2. Timeline\n2020-01-01 09:00 CET x\n\n"
        "3. Whether your CA has stopped issuing\nYes.\n\n4) 20 certificates affected.\n\n"
        "5. Certificate data\nAttached.\n\n"
        "6) The helper skipped a check.\n\n7. Steps to prevent recurrence\n- add a check - done\n"
    )
    assert names(text) == ["summary", "timeline", "impact", "impact", "appendix", "root_cause", "action_items"]


def test_numbered_list_inside_an_answer_is_not_a_question() -> None:
    text = (
        "1. How we became aware\nA report.\n\n2. Timeline\n2020-01-01 x\n\n3. Issuance stopped? No.\n\n"
        "4. Summary of affected certificates\n3.\n\n5. Data\nnone\n\n6. Why it happened\nbug\n\n"
        "7. Steps\n1. add lint\n2. add timeline review\n3. stop the old path\n"
    )
    assert names(text).count("timeline") == 1
    assert len(parse_report(text).action_items) == 3


def test_contributing_factor_fields_are_not_sections() -> None:
    text = (
        "### Root Cause Analysis\n**Contributing Factor #1: stale cache**\n- **Description**: cache kept old data\n"
        "- **Timeline**: since 2024-01-01\n- **Detection**: a monitor\n- **Interaction with other factors**: none\n\n"
        "**Contributing Factor #2: missing alert**\n- **Description**: no page\n\n### Action Items\n- add alert\n"
    )
    rep = parse_report(text)
    assert [s.name for s in rep.sections] == ["root_cause", "action_items"]
    assert [r.title for r in rep.root_causes] == ["stale cache", "missing alert"]
    assert rep.root_causes[0].detection == "a monitor"
    assert rep.root_causes[0].timeline.startswith("since 2024-01-01")


def test_quoted_headings_are_ignored() -> None:
    text = "(In reply to Someone from comment #3)\n> ### Timeline\n> what happened?\n\nThanks, we will reply soon."
    assert names(text) == []
