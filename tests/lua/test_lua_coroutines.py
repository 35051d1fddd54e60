"""The Lua binding under a coroutine scheduler: 20 connections interleaved
through socket.select on the wrapped objects, non-blocking calls returning
wantread/wantwrite, and dirty() seen by socket.select."""

from luarun import leaf_env, run_script


def test_twenty_connections_under_a_coroutine_scheduler(build_dir, pki):
    run_script(build_dir, "scheduler.lua", leaf_env(pki, pki.ecdsa_p256))
