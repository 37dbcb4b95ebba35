"""Each detector family fires on an example of its problem and stays quiet on the fixed version.

All report texts here are invented for these tests (Larkspur Trust is not a real CA).
"""

from __future__ import annotations

from datetime import date

import pytest

from ca_incidents.score.nlp import load
from ca_incidents.score.quality import ActionInput, classify_actions, classify_root_causes
from ca_incidents.score.scorer import score_report

V3_FULL = """## Full Incident Report

### Summary
- **CA Owner CCADB unique ID:** A012345
- **Incident description:** Larkspur Trust issued 41 TLS certificates whose subject:organizationName
  kept a trailing space from the order form, between 2025-08-02 and 2025-08-20.
- **Timeline summary:**
  - Non-compliance start date: 2025-08-02
  - Non-compliance identified date: 2025-08-20
  - Non-compliance end date: 2025-08-21
- **Relevant policies:** TLS BR 7.1.4.2
- **Source of incident disclosure:** {source}

### Impact
- **Total number of certificates:** 41
- **Total number of "remaining valid" certificates:** 0
- **Affected certificate types:** OV
- **Incident heuristic:** organizationName ending in a space.
- **Was issuance stopped in response to this incident, and why or why not?:** No; a fix was deployed within a day.
- **Analysis:** N/A
{claim}
### Timeline
All times are UTC.
- 2025-07-30 09:10 Release 4.2 of the order form changed the trimming code.
- 2025-08-02 11:00 First affected certificate issued.
- 2025-08-20 08:30 A community member reported the trailing space.
- 2025-08-21 10:00 Fix deployed; last affected certificate had been issued the day before.
{timeline_extra}
### Related Incidents
N/A

### Root Cause Analysis
**Contributing Factor #1: Trimming moved out of the validation path**
- **Description:** {cause}
- **Timeline:** Introduced with release 4.2 on 2025-07-30.
- **Detection:** Our pre-issuance linter did not check for leading or trailing whitespace, so no alert was raised.
- **Interaction with other factors:** None.

We also checked all 12 other profiles and both issuing CAs for the same pattern; none were affected.

### Lessons Learned
- **What went well:** The fix was small.
- **What didn't go well:** The release review missed the changed trimming code.
- **Where we got lucky:** N/A
- **Additional:** N/A

### Action Items
| Action Item | Kind | Corresponding Root Cause(s) | Evaluation Criteria | Due Date | Status |
|---|---|---|---|---|---|
| {action} | {kind} | #1 | Zero certificates with edge whitespace in CT for 90 days | {due} | Ongoing |
| Add a release checklist step for changed trimming code | Detect | #1 | Checklist v3 out | 2025-09-30 | Complete |

### Appendix
Attached CSV with all 41 certificates.
"""
GOOD = {
    "source": "Third Party Reported",
    "claim": "",
    "timeline_extra": "",
    "cause": "The order form trimmed input only in the browser; release 4.2 moved trimming to a shared helper "
    "that the API path never called, and the API accepted the raw value.",
    "action": "Add a pre-issuance lint that rejects any subject attribute with leading or trailing whitespace",
    "kind": "Prevent",
    "due": "2025-10-15",
}


def _rules(text: str, **kwargs: object) -> list[str]:
    return [f.rule for f in score_report(text, **kwargs).findings]  # type: ignore[arg-type]


def _report(**changes: str) -> str:
    return V3_FULL.format(**{**GOOD, **changes})


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    return load()


def test_good_report_has_no_findings() -> None:
    assert _rules(_report(), posted_at=date(2025, 9, 1)) == []


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"action": "Improve our internal processes where possible"}, "vague-action"),
        ({"due": "TBD"}, "missing-timebound"),
        ({"kind": "Detect"}, "no-prevent-action"),
        ({"source": ""}, "missing-field"),
        ({"claim": "This issue has no security impact.\n"}, "unsubstantiated-claim"),
        ({"claim": "The subscriber provided wrong data, so the fault lies with them.\n"}, "blame-shifting"),
        ({"timeline_extra": "- 2025-08-22 Post-incident review held.\n"}, "timeline-missing-time"),
    ],
)
def test_each_problem_fires_its_rule(change: dict[str, str], rule: str) -> None:
    assert rule in _rules(_report(**change), posted_at=date(2025, 9, 1))


