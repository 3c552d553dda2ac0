"""A switch's files written by its writer thread (`Handoff` in checkout_writer.py): a
file-system failure there (a file too large for RLIMIT_FSIZE, as on a full disk) is
raised from the switch as the same error, no file after it is written, and the switch
is rolled back: HEAD, index and working tree as before, `git status` clean, no
temporary file or intent left."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.core.test_checkout import (
    ROOT,
    Files,
    assert_clean_at,
    content_snapshot,
    intent_path_of,
    two_commits,
)
from tests.gitcli import fsck, git

FAIL_IN_THREAD = """
import json, resource, signal, sys, traceback
from dulwich.repo import Repo
from core.git.worktree.checkout import switch_branch
from core.git.worktree.write import WorktreeWriter
put, forward = WorktreeWriter.put, []
def recorded(self, change, *, trusted):
    if trusted:
        forward.append(change.path.decode())
    return put(self, change, trusted=trusted)
WorktreeWriter.put = recorded
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 16, 1 << 16))
try:
    switch_branch(Repo(sys.argv[1]), b"refs/heads/main", sys.argv[2].encode(), sys.argv[3].encode())
except OSError as exc:
    frames = [frame.name for frame in traceback.extract_tb(exc.__traceback__)]
    shown = {"errno": exc.errno, "message": str(exc), "in_thread": "_run" in frames, "last": forward[-1]}
    print(json.dumps(shown))
"""


def test_a_write_failing_in_the_writer_thread_rolls_the_switch_back(tmp_path: Path) -> None:
    old_files: Files = {f"d{i % 5}/f{i:03}.txt": f"old {i}\n" for i in range(120)}
    new_files: Files = {path: f"new {path}\n" for path in old_files}
    new_files.update({f"d{i % 5}/added{i:03}.txt": f"added {i}\n" for i in range(60)})
    new_files["d2/m_big.txt"] = "x" * 100_000 + "\n"  # over the limit: fails halfway through
    repo, old, new = two_commits(tmp_path, old_files, new_files)
    files, index = content_snapshot(repo), git("ls-files", "-s", cwd=repo)

    script = [sys.executable, "-c", FAIL_IN_THREAD, str(repo), old, new]
    failed = json.loads(subprocess.check_output(script, cwd=ROOT, text=True, timeout=60))
    # raised from the thread as it was raised there; no forward write after the failing one
    assert failed == {
        "errno": 27,
        "message": "[Errno 27] File too large",
        "in_thread": True,
        "last": "d2/m_big.txt",
    }

    assert content_snapshot(repo) == files
    assert git("ls-files", "-s", cwd=repo) == index
    assert_clean_at(repo, old)
    assert not [p for p in repo.rglob(".gitferry-tmp-*")]
    assert not os.path.exists(intent_path_of(repo))
    fsck(repo)
