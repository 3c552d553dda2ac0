"""`core/platform/first_use.py`: a deferred module runs its body at its first attribute read,
once, whole (a second thread waits for it), and a body that raises is a failed import; asyncio
imported under `defer` loads no `ssl` until TLS is asked, and its TLS then works. Each check in
a fresh interpreter (this one has `ssl` loaded)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.servers.tls import ScratchCa

ROOT = Path(__file__).resolve().parents[2]


def fresh(code: str, *paths: Path) -> str:
    """`code` in a fresh interpreter with the checkout and `paths` importable; its stdout."""
    path = ":".join(map(str, (ROOT, *paths)))
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": path, "PATH": "/usr/bin:/bin"},
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_the_body_runs_at_the_first_attribute_read_not_at_import(tmp_path: Path) -> None:
    body = "import builtins\nbuiltins.RUNS = getattr(builtins, 'RUNS', 0) + 1\nX = 1\n"
    (tmp_path / "counted.py").write_text(body)
    (tmp_path / "listed.py").write_text("X = 1\n")
    out = fresh(
        """
        import builtins, sys, types
        from core.platform.first_use import defer, waiting
        defer(["counted"])
        import counted
        import counted as again  # the import system reads __spec__ of a module it has
        from importlib import import_module
        import_module("counted")
        print(getattr(builtins, "RUNS", 0), counted is again, counted.__name__, waiting())
        x = counted.X
        loader = counted.__loader__.__class__.__name__
        print(x, builtins.RUNS, type(counted) is types.ModuleType, loader, waiting())
        defer(["listed"])
        import listed
        print("X" in vars(listed), waiting())
        """,
        tmp_path,
    )
    assert out.split("\n") == [
        "0 True counted ['counted']",
        "1 1 True SourceFileLoader []",
        "True []",  # vars() is the whole module
        "",
    ]


def test_a_second_thread_waits_for_the_whole_module(tmp_path: Path) -> None:
    (tmp_path / "slow.py").write_text(
        "import builtins, time\nbuiltins.STARTED = True\ntime.sleep(0.3)\nVALUE = 42\n"
    )
    out = fresh(
        """
        import builtins, threading, time
        from core.platform.first_use import defer
        defer(["slow"])
        import slow
        seen, failed = [], []
        def read():
            try:
                seen.append(slow.VALUE)
            except Exception as exc:
                failed.append(repr(exc))
        threads = [threading.Thread(target=read) for _ in range(4)]
        threads[0].start()
        while not getattr(builtins, "STARTED", False):  # the first reader runs the body
            time.sleep(0.001)
        for thread in threads[1:]:
            thread.start()
        for thread in threads:
            thread.join()
        print(seen, failed)
        """,
        tmp_path,
    )
    assert out.strip() == "[42, 42, 42, 42] []"


def test_a_body_that_raises_is_a_failed_import(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("raise ValueError('no')\n")
    out = fresh(
        """
        import sys
        from core.platform.first_use import defer
        defer(["broken"])
        import broken
        try:
            broken.anything
        except ValueError as exc:
            print("raised", exc, "broken" in sys.modules)
        try:
            import broken
        except ValueError as exc:
            print("again", exc)
        """,
        tmp_path,
    )
    assert out.split("\n") == ["raised no False", "again no", ""]


def test_a_module_already_imported_is_left_as_it_is() -> None:
    out = fresh(
        """
        import json, sys, types
        from core.platform.first_use import defer
        defer(["json"])
        import json
        print(type(json) is types.ModuleType, len(sys.meta_path))
        """
    )
    assert out.split()[0] == "True"


@pytest.fixture(scope="module")
def scratch_ca(tmp_path_factory: pytest.TempPathFactory) -> ScratchCa:
    return ScratchCa.make(tmp_path_factory.mktemp("ca"))


def test_asyncio_loads_no_ssl_until_tls_is_asked_and_its_tls_works(scratch_ca: ScratchCa) -> None:
    """What `gui/launch.py` does for a command: asyncio imported without libssl, then an
    asyncio TLS server and client on loopback (`start_server`/`open_connection` with
    `ssl=`: `asyncio.sslproto`), and `start_tls` on a plain connection."""
    out = fresh(
        f"""
        import sys
        from core.platform.first_use import defer
        defer(("ssl", "asyncio.sslproto"))
        import asyncio
        import ssl
        print("before", "_ssl" in sys.modules)

        async def main():
            server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            server_side.load_cert_chain({str(scratch_ca.server_cert)!r}, {str(scratch_ca.server_key)!r})
            client_side = ssl.create_default_context(cafile={str(scratch_ca.ca_cert)!r})

            async def echo(reader, writer):
                writer.write(await reader.readline())
                await writer.drain()
                writer.close()

            server = await asyncio.start_server(echo, "127.0.0.1", 0, ssl=server_side)
            port = server.sockets[0].getsockname()[1]
            reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=client_side)
            writer.write(b"over tls\\n")
            line = (await reader.readline()).decode().strip()
            print("echo", line, writer.get_extra_info("cipher") is not None)
            writer.close()
            try:
                await asyncio.open_connection("127.0.0.1", port, ssl=ssl.create_default_context())
            except ssl.SSLCertVerificationError:
                print("untrusted refused")
            server.close()
            await server.wait_closed()

        asyncio.run(main())
        print("after", "_ssl" in sys.modules, type(sys.modules["asyncio.sslproto"]).__name__)
        """
    )
    assert out.split("\n") == [
        "before False",
        "echo over tls True",
        "untrusted refused",
        "after True module",
        "",
    ]
