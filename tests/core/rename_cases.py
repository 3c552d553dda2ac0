"""Histories with renames for the merge and rebase referees: built with dulwich, judged by git.

`Files` maps a path to its content (a str; ("x", text) for an executable,
("link", target) for a symlink). `commit` writes one commit; `git_merge_tree`
asks git 2.39's merge (ort) for the answer; `random_side` makes one side's
changes from a base: edits, deletions, renames (exact, edited, across
directories, case-only), copies, whole-directory renames and additions, the
mix where git's rename detection and ours could part.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

from dulwich.index import commit_tree
from dulwich.objects import Blob, Commit
from dulwich.repo import Repo

Content = str | tuple[str, str]
Files = dict[str, Content]

_WORDS = ["alpha", "beta", "gamma", "delta", "omega", "kappa", "sigma", "theta", "", "}", "{", "return x"]


def blob_of(content: Content) -> tuple[bytes, int]:
    if isinstance(content, tuple):
        kind, text = content
        return text.encode(), (0o120000 if kind == "link" else 0o100755)
    return content.encode(), 0o100644


def commit(repo: Repo, files: Files, parents: list[bytes], message: str = "generated") -> bytes:
    items = []
    for name, content in files.items():
        data, mode = blob_of(content)
        blob = Blob.from_string(data)
        repo.object_store.add_object(blob)
        items.append((name.encode(), blob.id, mode))
    made = Commit()
    made.tree = commit_tree(repo.object_store, items)
    made.parents = parents
    made.author = made.committer = b"Test User <test@example.invalid>"
    made.author_time = made.commit_time = 1_700_000_000 + len(parents)
    made.author_timezone = made.commit_timezone = 0
    made.message = message.encode() + b"\n"
    repo.object_store.add_object(made)
    return made.id


def git_merge_tree(path: Path, ours: bytes, theirs: bytes, *config: str) -> tuple[bool, str]:
    """(clean, tree) as `git merge-tree --write-tree` (merge-ort) decides."""
    args = [arg for pair in config for arg in ("-c", pair)]
    proc = subprocess.run(
        ["git", *args, "merge-tree", "--write-tree", ours.decode(), theirs.decode()],
        cwd=path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode == 0, proc.stdout.split("\n", 1)[0]


def text(rng: random.Random, lines: int | None = None) -> str:
    count = rng.randint(3, 14) if lines is None else lines
    return "".join(f"{rng.choice(_WORDS)} {rng.randint(0, 40)}\n" for _ in range(count))


def edited(rng: random.Random, content: str, edits: int | None = None) -> str:
    lines = content.splitlines(keepends=True)
    for _ in range(rng.randint(1, 3) if edits is None else edits):
        at = rng.randint(0, len(lines))
        what = rng.random()
        if what < 0.4 or not lines[at:]:
            lines.insert(at, f"{rng.choice(_WORDS)} {rng.randint(50, 99)}\n")
        elif what < 0.7:
            lines[at] = f"{rng.choice(_WORDS)} {rng.randint(50, 99)}\n"
        else:
            del lines[at]
    return "".join(lines)


def random_base(rng: random.Random) -> Files:
    files: Files = {}
    for i in range(rng.randint(3, 8)):
        directory = rng.choice(["", "", "src/", "docs/", "src/lib/"])
        files[f"{directory}f{i}.txt"] = text(rng)
    if rng.random() < 0.3:  # twins: exact renames have to choose
        twin = rng.choice(sorted(files))
        files[f"other/{twin.rsplit('/', 1)[-1]}"] = files[twin]
    if rng.random() < 0.15:
        files["empty.txt"] = ""
    return files


def random_side(rng: random.Random, base: Files, tag: str, *, calm: int = 6) -> Files:
    """One side's version of `base` (`calm`: how much likelier a file is kept than changed)."""
    files = dict(base)
    if rng.random() < 0.2:  # a whole directory renamed
        directories = sorted({p.rsplit("/", 1)[0] for p in files if "/" in p})
        if directories:
            old = rng.choice(directories)
            new = rng.choice(["moved", f"{old}2", "src/new"])
            for path in [p for p in files if p.startswith(old + "/")]:
                files[new + path[len(old) :]] = files.pop(path)
    for path in sorted(files):
        if path not in files:
            continue
        content = files[path]
        what = rng.choice(
            ["keep"] * calm + ["edit", "edit", "delete", "rename", "rename", "rename", "copy", "case"]
        )
        if what == "edit" and isinstance(content, str):
            files[path] = edited(rng, content)
        elif what == "delete":
            del files[path]
        elif what in ("rename", "case", "copy"):
            directory, _slash, name = path.rpartition("/")
            if what == "case":
                target = (directory + "/" if directory else "") + name.upper()
            else:
                where = rng.choice([directory, directory, "src", "moved", ""])
                new_name = rng.choice([name, name, f"{tag}-{name}", f"r{rng.randint(0, 3)}.txt"])
                target = (where + "/" if where else "") + new_name
            if target in files or any(p.startswith(target + "/") for p in files):
                continue
            if any(target.startswith(p + "/") for p in files):
                continue
            body = content
            if isinstance(body, str) and rng.random() < 0.5:
                body = edited(rng, body, rng.randint(1, 4))
            files[target] = body
            if what != "copy":
                del files[path]
    if rng.random() < 0.4:
        directory = rng.choice(["", "src/", "docs/", "moved/", "src/lib/"])
        target = f"{directory}new-{tag}-{rng.randint(0, 2)}.txt"
        if target not in files and not any(target.startswith(p + "/") for p in files):
            files[target] = (
                text(rng) if rng.random() < 0.5 else edited(rng, str(rng.choice(list(base.values()))))
            )
    return files
