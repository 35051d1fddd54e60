"""Trust stores and peer chains over the low-level module: what the
ssl-shaped classes and ``sectrans.transport`` both build and read."""

from __future__ import annotations

from typing import Any, Iterable, List, Tuple

from . import _sectrans as _st
from ._errors import check


def store_of_pems(pems: Iterable[bytes]) -> Any:
    """A new trust store holding the certificates of each PEM text; raises
    SSLError for the first one the library cannot parse."""
    return store_of_anchors(("pem", pem) for pem in pems)


def store_of_anchors(anchors: Iterable[Tuple[str, Any]]) -> Any:
    """A new trust store from (kind, value) pairs: ("pem", PEM bytes),
    ("der", one DER certificate) or ("dir", a CA directory path, read by
    the library's one rule: hashed names, *.pem, *.crt). Raises SSLError
    for the first one the library refuses."""
    status, store = _st.sectrans_trust_store_create()
    check(status)
    for kind, value in anchors:
        if kind == "dir":
            check(_st.sectrans_trust_store_add_directory(store, value)[0])
        elif kind == "der":
            check(_st.sectrans_trust_store_add_der(store, value))
        else:
            check(_st.sectrans_trust_store_add_pem(store, value))
    return store


def chain_der(trust: Any) -> List[bytes]:
    """The certificates of a trust (the chain as the peer sent it, leaf
    first), as DER."""
    count = _st.sectrans_trust_get_certificate_count(trust)[1] or 0
    return [
        _st.sectrans_certificate_copy_der(_st.sectrans_trust_copy_certificate(trust, i)[1])[1]
        for i in range(count)
    ]
