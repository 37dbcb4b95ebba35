"""Failure signatures: *what* failed (a certificate field, or a service such as CRL or OCSP) and *how*
(the mechanism or control: HSM sessions, a data connector, an RA input channel, subscriber devices...),
read from an incident's own wording with a documented vocabulary.

Whole-document similarity mostly measures shared template wording; two reports about a CAA lookup and a
validity period look alike, two about an HSM session lost after maintenance may not. A signature keeps
only the words that say what broke. Two incidents are the same kind when they concern the same specific
certificate field ("the same field misissued again"), or the same class of artefact *and* the same
mechanism ("the same control failed in the same way").

Also here: what a later report says about an earlier bug it names (a different cause, or the same one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# -- vocabulary (data): name -> (class, pattern) ---------------------------------------------------------------
# A *field* is specific enough that meeting it twice is a recurrence ("the same certificate field misissued
# again"); its class is what it has in common with its neighbours (subject attributes, extensions...).
_SUBJECT_ATTRIBUTES = (
    "countryName", "stateOrProvinceName", "localityName", "organizationName", "organizationalUnitName",
    "streetAddress", "postalCode", "commonName", "jurisdictionCountryName", "jurisdictionStateOrProvinceName",
    "jurisdictionLocalityName", "businessCategory", "organizationIdentifier", "serialNumber", "givenName",
    "surname", "emailAddress",
)  # fmt: skip
FIELDS: dict[str, tuple[str, str]] = {
    **{a: ("subject", rf"\b{a}\b") for a in _SUBJECT_ATTRIBUTES},
    "keyUsage": ("extensions", r"\bkey ?usage\b|\bkeyEncipherment\b|\bdataEncipherment\b|\bdigitalSignature\b"),
    "extKeyUsage": ("extensions", r"\bextended key usage\b|\bextKeyUsage\b|\bEKU\b"),
    "basicConstraints": ("extensions", r"\bbasic ?constraints\b|\bpathLen"),
    "certificatePolicies": ("extensions", r"\bpolicy (?:OID|identifier)s?\b|\bcertificatePolicies\b"),
    "crlDistributionPoints": ("extensions", r"\bCRL Distribution Points?\b|\bCDP\b"),
    "dNSName": ("names", r"\bdNSName\b|\bSANs?\b|\bsubject ?alt(?:ernative)? ?names?\b"),
    "validity": ("validity", r"\bvalidity periods?\b|\b39[89] days\b|\bnotAfter\b"),
    "serial_entropy": ("serial", r"\bserial numbers?\b.{0,40}\b(?:entropy|bits)\b|\b6[34] bits\b"),
    "caa": ("domain_validation", r"\bCAA\b"),
    "reasonCode": ("crl", r"\breason ?codes?\b|\bkeyCompromise\b"),
    "precertificate": ("ct", r"\bpre-?certificates?\b"),
}
# An *artefact class* alone is too broad (two CRL incidents can have nothing in common): it needs a shared
# mechanism as well.
CLASSES: dict[str, str] = {
    "crl": r"\bCRLs?\b|\bcertificate revocation lists?\b",
    "ocsp": r"\bOCSP\b",
    "revocation_delay": r"\bdelayed revocation\b|\brevocation delay|\blate revocation\b|\bnot revoked within\b",
    "policy_documents": r"\bCP/CPS\b|\bCPS\b|\bcertificate policy\b|\bcertification practice statement\b",
    "audit": r"\baudit (?:statement|report|finding|delay)s?\b|\bfindings in \d{4} audit\b",
    "disclosure": r"\bCCADB\b|\bnot disclosed\b",
    "domain_validation": r"\bdomain validation\b|\brandom values?\b|\bDCV\b|\b3\.2\.2\.4\b",
    "problem_report": r"\bcertificate problem reports?\b|\bCPRs?\b",
}
# Mechanisms: where and how it failed. Detection controls that almost every report mentions (linters,
# monitoring, audits) are deliberately not mechanisms: they say why it was not caught, not what broke.
MECHANISMS: dict[str, str] = {
    "hsm_session": r"\bHSM sessions?\b|\bPKCS#11 sessions?\b|\bsession (?:pool|leak)s?\b|\b(?:key|object) handles?\b",
    "presigning": r"\bpre-?sign(?:ing|ed)\b|\bbatch[- ]sign",
    "data_connector": r"\bconnectors?\b|\baggregator\b",
    "ra_input_channel": r"\bRA (?:tool|system|form|portal|API)\b|\bweb portal\b|\border (?:form|portal)\b|"
    r"\breseller (?:REST )?API\b|\bAPI channel\b|\bform validation\b",
    "subscriber_deployment": r"\bdevices?\b|\bappliances?\b|\bencoders?\b|\bgateways?\b|\bmaintenance windows?\b|"
    r"\bsite visits?\b|\bon-site\b|\bvendor visits?\b|\bcannot be updated remotely\b",
    "document_review": r"\bannual review\b|\breview(?:ed)? (?:and updated )?(?:annually|within 365 days|every year)\b|"
    r"\bresponsible for the (?:CP|CPS|CP/CPS|policy documents?)\b",
    "shard_partition": r"\bshards?\b|\bpartition(?:s|ed)?\b",
    "dns_resolver": r"\bresolver\b|\bCNAME\b",
    "profile_template": r"\bprofile (?:mapping|template)s?\b|\btemplate fragments?\b|\bcertificate templates?\b",
    "vendor_default": r"\bvendor default\b|\bdefault setting\b",
    "replication": r"\breplication\b|\breplica\b",
}

_COMPILED = {  # attribute names are case-sensitive: "serialNumber" is not "serial number"
    "field": {n: re.compile(p, 0 if c == "subject" else re.IGNORECASE) for n, (c, p) in FIELDS.items()},
    "class": {n: re.compile(p, re.IGNORECASE) for n, p in CLASSES.items()},
    "mechanism": {n: re.compile(p, re.IGNORECASE) for n, p in MECHANISMS.items()},
}  # fmt: skip


@dataclass(frozen=True)
class Signature:
    """What failed (specific fields, and the classes they and the summary name) and how (mechanisms)."""

    fields: frozenset[str]
    classes: frozenset[str]
    mechanisms: frozenset[str]

    def terms(self) -> list[str]:
        return sorted(self.fields) + sorted(self.classes) + sorted(self.mechanisms)


def _hits(kind: str, text: str) -> frozenset[str]:
    return frozenset(n for n, p in _COMPILED[kind].items() if p.search(text))


def extract(what: str, how: str) -> Signature:
    """Signature from ``what`` (bug summary and incident description) and ``how`` (the report's own text)."""
    what, how = " ".join(what.split()), " ".join(how.split())  # hard-wrapped lines
    fields = _hits("field", what)
    classes = _hits("class", what) | {FIELDS[f][0] for f in fields}
    return Signature(fields, classes, _hits("mechanism", what + "\n" + how))


def same_kind(later: Signature, earlier: Signature) -> bool:
    """The same field again, or the same class of artefact failing through the same mechanism."""
    if later.fields & earlier.fields:
        return True
    return bool(later.classes & earlier.classes and later.mechanisms & earlier.mechanisms)


# -- what a report says about another bug ---------------------------------------------------------------------
DIFFERENT = re.compile(
    r"\bdifferent (?:root )?(?:causes?|defects?|fields?|components?|mechanisms?|failures?|problems?|issues?)\b|"
    r"\b(?:cause|defect|problem|failure|issue) (?:is|was) (?:different|unrelated)\b|\bunrelated\b|"
    r"\bnot related\b|\bnot the same\b|\bno relation\b|\bunlike (?:bug|that|the earlier|in)\b",
    re.IGNORECASE,
)
SAME = re.compile(
    r"\bsame (?:root )?(?:cause|failure(?: mode)?|defect|problem|mechanism|issue)\b|\brecurrence of\b|"
    r"\bhappened again\b|\bsame [a-z ]{0,20}again\b",
    re.IGNORECASE,
)
_BUG_REF = re.compile(r"(?:\bbug\s*#?\s*|show_bug\.cgi\?id=|^\s*\|\s*)\d{5,8}\b", re.IGNORECASE | re.MULTILINE)
# sections that describe other incidents or the fixes (new systems named there are not where it failed)
_SKIPPED_HEADING = re.compile(
    r"^\W*(?:\d+\.\s*)?(?:(?:related|previous|similar) (?:incidents?|bugs?|issues?)|action items?|"
    r"steps to (?:resolve|prevent)[^\n]*|remediation(?: plan| steps| actions)?|corrective actions?|next steps)\W*$",
    re.IGNORECASE | re.MULTILINE,
)
_HEADING = re.compile(r"^\W*(?:\d+\.\s*)?(?:related|previous|similar) (?:incidents?|bugs?|issues?)\W*$",
                              re.IGNORECASE | re.MULTILINE)  # fmt: skip
_HEADING = re.compile(r"^\s*(?:#{1,6}\s+\S|\*\*[^*\n]{3,80}\*\*\s*$|\d+\.\s+[A-Z])", re.MULTILINE)


def passages(text: str) -> list[str]:
    """Paragraphs, with each table row and list item on its own (a Related Incidents row is one statement)."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = block.splitlines()
        if any(re.match(r"\s*(?:\||[-*]\s)", line) for line in lines):
            out.extend(line for line in lines if line.strip())
        elif block.strip():
            out.append(block)
    return out


def statement_about(texts: list[str], bug_id: int) -> str | None:
    """``different`` when a passage naming ``bug_id`` says its cause or defect was different, ``same`` when
    it says it was the same failure, else None (named without a verdict, or not named)."""
    pattern = re.compile(rf"(?<!\d){bug_id}(?!\d)")
    verdicts = set()
    for text in texts:
        for passage in passages(text):
            passage = " ".join(passage.split())  # hard-wrapped lines
            if pattern.search(passage):
                verdicts.add("different" if DIFFERENT.search(passage) else "same" if SAME.search(passage) else None)
    return "different" if "different" in verdicts else "same" if "same" in verdicts else None


def own_account(text: str) -> str:
    """The report's account of its own failure: without the Related Incidents and action-item sections and
    without passages citing a bug number (those describe another incident, or the fix, not what failed)."""
    kept, pos = [], 0
    for match in _SKIPPED_HEADING.finditer(text):
        if match.start() < pos:
            continue
        kept.append(text[pos : match.start()])
        following = _HEADING.search(text, match.end())
        pos = following.start() if following else len(text)
    kept.append(text[pos:])
    return "\n\n".join(p for p in passages("\n\n".join(kept)) if not _BUG_REF.search(p))


_DESCRIPTION = re.compile(r"^\W*incident description\W*:?\**\s*:?\s*(.+)$", re.IGNORECASE | re.MULTILINE)


def description(text: str) -> str:
    """The report's "Incident description" lines (the template's one-paragraph statement of what failed)."""
    return "\n".join(m.group(1) for m in _DESCRIPTION.finditer(text))