def test_reasoned_claim_and_owned_blame_do_not_fire() -> None:
    claim = (
        "No security impact: the field is ignored by all major TLS clients, as shown by the test results in the "
        "appendix. The subscriber supplied a wrong name, and our validation did not catch it.\n"
    )
    assert _rules(_report(claim=claim), posted_at=date(2025, 9, 1)) == []


def test_missing_zone_fires_without_a_zone_statement() -> None:
    text = _report().replace("All times are UTC.\n", "")
    assert "timeline-missing-zone" in _rules(text)


def test_overdue_item_with_unchanged_status_has_its_own_rule() -> None:
    text = _report(due="2025-08-30")
    assert "overdue-action-item" not in _rules(text, posted_at=date(2025, 8, 25))
    late = _rules(text, posted_at=date(2025, 9, 10))
    assert "overdue-action-item" in late
    assert "missing-timebound" not in late  # late is not the same defect as undated


def test_overdue_needs_an_ongoing_status() -> None:
    text = _report(due="2025-08-30").replace("| 2025-08-30 | Ongoing |", "| 2025-08-30 | Complete |")
    assert "overdue-action-item" not in _rules(text, posted_at=date(2025, 9, 10))


def test_v2_report_without_lessons_learned_is_missing_a_section_but_v3_fields_do_not_apply() -> None:
    text = (
        "## Incident Report\n\n### Summary\nLarkspur Trust served OCSP responses signed with an expired delegate "
        "for six hours on 2024-02-03, affecting every status request for two issuing CAs.\n\n### Impact\nAll "
        "OCSP responses for 2 CAs.\n\n### Timeline\nAll times are UTC.\n2024-02-03:\n- 01:00 Delegate expired.\n"
        "\n### Root Cause Analysis\nThe renewal job ran on a host that was decommissioned.\n\n### Action Items\n"
        "| Action Item | Kind | Due Date |\n|---|---|---|\n| Move renewal to the CA cluster | Prevent | 2024-03-01 |\n"
        "\n### Appendix\nN/A\n"
    )
    rules = _rules(text, posted_at=date(2024, 2, 10))
    assert "missing-section" in rules and "missing-field" not in rules
    with_lessons = text.replace(
        "### Action Items",
        "### Lessons Learned\n#### What went well\n- Quick fix.\n#### What didn't go well\n- Nobody noticed the "
        "decommissioned host.\n#### Where we got lucky\n- N/A\n\n### Action Items",
    )
    assert "missing-section" not in _rules(with_lessons, posted_at=date(2024, 2, 10))


def test_thoroughness_rules_fire_when_variants_and_detection_are_absent() -> None:
    text = _report().replace(
        "We also checked all 12 other profiles and both issuing CAs for the same pattern; none were affected.", ""
    )
    text = text.replace("Our pre-issuance linter did not check for leading or trailing whitespace, so no alert "
                        "was raised.", "Community report.")  # fmt: skip
    rules = _rules(text)
    assert "no-variant-analysis" in rules and "no-detection-analysis" in rules
    assert "no-summary" not in rules
    short = "## Incident Report\n\n### Summary\nBad certificates.\n\n### Timeline\n2024-05-01 10:00 UTC fixed\n"
    assert "no-summary" in _rules(short + "\n### Root Cause Analysis\nA bug.\n")


@pytest.mark.parametrize(
    ("cause", "rule"),
    [
        ("The certificates were issued with a trailing space in the organizationName.", "restated-root-cause"),
        ("The incident was caused by human error of a validation specialist.", "human-error-root-cause"),
    ],
)
def test_root_cause_rules_fire_on_a_bare_contributing_factor(cause: str, rule: str) -> None:
    start = V3_FULL.index("**Contributing Factor #1")
    end = V3_FULL.index("We also checked")
    template = (
        V3_FULL[:start] + "**Contributing Factor #1: Trailing space**\n- **Description:** {cause}\n\n" + V3_FULL[end:]
    )
    bad = template.format(**{**GOOD, "cause": cause})
    good = template.format(**GOOD)
    assert rule in _rules(bad)
    assert rule not in _rules(good)


