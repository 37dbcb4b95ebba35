"""Informal reports (issue 9, item 5): paraphrased legacy labels, labels run together on one line, and prose whose
cause statements and remediation steps are read sentence by sentence. All texts are written for these tests."""

from __future__ import annotations

from datetime import datetime

import pytest

from ca_incidents.parse import classify_bug, parse_report
from ca_incidents.parse.legacy import label_chain, match_label
from ca_incidents.parse.model import ParsedReport

POSTED = datetime(2020, 6, 1)
CA = "compliance@larkspur.example"

# A legacy-era report that relabels the numbered questions in its own words and numbering styles.
RELABELLED = """Larkspur PKI - policy OID copied from a test profile

Topic 1: How our CA learned about the issue
An external researcher emailed our problem reporting address on 12 March 2020.

Topic 2 - Timeline of the actions we took
2020-03-12 10:00 UTC - report received
2020-03-12 14:00 UTC - issuance paused for the affected profile
2020-03-13 09:00 UTC - 41 certificates revoked

Question 3) Has issuance been stopped?
Yes, the profile stayed paused until the fix went live on 2020-03-13.

Question 4) Summary of the problematic certificates
41 certificates, first issued 2020-01-02 and last issued 2020-03-11.

Question 6) Explanation about how and why the mistakes were made, and why they were not caught earlier
A template change copied a test OID into the production profile. Our pre-issuance linter did not check
policy OIDs, so nothing stopped it.

Question 7) List of steps your CA is taking to prevent a repeat
- Add a policy OID allow-list check to the linter - 2020-04-15
- Require a second reviewer for profile changes - done 2020-03-20
"""

# The same kind of answers, unnumbered and all on one line, as mailing-list posts often were.
ONE_LINE = (
    "Incident report for the expired OCSP signer at Larkspur PKI. How we first found out: a monitoring alert on "
    "2021-04-06 at 08:10 UTC told us the responder certificate had lapsed. Timeline of the actions: 2021-04-06 "
    "08:10 UTC alert raised, 11:30 UTC new signer deployed. Explanation about how and why the mistakes were made: "
    "the renewal reminder lived in a calendar owned by an engineer who had left, so nobody received it. List of "
    "steps we are taking to resolve the situation and make sure it will not happen again: we moved signer renewal "
    "into the key ceremony tracker with a 30 day alert, and we will add a check of responder certificate expiry "
    "to the hourly monitoring by 2021-05-31.\n"
)

# Prose with no labels at all.
PROSE = """Hello all,

On 3 February 2019 a subscriber told us that three of their certificates carried a street address with a typo.
We looked into it the same day and revoked the three certificates on 4 February 2019.

The root cause was that our validation tool accepted the address as typed by the vetting agent and did not
compare it with the registry record. This happened because the comparison step had been switched off during a
migration in December 2018 and was never turned back on.

To prevent recurrence we re-enabled the registry comparison on 5 February 2019 and added a configuration test
that fails the deployment if the step is disabled. We will also review all OV certificates issued since December
2018 against the registry by 28 February 2019.

Regards,
The Larkspur compliance team
"""


def _span(text: str, start: int, end: int) -> str:
    return " ".join(text[start:end].split())


def _inside(rep: ParsedReport, name: str, start: int, end: int) -> bool:
    return any(s.name == name and s.start <= start and end <= s.end for s in rep.sections)


def test_relabelled_legacy_report_yields_its_sections_cause_and_steps() -> None:
    rep = parse_report(RELABELLED, POSTED)
    assert (rep.report_type, rep.era) == ("legacy", "legacy")
    assert [s.name for s in rep.sections] == ["summary", "timeline", "impact", "impact", "root_cause", "action_items"]
    (cause,) = rep.root_causes
    assert "copied a test OID into the production profile" in _span(RELABELLED, cause.start, cause.end)
    assert [(a.text, a.due_date and a.due_date.isoformat(), a.status) for a in rep.action_items] == [
        ("Add a policy OID allow-list check to the linter", "2020-04-15", None),
        ("Require a second reviewer for profile changes", "2020-03-20", "complete"),
    ]
    assert len(rep.timeline) == 3


def test_labels_run_together_on_one_line_open_their_sections_mid_line() -> None:
    rep = parse_report(ONE_LINE, datetime(2021, 4, 20))
    assert [s.name for s in rep.sections] == ["summary", "timeline", "root_cause", "action_items"]
    starts = {s.name: ONE_LINE[s.start : s.start + 20] for s in rep.sections}
    assert starts["timeline"].startswith("Timeline of the act")
    assert starts["action_items"].startswith("List of steps we are")
    (cause,) = rep.root_causes
    assert _span(ONE_LINE, cause.start, cause.end).startswith("Explanation about how and why")
    assert "calendar owned by an engineer who had left" in cause.description
    items = rep.action_items
    assert items and all(_inside(rep, "action_items", a.start, a.end) for a in items)
    assert any(a.due_date is not None and a.due_date.isoformat() == "2021-05-31" for a in items)


