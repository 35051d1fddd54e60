"""The Go binding's own suite (bindings/go): `go vet`, `go test -race`,
and `go test` again with GODEBUG=cgocheck=1, each failing this test when it
fails."""

from gorun import BINDING_DIR, go


def test_go_vet(build_dir):
    go(build_dir, ["vet", "./..."], BINDING_DIR)


def test_go_test_race(build_dir):
    out = go(
        build_dir,
        ["test", "-race", "-count=1", "-timeout", "240s", "./..."],
        BINDING_DIR,
        timeout=300,
    )
    assert "ok  \tsectrans" in out, out


def test_go_test_cgocheck(build_dir):
    out = go(
        build_dir,
        ["test", "-count=1", "-timeout", "240s", "-v", "./..."],
        BINDING_DIR,
        env={"GODEBUG": "cgocheck=1"},
        timeout=300,
    )
    assert "--- PASS: TestDroppedConnectionsAreFreed" in out, out
    assert "--- FAIL" not in out, out
