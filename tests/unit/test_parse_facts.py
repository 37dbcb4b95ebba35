"""Facts and references."""

from ca_incidents.parse import parse_report

FULL = """## Full Incident Report
### Summary
- **Relevant policies**: TLS BR section 7.1.2.3, RFC 5280 section 4.2.1.3 and MRSP §6.1.3
- **Source of incident disclosure**: Third Party Reported
### Impact
- **Total number of certificates**: 1,204
- **Total number of "remaining valid" certificates**: 310
- **Was issuance stopped in response to this incident, and why or why not?**: No, the profile was fixed first.
### Related Incidents
| Bug | Date | Description |
|---|---|---|
| 1912345 | 2024-01-02 | similar |
See https://bugzilla.mozilla.org/show_bug.cgi?id=1923456 and https://crt.sh/?id=987654321.
"""


def test_v3_fields() -> None:
    f = parse_report(FULL).facts
    assert (f.total_certificates, f.remaining_valid, f.issuance_stopped, f.disclosure_source) == (
        1204,
        310,
        False,
        "third_party",
    )


def test_references() -> None:
    refs = {(r.kind, r.value) for r in parse_report(FULL).references}
    assert {
        ("policy", "BR 7.1.2.3"),
        ("policy", "RFC 5280 4.2.1.3"),
        ("policy", "MRSP 6.1.3"),
        ("bug", "1912345"),
        ("bug", "1923456"),
        ("crtsh", "https://crt.sh/?id=987654321"),
    } <= refs


def test_reference_offsets_cover_the_citation() -> None:
    rep = parse_report(FULL)
    for r in rep.references:
        assert r.value.split()[-1].rstrip(".") in FULL[r.start : r.end] or r.kind == "policy"


def test_legacy_issuance_stopped_answer() -> None:
    text = (
        "1. How we became aware\nmail\n2. Timeline\n2020-01-01 x\n3. Whether issuance has stopped\n"
        "We stopped issuance at 10:00.\n4. Summary of certificates\n42 certificates were affected.\n"
    )
    f = parse_report(text).facts
    assert f.issuance_stopped is True and f.total_certificates == 42