def test_prose_report_is_informal_with_cause_and_steps_at_their_exact_spans() -> None:
    rep = parse_report(PROSE, datetime(2019, 2, 6))
    assert (rep.report_type, rep.era, rep.is_report) == ("informal", None, True)
    (cause,) = rep.root_causes
    passage = _span(PROSE, cause.start, cause.end)
    assert passage.startswith("The root cause was that our validation tool")
    assert passage.endswith("was never turned back on.")
    assert _inside(rep, "root_cause", cause.start, cause.end)
    steps = [(_span(PROSE, a.start, a.end), a.due_date and a.due_date.isoformat(), a.status) for a in rep.action_items]
    assert steps == [
        (
            "To prevent recurrence we re-enabled the registry comparison on 5 February 2019 and added a "
            "configuration test that fails the deployment if the step is disabled.",
            "2019-02-05",
            "complete",
        ),
        (
            "We will also review all OV certificates issued since December 2018 against the registry by "
            "28 February 2019.",
            "2019-02-28",
            None,
        ),
    ]
    assert all(_inside(rep, "action_items", a.start, a.end) for a in rep.action_items)
    # the narrative paragraph (what happened, the revocation) is neither a cause nor a step
    assert not any("subscriber told us" in _span(PROSE, a.start, a.end) for a in rep.action_items)


def test_two_steps_joined_in_one_sentence_become_two_items() -> None:
    text = (
        "The outage was caused by a full disk. We moved the logs to a larger volume, and we will add an alert "
        "at 80% disk use; it pages the on-call engineer."
    )
    rep = parse_report(text, POSTED)
    assert [_span(text, a.start, a.end) for a in rep.action_items] == [
        "We moved the logs to a larger volume",
        "we will add an alert at 80% disk use; it pages the on-call engineer.",  # the clause after ";" goes with it
    ]
    assert [a.status for a in rep.action_items] == ["complete", None]


@pytest.mark.parametrize(
    "text",
    [
        "Thanks for the pointer, I will take a look at the linked thread tomorrow.",
        "We checked both certificates again after your question and both are fine.",
        # why a date slipped, in a status update: a bare "because" does not make a report
        "Revocation status: 12 of 14 revoked. The last two were late because the site was closed on a holiday.",
        "We will update this bug with the revocation figures on Friday.",
        "Why was the comparison step switched off, and who approved that?",
    ],
)
def test_remarks_replies_and_updates_are_not_informal_reports(text: str) -> None:
    rep = parse_report(text, POSTED)
    assert rep.report_type != "informal" and rep.root_causes == [] and rep.action_items == []


def test_a_ca_reply_that_explains_a_cause_stays_an_answer() -> None:
    reply = "(In reply to a reviewer from comment #1)\n> Why?\n\nThis happened because the step was switched off."
    comments = [
        {"count": 0, "author": CA, "text": PROSE, "posted_at": datetime(2019, 2, 6)},
        {"count": 1, "author": "reviewer@root-program.example", "text": "Why was the step off?", "posted_at": None},
        {"count": 2, "author": CA, "text": reply, "posted_at": None},
    ]
    roles = classify_bug(comments, assignee=CA).roles
    assert [r.role for r in roles] == ["informal", "question", "answer"]


@pytest.mark.parametrize(
    ("label", "question"),
    [
        ("How we first found out", 1),
        ("How the issue came to our attention", 1),
        ("Timline of actions", 2),  # a typo
        ("Time line of events and actions taken", 2),
        ("Whether we have stopped issuance", 3),
        ("Summary of affected certs", 4),
        ("Complete certificate data for the affected certificates", 5),
        ("Why did this happen and why was it not detected", 6),
        ("Reason for the mistake", 6),
        ("Steps to prevent recurrence", 7),
        ("What we are doing to make sure it does not happen again", 7),
    ],
)
def test_paraphrased_labels_match_their_legacy_question(label: str, question: int) -> None:
    match = match_label(label)
    assert match is not None and match.question == question


@pytest.mark.parametrize(
    "label",
    ["Details", "Our response", "We revoked the certificates", "In our case the problem was", "What happened",
     "Status of the fix", "Next steps for customers", "Impact on relying parties"],
)  # fmt: skip
def test_labels_that_paraphrase_no_question_do_not_match(label: str) -> None:
    assert match_label(label) is None


def test_a_lone_loose_label_is_not_believed_but_a_chain_is() -> None:
    loose = match_label("How we first found out")
    typo = match_label("Timline of actions")
    verbatim = match_label("How your CA first became aware of the problem")
    assert loose is not None and typo is not None and verbatim is not None
    assert label_chain([loose]) == [None]
    assert label_chain([loose, None, typo]) == [1, None, 2]
    assert label_chain([typo, loose]) == [None, None]  # out of order, so only one is kept: not enough
    assert label_chain([verbatim]) == [1]  # nearly the wiki's own words


def test_template_fields_are_not_taken_for_legacy_questions() -> None:
    text = (
        "## Full Incident Report\n### Summary\n- **Incident description**: a CRL expired.\n### Impact\n"
        "- **Total number of certificates**: 0\n- **Was issuance stopped in response to this incident, and why or "
        "why not?**: no\n### Lessons Learned\n- **What went well**: alerting\n"
    )
    assert [s.name for s in parse_report(text, datetime(2025, 5, 1)).sections] == [
        "summary",
        "impact",
        "lessons_learned",
        "went_well",
    ]


def test_causes_and_steps_written_as_list_items_start_after_the_marker() -> None:
    text = (
        "Our notes:\n- The root cause was a stale cache in the CAA checker.\n"
        "- We have shortened the cache lifetime to 5 minutes on 2024-03-01.\n"
    )
    rep = parse_report(text, POSTED)
    assert rep.report_type == "informal"
    assert [text[c.start : c.end] for c in rep.root_causes] == ["The root cause was a stale cache in the CAA checker."]
    (step,) = rep.action_items
    assert text[step.start : step.end] == "We have shortened the cache lifetime to 5 minutes on 2024-03-01."
    assert (step.due_date and step.due_date.isoformat(), step.status) == ("2024-03-01", "complete")
