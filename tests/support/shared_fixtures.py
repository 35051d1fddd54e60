"""The fixtures shared by every suite in tests/ (a plugin of
tests/conftest.py, which also sets up sys.path).

- The build tree: SECTRANS_BUILD_DIR (default <repo>/build; see paths.py).
  Tests that need the module import helpers (or use the `st` fixture),
  which fail with a message saying how to build it.
- Certificates: the session fixture `pki` (support/pki.py) makes a test root,
  an intermediate and the leaves once per session, in a temporary directory.
  Per-leaf fixtures (`leaf_rsa2048`, `leaf_expired`, ...) return one
  pki.Leaf; `server_leaf` is parametrized over the four key types.
"""

import os

import pki as _pki
import pytest
from paths import BUILD_DIR, PYTHON_DIR


def pytest_report_header(config):
    module = os.path.join(PYTHON_DIR, "sectrans")
    found = os.path.isdir(module) and any(
        name.startswith("_sectrans") and name.endswith(".so") for name in os.listdir(module)
    )
    return "sectrans build dir: %s (python module %s)" % (
        BUILD_DIR,
        "found" if found else "MISSING: build it first",
    )


@pytest.fixture(scope="session")
def st():
    """The low-level module sectrans._sectrans (fails clearly if missing)."""
    try:
        import helpers
    except ImportError as e:
        pytest.fail(str(e), pytrace=False)
    return helpers.st


@pytest.fixture(scope="session")
def build_dir():
    return BUILD_DIR


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    """Every test CA and leaf (see tests/support/pki.py), made once per session."""
    return _pki.Pki(str(tmp_path_factory.mktemp("pki")))


def _leaf_fixture(name):
    @pytest.fixture(scope="session")
    def fixture(pki):
        return pki.leaves[name]

    fixture.__doc__ = "pki.leaves[%r]" % name
    return fixture


for _name in _pki.LEAF_NAMES:
    globals()["leaf_" + _name] = _leaf_fixture(_name)


@pytest.fixture(scope="session", params=_pki.SERVER_KEY_TYPES)
def server_leaf(request, pki):
    """A server leaf of each key type in turn (rsa2048, ecdsa_p256, ...)."""
    return pki.leaves[request.param]


@pytest.fixture
def reap():
    """Registers peer processes (anything with .kill()): `reap(proc)`
    returns proc, and every registered process is killed at teardown."""
    procs = []

    def register(proc):
        procs.append(proc)
        return proc

    yield register
    for proc in procs:
        proc.kill()


# SSLProtocol values (Apple's numbers, fixed by the ABI); the module is not
# imported at collection so that a missing build fails in the `st` fixture.
@pytest.fixture(params=[8, 10], ids=["tls12", "tls13"])
def version(request):
    """Each TLS version sectrans speaks: SECTRANS_PROTOCOL_TLS12 (8) and
    SECTRANS_PROTOCOL_TLS13 (10)."""
    return request.param


@pytest.fixture(scope="module")
def sectrans_cmd(build_dir):
    """The built `sectrans` command."""
    path = os.path.join(build_dir, "cli", "sectrans")
    if not os.access(path, os.X_OK):
        pytest.fail("%s is missing: build the tree first" % path, pytrace=False)
    return path
