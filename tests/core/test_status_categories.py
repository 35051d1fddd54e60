"""sectrans_status_category (1.1; header: "status categories"): every status
of enum sectrans_status_code has the category the header documents, any
other number is SECTRANS_CATEGORY_UNKNOWN, and the function never fails.

The expected table below is written out by hand from the header's comment,
not derived from the library: a change of category is an ABI-visible change
of meaning and must change this file too.
"""

import os
import re

import paths
import pytest
from helpers import st

C = {
    name[len("SECTRANS_CATEGORY_") :]: getattr(st, name)
    for name in dir(st)
    if name.startswith("SECTRANS_CATEGORY_")
}

EXPECTED = {
    "SUCCESS": [0],
    "WOULD_BLOCK": [-9803],
    "BREAK": [-9841, -9842, -9851],
    "CLOSED": [-9805, -9806, -9816],
    "CERTIFICATE": [-9807, -9812, -9813, -9814, -9815, -9843, -67818, -67820],
    "IO": [-36, -9844, -9852, -9853],
    "CONFIGURATION": [-9848, -9854, -9818, -9808, -26275, -25293],
    "PARAMETER": [-50, -909, -9817, -4],
    "RESOURCE": [-108],
    "INTERNAL": [-9810, -9811],
    "PROTOCOL": [-9800, -9801, -9802, -9804, -9809, -9830, -9845, -9846, -9847, -9849, -9850, -9890]
    + list(range(-9840, -9818))  # -9819..-9840: the peer's alerts
    + list(range(-9865, -9854)),  # -9855..-9865: the TLS 1.3-era alerts
}
# -9830 errSSLIllegalParam sits inside -9819..-9840 (an alert too).
EXPECTED["PROTOCOL"] = sorted(set(EXPECTED["PROTOCOL"]))


def _header_statuses():
    text = open(os.path.join(paths.REPO, "core", "include", "sectrans", "sectrans.h")).read()
    body = text[text.index("enum sectrans_status_code {") :]
    body = body[: body.index("};")]
    return {name: int(value) for name, value in re.findall(r"(SECTRANS_\w+) = (-?\d+)", body)}


def test_the_categories_are_the_documented_enum():
    assert C == {
        "SUCCESS": 0,
        "WOULD_BLOCK": 1,
        "BREAK": 2,
        "CLOSED": 3,
        "CERTIFICATE": 4,
        "PROTOCOL": 5,
        "IO": 6,
        "CONFIGURATION": 7,
        "PARAMETER": 8,
        "RESOURCE": 9,
        "INTERNAL": 10,
        "UNKNOWN": 11,
    }


def test_expected_table_covers_every_status_once():
    listed = [code for codes in EXPECTED.values() for code in codes]
    assert len(listed) == len(set(listed))
    assert sorted(listed) == sorted(_header_statuses().values())


@pytest.mark.parametrize(
    "category,status",
    [(category, code) for category, codes in EXPECTED.items() for code in codes],
)
def test_every_status_has_its_category(category, status):
    got = st.sectrans_status_category(status)
    assert got == C[category], "%s (%d): %d" % (st.sectrans_status_string(status), status, got)


@pytest.mark.parametrize(
    "status", [1, 2, -1, -9799, -9866, -9889, -9891, -67819, 12345, 2**31 - 1, -(2**31)]
)
def test_unknown_numbers_are_unknown(status):
    assert st.sectrans_status_string(status) == "unknown status"
    assert st.sectrans_status_category(status) == C["UNKNOWN"]


def test_peer_alerts_about_our_certificate_are_protocol():
    # The peer refusing *our* certificate is not a verification failure of
    # ours: bindings raise their certificate error only for CERTIFICATE.
    for status in (
        st.SECTRANS_ERR_PEER_BAD_CERT,
        st.SECTRANS_ERR_PEER_UNSUPPORTED_CERT,
        st.SECTRANS_ERR_PEER_CERT_REVOKED,
        st.SECTRANS_ERR_PEER_CERT_EXPIRED,
        st.SECTRANS_ERR_PEER_CERT_UNKNOWN,
        st.SECTRANS_ERR_PEER_UNKNOWN_CA,
        st.SECTRANS_ERR_CERTIFICATE_REQUIRED,
    ):
        assert st.sectrans_status_category(status) == C["PROTOCOL"]
