"""Comment roles: is a comment a report (which kind), an update, a question, an answer - and whose side?

Metrics (response times, unanswered questions) need every comment classified, and quoted text belongs to
the earlier author, so it is blanked before the comment's own words are read. This module is the one place
that decides which accounts speak for the CA in a bug; every later stage reads ``comment_roles.is_ca_side``
and ``parse_bugs.ca_accounts``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ca_incidents.parse.lines import mask_spans, quoted_spans
from ca_incidents.parse.model import ParsedReport
from ca_incidents.parse.report import parse_report

ROLES_VERSION = "2"  # 2: a comment is CA-side exactly when its author is one of the bug's CA accounts
ROLES = ("preliminary", "full", "closure", "audit", "legacy", "update", "informal", "question", "answer", "other")
REPORT_ROLES = ("preliminary", "full", "closure", "audit", "legacy", "update", "informal")
ROOT_PROGRAM_DOMAINS = (
    "mozilla.com",
    "mozilla.org",
    "google.com",
    "chromium.org",
    "apple.com",
    "microsoft.com",
    "ccadb.org",
    "root-program.example",
)
_GENERIC_DOMAINS = (
    "gmail.com",
    "outlook.com",
    "hotmail.com",
    "yahoo.com",
    "protonmail.com",
    "proton.me",
    "users.noreply.github.com",
    "example.com",
)
_QUESTION_CUES = re.compile(
    r"\?|\b(?:please|kindly)\s+(?:provide|explain|confirm|clarify|describe|share|update|post|list|add|answer|"
    r"file|include|respond)\b|"
    r"\b(?:can|could|would|will|when will|why did|why was|how will|how do|what is)\s+you\b|"
    r"\bwe expect\b|\bi(?:'d| would) like to (?:know|understand|see)\b",
    re.IGNORECASE,
)
_ON_BEHALF = re.compile(r"\bon behalf of\b", re.IGNORECASE)


@dataclass(frozen=True)
class QuotedSpan:
    """Quoted text inside a comment, attributed to the earlier author when the header names them."""

    start: int
    end: int
    author: str | None
    comment_count: int | None


@dataclass
class CommentRole:
    """The role of one comment plus the report parsed from its own (unquoted) text."""

    role: str
    is_ca_side: bool
    quoted: list[QuotedSpan] = field(default_factory=list)
    report: ParsedReport | None = None
    own_chars: int = 0


@dataclass(frozen=True)
class BugRoles:
    """Every comment's role, and the accounts that speak for the CA in the bug."""

    roles: list[CommentRole]
    ca_accounts: frozenset[str]


def _domain(account: str | None) -> str:
    return account.rsplit("@", 1)[-1].lower() if account and "@" in account else ""


def is_root_program(account: str | None) -> bool:
    """Whether an account belongs to a root program (shared with the metrics stage)."""
    d = _domain(account)
    return any(d == r or d.endswith("." + r) for r in ROOT_PROGRAM_DOMAINS)


def _signed_by_ca(own: str, ca_owner: str | None) -> bool:
    tail = "\n".join([ln for ln in own.splitlines() if ln.strip()][-4:])
    if _ON_BEHALF.search(tail):
        return True
    return bool(ca_owner) and len(ca_owner) >= 3 and ca_owner.lower() in tail.lower()


def is_ca_account(
    author: str | None,
    *,
    assignee: str | None = None,
    ca_accounts: Sequence[str] = (),
) -> bool:
    """Whether an account speaks for the CA: the assignee, an account that posted its reports, or an
    account from the assignee's own (non-generic, non-root-program) mail domain."""
    if not author:
        return False
    a = author.lower()
    if assignee and a == assignee.lower():
        return True
    if a in {c.lower() for c in ca_accounts}:
        return True
    d = _domain(assignee)
    return bool(d) and d not in _GENERIC_DOMAINS and _domain(author) == d and not is_root_program(author)


