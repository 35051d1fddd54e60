"""Certificate objects of the Lua binding: pem, der, subject, issuer,
digest, notbefore, notafter, validat, extensions, loadcertificate."""

from luarun import leaf_env, run_script


def asn1_time(when):
    """OpenSSL's ASN1_TIME_print form, which LuaSec returns."""
    return when.strftime("%b ") + "%2d" % when.day + when.strftime(" %H:%M:%S %Y GMT")


def test_certificate_fields(build_dir, pki):
    leaf = pki.ecdsa_p256
    env = dict(
        leaf_env(pki, leaf),
        LEAF_FILE=leaf.leaf_file,
        LEAF_SUBJECT=leaf.subject,
        LEAF_ISSUER=leaf.issuer,
        LEAF_SHA256=leaf.sha256.hex(),
        LEAF_NOT_BEFORE=asn1_time(leaf.cert.not_valid_before_utc),
        LEAF_NOT_AFTER=asn1_time(leaf.cert.not_valid_after_utc),
    )
    run_script(build_dir, "certificate.lua", env)
