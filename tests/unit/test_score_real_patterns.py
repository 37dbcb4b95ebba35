"""The failure patterns issue 9 reported on real reports, paraphrased in our own words: each must now be judged as
the labelling guideline says, through the lint path (one-unit documents)."""

from __future__ import annotations

import pytest

from ca_incidents.score.nlp import DocCache, load
from ca_incidents.score.unit_documents import action_item_document, fired, root_cause_document

ACTIONS = [  # (item, due cell, vague, missing timebound)
    ("We will revoke the affected certificates no later than 2031-03-14.", "", 0, 0),
    ("Revocation will happen on Friday 14 March 2031 at 18:00 UTC.", "", 0, 0),
    ("Deploy the new CAA checker by April 30.", "", 0, 0),
    ("Migration of the responders, target date 30.06.2031.", "", 0, 0),
    ("The CRL job rewrite is planned for Q3 2031.", "", 0, 0),
    ("We disabled domain validation method 3.2.2.4.7 in the RA system for all customers.", "", 0, 1),
    ("A software update that blocks issuance of certificates whose CN exceeds 64 characters was deployed.", "", 0, 1),
    ("All affected CRL files were re-encoded to DER and republished.", "", 0, 1),
    ("We added a mail-filter rule that routes problem reports to the on-call queue.", "", 0, 1),
    ("We will enhance our internal monitoring processes.", "Ongoing", 1, 1),
    ("Continue to strengthen our compliance procedures.", "TBD", 1, 1),
    ("Remind the validation team to pay attention.", "Done", 1, 1),
    ("Review our processes.", "Quarterly", 1, 1),
]
CAUSES = [  # (passage, bug title, restated, human error only)
    ("Under sustained issuance the log socket saturated and the logger silently dropped entries.",
     "Missing audit log entries", 0, 0),
    ("The serial number generator of our CA software behaves in an undocumented way when its entropy source is "
     "reinitialised.", "Insufficient serial number entropy", 0, 0),
    ("The linter was misconfigured and skipped the extension check.", "Certificates with invalid extension", 0, 0),
    ("The root cause of this incident was that certificates were issued containing an invalid policy qualifier.",
     "Certificates with invalid policy qualifier", 1, 0),
    ("The root cause is that the sub-CA was not disclosed within 7 days.", "Failure to disclose sub-CA", 1, 0),
    ("An operator ignored the expiry notification.", "Expired OCSP responder certificate", 0, 1),
    ("Staff selected the wrong value in the profile form.", "Wrong organizationName", 0, 1),
    ("A typo in the subject was missed in review.", "Typo in subject", 0, 1),
    ("It was an oversight by our team.", "Late CCADB disclosure", 0, 1),
    ("The portal mailed a renewal reminder, but the domain owner on our side ignored it.", "Expired domain", 0, 1),
    ("The organisation check was performed incorrectly by the vetting agent.", "Wrong jurisdiction fields", 0, 1),
    ("Our clerk mistakenly swapped two address fields and the reviewer didn\u2019t notice.", "Swapped", 0, 1),
    ("Validation staff lacked training, and a lack of strict review controls during the migration let it pass.",
     "Improper validation", 0, 0),
    ("We overlooked the ballot's change, and an outdated version of our linter did not know the new rule either.",
     "Forbidden policy qualifier", 0, 0),
    ("An operator selected the wrong profile because the form pre-selects the last used profile and there is no "
     "second review.", "Wrong profile", 0, 0),
]  # fmt: skip


@pytest.fixture(scope="module")
def cache() -> DocCache:
    nlp = load()
    return DocCache(lambda: nlp)


@pytest.mark.parametrize(("text", "due", "vague", "undated"), ACTIONS)
def test_action_item_pattern(cache: DocCache, text: str, due: str, vague: int, undated: int) -> None:
    (got,) = fired([action_item_document(text, due)], ["vague-action", "missing-timebound"], cache)
    assert (got["vague-action"], got["missing-timebound"]) == (vague, undated)


@pytest.mark.parametrize(("text", "title", "restated", "human"), CAUSES)
def test_root_cause_pattern(cache: DocCache, text: str, title: str, restated: int, human: int) -> None:
    (got,) = fired([root_cause_document(text, title)], ["restated-root-cause", "human-error-root-cause"], cache)
    assert (got["restated-root-cause"], got["human-error-root-cause"]) == (restated, human)