def classify_comment(
    text: str,
    *,
    author: str | None = None,
    posted_at: datetime | None = None,
    assignee: str | None = None,
    ca_accounts: Sequence[str] = (),
    ca_owner: str | None = None,
    authors_by_count: Mapping[int, str] | None = None,
    open_question: bool = False,
    report: ParsedReport | None = None,
) -> CommentRole:
    """Classify one comment. ``ca_accounts`` are accounts known to post the CA's reports (v3 allows
    aliases and anonymous accounts); ``open_question`` says a non-CA question is waiting for an answer."""
    text = text or ""
    by_count = authors_by_count or {}
    spans = [QuotedSpan(s, e, by_count.get(c, who) if c is not None else who, c) for s, e, who, c in quoted_spans(text)]
    own = mask_spans(text, [(q.start, q.end) for q in spans])
    if report is None:
        report = parse_report(own, posted_at)
    ca_side = is_ca_account(author, assignee=assignee, ca_accounts=ca_accounts) or (
        not is_root_program(author) and _signed_by_ca(own, ca_owner)
    )
    if report.report_type in ("preliminary", "full", "closure", "audit", "legacy"):
        role = report.report_type
        third_party = report.facts.disclosure_source == "third_party" or role == "preliminary"
        if not ca_side and not is_root_program(author) and not third_party:
            ca_side = True
    elif ca_side and report.report_type == "update":
        role = "update"
    elif not ca_side and _QUESTION_CUES.search(own):
        role = "question"
    elif ca_side and (open_question or spans):
        role = "answer"  # a reply stays an answer even when it explains a cause (the Q&A metrics count it)
    elif ca_side and report.report_type == "informal":
        role = "informal"
    elif ca_side and re.search(r"\bupdate\b|\baction items?\b|\bstatus\b", own, re.I):
        role = "update"
    else:
        role = "other"
    return CommentRole(role, ca_side, spans, report, len(own.strip()))


def _ca_accounts(
    comments: Sequence[Mapping[str, object]], roles: Sequence[CommentRole], assignee: str | None
) -> frozenset[str]:
    """The CA's accounts: the account that posts most of the CA-side reports (or the assignee), accounts of its
    mail domain and the assignee when in that domain. The per-comment guess alone mislabels a third party that
    filed a preliminary report."""
    votes: Counter[str] = Counter()
    for c, r in zip(comments, roles, strict=True):
        author = str(c.get("author") or "")
        if r.is_ca_side and author and not is_root_program(author):
            votes[author.lower()] += 3 if r.role in REPORT_ROLES else 1
    if assignee and not is_root_program(assignee) and "nobody@" not in assignee:
        votes[assignee.lower()] += 1
    if not votes:
        return frozenset()
    main = votes.most_common(1)[0][0]
    authors = {str(c.get("author") or "") for c in comments}
    return frozenset({a.lower() for a in authors if a and is_ca_account(a, assignee=main, ca_accounts=[main])} | {main})


def classify_bug(
    comments: Sequence[Mapping[str, object]],
    *,
    assignee: str | None = None,
    ca_owner: str | None = None,
) -> BugRoles:
    """Classify a bug's comments in order; ``comments`` carry ``text``, ``author``, ``count``, ``posted_at``.

    Two passes: the first finds the accounts that post reports, so later aliases count as the CA's side.
    Then the bug's CA accounts are settled from those roles, and a comment is CA-side exactly when its
    author is one of them.
    """
    authors = {int(c["count"]): str(c.get("author") or "") for c in comments}  # type: ignore[call-overload]
    first = [
        classify_comment(
            str(c.get("text") or ""),
            author=str(c.get("author") or ""),
            posted_at=c.get("posted_at"),  # type: ignore[arg-type]
            assignee=assignee,
            ca_owner=ca_owner,
            authors_by_count=authors,
        )
        for c in comments
    ]
    reporting = sorted(
        {
            str(c.get("author") or "")
            for c, r in zip(comments, first, strict=True)
            if r.is_ca_side and r.role in REPORT_ROLES and c.get("author")
        }
    )
    out: list[CommentRole] = []
    waiting = False
    for c, first_role in zip(comments, first, strict=True):
        role = classify_comment(
            str(c.get("text") or ""),
            author=str(c.get("author") or ""),
            posted_at=c.get("posted_at"),  # type: ignore[arg-type]
            assignee=assignee,
            ca_accounts=reporting,
            ca_owner=ca_owner,
            authors_by_count=authors,
            open_question=waiting,
            report=first_role.report,
        )
        waiting = role.role == "question" or (waiting and not role.is_ca_side)
        out.append(role)
    accounts = _ca_accounts(comments, out, assignee)
    for c, role in zip(comments, out, strict=True):
        role.is_ca_side = str(c.get("author") or "").lower() in accounts
    return BugRoles(out, accounts)
