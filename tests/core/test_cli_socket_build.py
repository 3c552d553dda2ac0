"""`build_identity`: what a CLI and the engine it asks compare to know they run the same code."""

from __future__ import annotations

import os
from pathlib import Path

from core.cli_socket import CORE, PROTOCOL, build_identity, current_umask, git_environment


def package(root: Path) -> Path:
    (root / "pkg" / "sub").mkdir(parents=True)
    (root / "pkg" / "a.py").write_text("A = 1\n")
    (root / "pkg" / "sub" / "b.py").write_text("B = 2\n")
    return root / "pkg"


def test_the_same_files_are_the_same_build(tmp_path: Path) -> None:
    pkg = package(tmp_path)
    first = build_identity(pkg, "0.1.0")
    (pkg / "__pycache__").mkdir()
    (pkg / "__pycache__" / "a.cpython-312.pyc").write_bytes(b"x")  # compiled: the same code
    (pkg / "notes.txt").write_text("not code\n")
    assert build_identity(pkg, "0.1.0") == first
    assert first.startswith(f"{PROTOCOL}/0.1.0/")
    assert build_identity(pkg, "0.1.1") != first


def test_any_change_to_the_code_is_another_build(tmp_path: Path) -> None:
    pkg = package(tmp_path)
    seen = {build_identity(pkg, "0.1.0")}
    b = pkg / "sub" / "b.py"
    stat = b.stat()
    b.write_text("B = 3\n")  # same size: its time says it
    os.utime(b, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    seen.add(build_identity(pkg, "0.1.0"))
    (pkg / "sub" / "c.py").write_text("")  # a new module
    seen.add(build_identity(pkg, "0.1.0"))
    (pkg / "sub" / "c.py").unlink()
    os.utime(b, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    (pkg / "a.py").write_text("A = 10\n")  # bigger, its time kept
    os.utime(pkg / "a.py", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    seen.add(build_identity(pkg, "0.1.0"))
    assert len(seen) == 4
    copy = tmp_path / "elsewhere"
    package(copy)
    assert build_identity(copy / "pkg", "0.1.0") not in seen  # another checkout


def test_the_package_is_gitferrys_core() -> None:
    assert (CORE / "cli_socket.py").is_file() and (CORE / "engine" / "cli_server.py").is_file()


def test_the_umask_compared_is_the_process_s_own() -> None:
    """`current_umask` (read from /proc on Linux, never set to read it back) says each
    umask this process takes, and leaves it as it was."""
    before = os.umask(0o022)
    try:
        for mask in (0o022, 0o077, 0o002, 0o027):
            os.umask(mask)
            assert current_umask() == mask
            assert os.umask(mask) == mask  # unchanged by the look
    finally:
        os.umask(before)


def test_the_engine_answers_a_cli_whose_desktop_session_sets_an_askpass_it_lacks() -> None:
    """A desktop session's `SSH_ASKPASS` (KDE's ksshaskpass) is missing from a daemon that
    systemd started: every CLI sync would run by itself. The engine runs the program a
    sync needs from git's own variables and config (`GIT_ASKPASS`, `core.askPass`), which
    are compared; a CLI with a terminal whose sync needs a prompt runs by itself anyway."""
    session = {"SSH_ASKPASS": "/usr/bin/ksshaskpass", "GIT_ASKPASS": "/usr/bin/x", "HOME": "/home/u"}
    assert git_environment(session) == {"GIT_ASKPASS": "/usr/bin/x", "HOME": "/home/u"}
