"""The C programs in tests/c: what only C can check.

- callback_transport: the Apple callback contract over a one-byte channel,
  callback faults, and lengths Python cannot express.
- coexistence: sectrans in a process linked to OpenSSL 3, which loaded
  first; run under LD_DEBUG=bindings to prove neither BoringSSL nor
  libsectrans bound a single symbol into OpenSSL.
- wrong_handles: every public function given a handle of the wrong kind
  (and Apple's SSLSetCertificate / SecTrustCreateWithCertificates with an
  identity and a certificate swapped): -50, never a crash.
- keylog: a key log callback set on a context rather than its config.
- write_then_close: a client that writes 16 MiB over TCP and closes loses
  nothing (repeated rounds), and a reset reaches the reader as an error.
- load: one epoll loop holding 1,000 TLS connections (both ends) that each
  move 1 MiB both ways and close with close_notify, then the same with one
  client in ten resetting: every byte checked, the resets seen as errors,
  descriptors and heap in use back to their start.

Each one (and `sectrans demo`, the threaded fd-transport path) also runs
under valgrind: zero errors, zero bytes definitely lost.

CMake builds the programs into <build>/tests/c (tests/c/CMakeLists.txt,
option SECTRANS_BUILD_TESTS, default ON).
"""

import os
import re
import shutil
import subprocess

import paths
import pytest

SUPPRESSIONS = paths.VALGRIND_SUPPRESSIONS
TIMEOUT = 120
VALGRIND_TIMEOUT = 600

PROGRAMS = [
    "callback_transport",
    "coexistence",
    "wrong_handles",
    "keylog",
    "write_then_close",
    "load",
]
# Arguments under valgrind, where a smaller run takes the same paths.
VALGRIND_ARGS = {"write_then_close": ["1", "1"], "load": ["20", "65536"]}

BINDING = re.compile(
    r"binding file (?P<source>\S+) \[\d+\] to (?P<target>\S+) \[\d+\]: "
    r"\S+ symbol `(?P<symbol>[^']+)'"
)
OPENSSL = re.compile(r"/lib(ssl|crypto)\.so\.3$")
BORINGSSL_OR_SECTRANS = re.compile(r"/android/lib(ssl|crypto)\.so\.0$|/libsectrans\.so(\.\d+)*$")


def links_boringssl(build_dir):
    """A sanitizer build links BoringSSL directly (ASan refuses
    RTLD_DEEPBIND): coexistence with OpenSSL is then knowingly broken."""
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt")) as cache:
            return (
                re.search(r"^SECTRANS_LINK_BORINGSSL:BOOL=(ON|TRUE|1)$", cache.read(), re.M | re.I)
                is not None
            )
    except OSError:
        return False


def program_path(build_dir, name):
    if name == "coexistence" and links_boringssl(build_dir):
        # A skip would fail CI all the same: the sanitizer stage
        # (scripts/sanitize.sh) deselects the coexistence tests instead.
        pytest.fail(
            "SECTRANS_LINK_BORINGSSL build: BoringSSL is linked, so it cannot "
            "coexist with OpenSSL by design; deselect the coexistence tests "
            "(as scripts/sanitize.sh does)",
            pytrace=False,
        )
    path = os.path.join(build_dir, "tests", "c", name)
    if not os.access(path, os.X_OK):
        pytest.fail(
            "%s is missing: configure with tests/c included and "
            "SECTRANS_BUILD_TESTS=ON, then build" % path,
            pytrace=False,
        )
    return path


def run(argv, **kwargs):
    kwargs.setdefault("timeout", TIMEOUT)
    return subprocess.run(argv, capture_output=True, text=True, **kwargs)


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_passes(build_dir, name):
    result = run([program_path(build_dir, name)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all checks passed" in result.stdout


# ---- OpenSSL 3 in the same process ------------------------------------------


def read_bindings(tmp_path, argv):
    """Runs argv under LD_DEBUG=bindings; returns (result, bindings)."""
    prefix = tmp_path / "ld-debug"
    env = dict(os.environ, LD_DEBUG="bindings", LD_DEBUG_OUTPUT=str(prefix))
    result = run(argv, env=env)
    # The loader writes one file per process: <prefix>.<pid>.
    text = "".join(p.read_text(errors="replace") for p in tmp_path.glob("ld-debug.*"))
    return result, [m.groupdict() for m in BINDING.finditer(text)]


def test_coexistence_binds_nothing_into_openssl(build_dir, tmp_path):
    program = program_path(build_dir, "coexistence")
    result, bindings = read_bindings(tmp_path, [program])
    # First, as mixed libraries usually crash the program: say why.
    leaks = [
        "%s -> %s: %s" % (b["source"], b["target"], b["symbol"])
        for b in bindings
        if BORINGSSL_OR_SECTRANS.search(b["source"]) and OPENSSL.search(b["target"])
    ]
    assert leaks == []
    assert result.returncode == 0, result.stdout + result.stderr

    # The check is live: the program bound into OpenSSL 3, and BoringSSL
    # was loaded and resolved symbols in this very process.
    assert any(
        b["source"].endswith("/coexistence") and OPENSSL.search(b["target"]) for b in bindings
    )
    assert any("/android/libssl.so.0" in b["source"] for b in bindings)


# ---- valgrind ----------------------------------------------------------------


def valgrind(tmp_path, argv):
    """Runs argv under memcheck; returns (result, report text)."""
    if shutil.which("valgrind") is None:
        pytest.fail("valgrind is not installed", pytrace=False)
    log = tmp_path / "valgrind.log"
    command = [
        "valgrind",
        "--leak-check=full",
        "--errors-for-leak-kinds=definite",
        "--error-exitcode=99",
        "--suppressions=" + SUPPRESSIONS,
        "--log-file=" + str(log),
    ]
    result = run(command + argv, timeout=VALGRIND_TIMEOUT)
    return result, log.read_text(errors="replace")


def assert_clean(result, report):
    assert result.returncode == 0, result.stdout + result.stderr + report
    errors = re.search(r"ERROR SUMMARY: (\d+) errors", report)
    assert errors and errors.group(1) == "0", report
    lost = re.search(r"definitely lost: ([\d,]+) bytes", report)
    # With nothing left at exit, valgrind prints no leak summary at all.
    assert (lost and lost.group(1) == "0") or "no leaks are possible" in report, report


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_is_valgrind_clean(build_dir, tmp_path, name):
    argv = [program_path(build_dir, name)] + VALGRIND_ARGS.get(name, [])
    assert_clean(*valgrind(tmp_path, argv))


def test_demo_is_valgrind_clean(build_dir, tmp_path):
    # The demo adds what the programs lack: threads and the fd transport.
    # ECDSA, because RSA key generation under valgrind takes ~20 s.
    command = os.path.join(build_dir, "cli", "sectrans")
    assert_clean(*valgrind(tmp_path, [command, "demo", "--key-type", "ecdsa"]))
