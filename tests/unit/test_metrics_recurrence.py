"""Failure signatures and what a report says about an earlier bug it names (metrics/signatures.py)."""

from __future__ import annotations

from ca_incidents.metrics.signatures import description, extract, own_account, same_kind, statement_about


def test_fields_are_read_from_the_summary_and_attribute_names_are_case_sensitive() -> None:
    sig = extract("EV certificates with the branch serialNumber instead of the head office", "")
    assert sig.fields == {"serialNumber"} and sig.classes == {"subject"}
    entropy = extract("Serial numbers with 63 bits of entropy", "")
    assert entropy.fields == {"serial_entropy"} and "serialNumber" not in entropy.fields
    assert extract("ECDSA certificates with keyEncipherment", "").fields == {"keyUsage"}
    assert extract("CRL not reissued before nextUpdate", "").fields == frozenset()
    assert extract("CRL not reissued before nextUpdate", "").classes == {"crl"}


def test_mechanisms_come_from_the_report_text() -> None:
    sig = extract("CRL not published after maintenance", "The signer kept its HSM sessions after the\nfailover.")
    assert sig.mechanisms == {"hsm_session"}
    devices = extract("Delayed revocation of 12 certificates", "Kiosk devices cannot be updated remotely.")
    assert devices.classes == {"revocation_delay"} and devices.mechanisms == {"subscriber_deployment"}
    # a linter or monitor that did not catch it is detection, not the failing mechanism
    assert extract("OV certificates with a wrong localityName", "Our linter had no rule.").mechanisms == frozenset()


def test_same_field_is_enough_a_shared_class_needs_a_shared_mechanism() -> None:
    a = extract("OV certificates with wrong stateOrProvinceName", "The register connector mapped the wrong field.")
    b = extract("stateOrProvinceName holds city names", "A clerk typed the value.")
    assert same_kind(b, a)
    c = extract("OV certificates with a placeholder in localityName", "The RA portal accepted any value.")
    d = extract("organizationName with a trailing space", "Operators pasted it into the RA form.")
    e = extract("organizationalUnitName not removed", "Validation staff did not notice it.")
    assert same_kind(d, c) and not same_kind(e, c)
    crl_hsm = extract("CRL shards expired", "the worker cached its PKCS#11 session")
    crl_shard = extract("Revoked certificates missing from the CRL", "an off-by-one in the computation")
    assert not same_kind(crl_shard, crl_hsm)


def test_own_account_leaves_out_other_bugs_and_the_fixes() -> None:
    text = (
        "### Summary\n\nThe responder lost its replication feed.\n\n### Related Incidents\n\n"
        "| Bug | Date | Description |\n|---|---|---|\n| 1234567 | 2020-01-01 | HSM sessions lost after failover |\n\n"
        "### Root Cause Analysis\n\nIn bug 1234568 the cause was a vendor default setting. The consumer stalled.\n\n"
        "### Action Items\n\n- Move issuance to the new RA portal\n"
    )
    own = own_account(text)
    assert "replication" in own and "consumer stalled" not in own  # the passage citing a bug goes whole
    assert extract("OCSP unknown", own).mechanisms == {"replication"}
    assert description('- **Incident description**: 22 OV certificates had "." as localityName.\n') == (
        '22 OV certificates had "." as localityName.'
    )


def test_a_report_saying_the_earlier_bug_had_another_cause_drops_it() -> None:
    row = "| 7654321 | 2025-01-02 | The earlier key usage bug: a different field, with a different cause. |"
    assert statement_about([row], 7654321) == "different"
    wrapped = "Our earlier OCSP incident, bug 7654321, was\ncaused by a setting. The cause is\ndifferent here."
    assert statement_about([wrapped], 7654321) == "different"
    assert statement_about(["Bug 7654321 (2024): the same failure mode in the same service."], 7654321) == "same"
    assert statement_about(["See bug 7654321 for the audit letter."], 7654321) is None
    assert statement_about(["Bug 76543210 is unrelated."], 7654321) is None  # another number