def test_unmapped_contributing_factor() -> None:
    text = _report().replace(
        "We also checked",
        "**Contributing Factor #2: Release review missed trimming**\n- **Description:** Reviewers only read the "
        "diff summary, not the helper code.\n\nWe also checked",
    )
    assert "unmapped-root-cause" in _rules(text)
    assert "unmapped-root-cause" not in _rules(text.replace("| #1 |", "| #1, #2 |", 1))


def test_legacy_report_is_not_held_to_v2_timeline_rules() -> None:
    text = _report(timeline_extra="- 2025-08-22 Post-incident review held.\n")
    assert "timeline-missing-time" not in _rules(text, era="legacy")


def test_classify_actions_fire_and_no_fire(nlp) -> None:  # type: ignore[no-untyped-def]
    items = [
        ActionInput("Improve our internal processes where possible.", "2025-06-30"),
        ActionInput("Remind staff of the importance of careful validation.", "2025-06-30"),
        ActionInput("Add a pre-issuance lint for the jurisdictionLocality field to the issuance pipeline.", "Q3 2025"),
        ActionInput("Deploy CAA re-check before signing", "TBD"),
        ActionInput("Deploy CAA re-check before signing", "ASAP", "Ongoing"),
        ActionInput("Keep the CRL freshness alert paging on-call"),
        ActionInput("Rotate the OCSP delegate keys", None, "Complete"),
        ActionInput("Rotate the OCSP delegate keys", "in the coming weeks"),
        ActionInput("We will revoke the remaining certificates no later than 14 March 2025."),
        ActionInput("Rotate the OCSP delegate keys", "Quarterly"),
        ActionInput("Revoke every certificate issued before 2019-03-01.", "TBD"),
    ]
    verdicts = classify_actions(items, nlp)
    assert [v.vague for v in verdicts[:3]] == [True, True, False]
    assert [v.timebound for v in verdicts] == [True, True, True, False, False, False, False, False, True, False, False]


def test_vague_item_names_the_generic_verb_and_object(nlp) -> None:  # type: ignore[no-untyped-def]
    (verdict,) = classify_actions([ActionInput("We will enhance our internal monitoring processes.")], nlp)
    assert verdict.vague
    assert "enhance" in verdict.vague_evidence and "processes" in verdict.vague_evidence


def test_classify_root_causes_fire_and_no_fire(nlp) -> None:  # type: ignore[no-untyped-def]
    summary = "Larkspur Trust issued certificates with a wrong keyUsage value."
    pairs = [
        ("The root cause was that the certificates were issued with a wrong keyUsage value.", summary),
        (
            "Certificates carried the wrong keyUsage because the profile template for the new sub-CA was cloned "
            "from an S/MIME profile, and our profile review checked only the extensions that changed.",
            summary,
        ),
        ("The incident was caused by human error of a validation specialist.", summary),
        (
            "A validation specialist mistyped the organisation name; the RA console accepted free text with no "
            "comparison against the registry record, so the error went unchecked.",
            summary,
        ),
    ]
    v = classify_root_causes(pairs, nlp)
    assert [x.restated for x in v] == [True, False, False, False]
    assert [x.human_error_only for x in v] == [False, False, True, False]


def test_unsure_findings_are_one_severity_step_milder_and_cost_less() -> None:
    from ca_incidents.parse.report import parse_report
    from ca_incidents.score.detectors import Context
    from ca_incidents.score.scorer import _criterion_scores

    text = _report()
    ctx = Context(text, parse_report(text), "v3.2")
    sure = ctx.finding("restated-root-cause", "m", 0, 5)
    unsure = ctx.finding("restated-root-cause", "m", 0, 5, unsure=True)
    assert (sure.severity, unsure.severity) == ("error", "warning")
    assert ctx.finding("vague-action", "m", 0, 5, unsure=True).severity == "info"
    by_sure = {c.criterion: c.score for c in _criterion_scores([sure], "v3.2", "full")}
    by_unsure = {c.criterion: c.score for c in _criterion_scores([unsure], "v3.2", "full")}
    assert by_unsure["root_cause"] > by_sure["root_cause"]
