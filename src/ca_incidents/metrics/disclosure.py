"""Disclosure source, triangulated: what the CA states, the `[external]` tag, who filed the bug, and the
wording of the first comment. Disagreements are reported as such, never resolved silently.

The stated source is the v3 "Source of incident disclosure" field when a CA report has one, else the CA's
own wording (self-detection phrases vs. being told by someone); when a CA comment uses both kinds of
phrase the wording is ``unclear``. A disagreement is a CA stating self-detection while the bug was filed by
a third party (not the CA, not a root program) or carries `[external]`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ca_incidents.metrics.context import Bug, is_root_program

SELF_WORDING = re.compile(
    r"self[- ](?:detected|identified|reported|discovered|audit)|"
    r"\b(?:through|during|via|in|by|from) (?:an?|our) (?:own )?internal (?:self-audit|review|audit|quality review|"
    r"check|scan)|\bdetected by our (?:own )?(?:monitoring|review|checks?|linter)",
    re.IGNORECASE,
)
_EXAMPLES = re.compile(r"\(e\.g\.[^)]*\)", re.IGNORECASE)  # template prompts listing the options
THIRD_PARTY_WORDING = re.compile(
    r"\b(?:informed|notified|told|alerted) (?:by|through|via|of this by)|\breported (?:to us )?by (?:a|the|an)\b|"
    r"\bthird[- ]party reported\b|\bcommunity member|\bthis bug (?:was )?(?:opened|filed) by|"
    r"\bcertificate problem report (?:from|by)|\b(?:in|from) the bug description\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Disclosure:
    """One bug's disclosure evidence (one row of the ``disclosure`` columns of ``incident_metrics``)."""

    bug_id: int
    stated: str | None  # self | third_party | audit | unclear | None (nothing stated)
    stated_how: str | None  # field | wording
    stated_comment_id: int | None
    filer: str  # ca | root_program | third_party
    has_external_tag: bool
    external_tag_history_seq: int | None  # the whiteboard change that added it (None: there at creation)
    first_comment_says: str | None  # self | third_party | None, from comment 0's wording
    is_disagreement: bool
    reason: str | None


def _wording(text: str) -> str | None:
    text = _EXAMPLES.sub(" ", text)
    is_self, is_third = bool(SELF_WORDING.search(text)), bool(THIRD_PARTY_WORDING.search(text))
    if is_self and is_third:
        return "unclear"
    return "self" if is_self else "third_party" if is_third else None


def _stated(bug: Bug) -> tuple[str | None, str | None, int | None]:
    for c in bug.comments:
        if c.is_ca and c.disclosure_source:
            return c.disclosure_source, "field", c.id
    found = [(c, _wording(c.own_text)) for c in bug.comments if c.is_ca]
    found = [(c, w) for c, w in found if w]
    if not found:
        return None, None, None
    kinds = {w for _, w in found}
    value = found[0][1] if len(kinds) == 1 else "unclear"
    return value, "wording", found[0][0].id


def _external(bug: Bug) -> tuple[bool, int | None]:
    for _, seq, value in bug.whiteboard_values():
        if re.search(r"\[\s*external\s*\]", value, re.IGNORECASE):
            return True, seq
    return False, None


def bug_disclosure(bug: Bug) -> Disclosure:
    """The evidence and whether it disagrees."""
    stated, how, cid = _stated(bug)
    filer = "ca" if bug.is_filed_by_ca else "root_program" if is_root_program(bug.creator) else "third_party"
    external, seq = _external(bug)
    first = bug.comments[0] if bug.comments else None
    first_says = None
    if first is not None:
        first_says = "self" if first.is_ca else "third_party" if filer == "third_party" else _wording(first.own_text)
    reasons = []
    if stated == "self" and filer == "third_party":
        reasons.append(f"CA states self-detection ({how}) but the bug was filed by {bug.creator}")
    if stated == "self" and external:
        reasons.append("CA states self-detection but the whiteboard carries [external]")
    return Disclosure(bug.id, stated, how, cid, filer, external, seq, first_says, bool(reasons),
                      "; ".join(reasons) or None)  # fmt: skip
