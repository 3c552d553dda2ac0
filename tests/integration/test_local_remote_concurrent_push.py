"""A fetch from a local bare remote (a path, `file://`) while someone pushes into it:
the refs the fetch answers with are the ones whose objects it sent. dulwich read the
remote's refs again once the pack was written, so a push meanwhile showed a ref whose
objects never came, and the sync failed `the remote did not send <id>` (found by a
user trial: 4 fetches in 25 failed while a loop of `git push` ran)."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

from dulwich.object_store import ObjectStoreGraphWalker
from dulwich.objects import ObjectID
from dulwich.refs import Ref

from core.git.transfer.transport import open_client, parse_remote_url
from tests.gitcli import commit_file, git


def test_a_push_during_a_local_fetch_is_not_answered_without_its_objects(tmp_path: Path) -> None:
    bare = tmp_path / "shared.git"
    git("init", "-q", "--bare", "-b", "main", str(bare))
    pusher = tmp_path / "pusher"
    git("clone", "-q", str(bare), str(pusher))
    listed_sha = commit_file(pusher, "a.txt", "one\n")
    git("push", "-q", "origin", "main", cwd=pusher)
    client, path = open_client(parse_remote_url(str(bare)), auth=None, timeout=30)
    pushed: list[str] = []

    def wants(refs: Mapping[Ref, ObjectID], depth: int | None = None) -> list[ObjectID]:
        chosen = [refs[Ref(b"refs/heads/main")]]
        # Someone else's push lands while this fetch is under way.
        pushed.append(commit_file(pusher, "b.txt", "two\n"))
        git("push", "-q", "origin", "main", cwd=pusher)
        return chosen

    pack = bytearray()

    def received(data: bytes) -> int:
        pack.extend(data)
        return len(data)

    result = client.fetch_pack(path, wants, ObjectStoreGraphWalker([], lambda sha: []), received)
    assert git("--git-dir", str(bare), "rev-parse", "main") == pushed[0]  # the push landed
    answered = result.refs[Ref(b"refs/heads/main")]
    assert answered is not None and answered.decode() == listed_sha, (answered, listed_sha, pushed)
    # git as referee: every ref the fetch answered with has its commit in the pack sent.
    mine = tmp_path / "mine.git"
    git("init", "-q", "--bare", str(mine))
    subprocess.run(
        ["git", "index-pack", "--stdin", "--fix-thin"],
        input=bytes(pack),
        cwd=mine,
        check=True,
        capture_output=True,
    )
    for name, sha in result.refs.items():
        if name.startswith(b"refs/heads/") and sha is not None:
            git("--git-dir", str(mine), "cat-file", "-e", f"{sha.decode()}^{{commit}}")
