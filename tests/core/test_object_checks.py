"""Trees, commits and tags checked on their way in, with git's own fetch as the referee.

Every malformed object is sent to `git index-pack --fsck-objects` (what `git fetch`
runs with `transfer.fsckObjects`) in a one-object pack; our check must refuse it
with the fsck message id git names, and let the well-formed ones through as git
does. A tree fed in slices (as a large tree is)
gets the same verdict as when it is checked whole.
"""

from __future__ import annotations

import io
import random
import re
import subprocess
from pathlib import Path

import pytest
from dulwich.config import ConfigFile

import core.git.objects.object_checks as object_checks
from core.git.objects.check_policy import (
    DEFAULT_ERRORS,
    STRICT_ERRORS,
    BadConfigValue,
    BadObject,
    CheckPolicy,
)
from core.git.objects.object_checks import COMMIT, TAG, TREE, ObjectChecks
from tests.gitcli import git
from tests.hostile_packs import AUTHOR, BLOB, PackWriter, object_id, tree_bytes

BLOB_ID = object_id(BLOB, b"x\n")
TREE_ID = object_id(TREE, tree_bytes([(b"100644", b"x", BLOB_ID)]))
F, D, L, X = b"100644", b"40000", b"120000", b"100755"


def tree(*entries: tuple[bytes, bytes]) -> bytes:
    return tree_bytes((mode, name, TREE_ID if mode == D else BLOB_ID) for mode, name in entries)


def commit_with(header: bytes, message: bytes = b"\nmessage\n") -> bytes:
    return header + message


GOOD_HEADER = b"tree %s\nparent %s\nauthor %s\ncommitter %s\n" % (
    TREE_ID.encode(),
    b"1" * 40,
    AUTHOR,
    AUTHOR,
)

TREES: dict[str, tuple[bytes, str | None]] = {
    "fine": (tree((F, b"a"), (D, b"b"), (X, b"c"), (L, b"d"), (F, b"e.c"), (D, b"e")), None),
    "duplicate": (tree((F, b"a"), (F, b"a")), "duplicateEntries"),
    "file and directory": (tree((F, b"a"), (F, b"a.c"), (D, b"a")), "duplicateEntries"),
    "unsorted": (tree((F, b"b"), (F, b"a")), "treeNotSorted"),
    "directory sorts with a slash": (tree((D, b"a"), (F, b"a.c")), "treeNotSorted"),
    "dot git": (
        tree(
            (D, b".git"),
        ),
        "hasDotgit",
    ),
    "dot GIT": (
        tree(
            (D, b".GIT"),
        ),
        "hasDotgit",
    ),
    "ntfs dot git": (
        tree(
            (D, b"git~1"),
        ),
        "hasDotgit",
    ),
    "hfs dot git": (
        tree(
            (D, ".g\u200cit".encode()),
        ),
        "hasDotgit",
    ),
    "dot dot": (
        tree(
            (D, b".."),
        ),
        "hasDotdot",
    ),
    "dot": (
        tree(
            (D, b"."),
        ),
        "hasDot",
    ),
    "empty name": (
        tree(
            (F, b""),
        ),
        "badTree",
    ),
    "slash": (
        tree(
            (F, b"a/b"),
        ),
        "fullPathname",
    ),
    "long name": (
        tree(
            (F, b"n" * 5000),
        ),
        "largePathname",
    ),
    "bad mode": (
        tree(
            (b"170000", b"a"),
        ),
        "badFilemode",
    ),
    "gitmodules symlink": (
        tree(
            (L, b".gitmodules"),
        ),
        "gitmodulesSymlink",
    ),
    "not a tree": (b"100644 a", "badTree"),
}
COMMITS: dict[str, tuple[bytes, str | None]] = {
    "fine": (commit_with(GOOD_HEADER), None),
    "no message": (GOOD_HEADER, None),
    "no tree": (commit_with(GOOD_HEADER.split(b"\n", 1)[1]), "missingTree"),
    "short tree id": (
        commit_with(GOOD_HEADER.replace(TREE_ID.encode(), TREE_ID[:39].encode())),
        "badTreeSha1",
    ),
    "bad parent": (commit_with(GOOD_HEADER.replace(b"1" * 40, b"xyz")), "badParentSha1"),
    "no author": (commit_with(GOOD_HEADER.replace(b"author " + AUTHOR + b"\n", b"")), "missingAuthor"),
    "two authors": (
        commit_with(GOOD_HEADER.replace(b"author ", b"author " + AUTHOR + b"\nauthor ")),
        "multipleAuthors",
    ),
    "no committer": (
        commit_with(GOOD_HEADER.replace(b"committer " + AUTHOR + b"\n", b"")),
        "missingCommitter",
    ),
    "nul in header": (commit_with(GOOD_HEADER.replace(b"parent", b"parent\0")), "nulInHeader"),
    "unterminated": (GOOD_HEADER[:-1], "unterminatedHeader"),
}
# Refused only with fetch.fsckObjects = true (git's strict mode), let through by default.
STRICT_ONLY: dict[str, tuple[int, bytes, str]] = {
    "zero-padded mode": (
        TREE,
        tree(
            (b"040000", b"a"),
        ),
        "zeroPaddedFilemode",
    ),
    "null id": (TREE, tree_bytes([(F, b"a", "0" * 40)]), "nullSha1"),
    "no email": (COMMIT, commit_with(GOOD_HEADER.replace(b"<m@example.invalid> ", b"", 1)), "missingEmail"),
    "bad email": (COMMIT, commit_with(GOOD_HEADER.replace(b"m@example", b"m<@example", 1)), "badEmail"),
    "bad time zone": (COMMIT, commit_with(GOOD_HEADER.replace(b"+0000", b"+00", 1)), "badTimezone"),
    "zero-padded date": (
        COMMIT,
        commit_with(GOOD_HEADER.replace(b" 17000", b" 017000", 1)),
        "zeroPaddedDate",
    ),
    "nul in message": (COMMIT, commit_with(GOOD_HEADER, b"\nmess\0age\n"), "nulInCommit"),
}


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("scratch")
    git("init", "-q", "--bare", str(repo))
    return repo


GITS_ID = re.compile(r"^(?:error|warning): object [0-9a-f]{40}: (\w+):", re.M)


def gits_verdict(repo: Path, type_num: int, data: bytes) -> tuple[bool, set[str]]:
    """What git's fetch makes of the object with `transfer.fsckObjects` (`index-pack
    --fsck-objects`, strict): whether it refuses the pack, and the message ids it names."""
    writer = PackWriter(repo / "one.pack", 1)
    writer.whole(type_num, data)
    done = subprocess.run(
        ["git", "index-pack", "--fsck-objects", "--stdin"],
        cwd=repo,
        input=writer.close().read_bytes(),
        capture_output=True,
        timeout=60,
    )
    said = done.stderr.decode("utf-8", "replace")
    return done.returncode != 0, set(GITS_ID.findall(said))


# Where Gitferry's verdict is not git's, on purpose.
NOT_AS_GIT = {
    "bad mode": "git only warns (badFilemode is info-level); a mode of no file type is refused here",
    "long name": "git checks names' length only from 2.45 on (largePathname)",
}


def our_verdict(policy: CheckPolicy, type_num: int, data: bytes) -> str | None:
    try:
        ObjectChecks(policy).check_whole(type_num, data, "x")
    except BadObject as refused:
        return refused.problem.msg_id
    return None


CASES = [(TREE, name, data, msg) for name, (data, msg) in TREES.items()]
CASES += [(COMMIT, name, data, msg) for name, (data, msg) in COMMITS.items()]
TAGGER, OBJECT = b"tagger " + AUTHOR, b"object " + TREE_ID.encode() + b"\n"
TAGS: dict[str, tuple[bytes, str | None]] = {
    "good tag": (OBJECT + b"type tree\ntag v1\n" + TAGGER + b"\n\nmessage\n", None),
    "tag without object": (b"type tree\ntag v1\n" + TAGGER + b"\n\nm\n", "missingObject"),
    "tag with a bad object id": (b"object 12zz\ntype tree\ntag v1\n\nm\n", "badObjectSha1"),
    "tag without type": (OBJECT + b"tag v1\n" + TAGGER + b"\n\nm\n", "missingTypeEntry"),
    "tag of an unknown type": (OBJECT + b"type thing\ntag v1\n" + TAGGER + b"\n\nm\n", "badType"),
    "tag without name": (OBJECT + b"type tree\n" + TAGGER + b"\n\nm\n", "missingTagEntry"),
}
CASES += [(TAG, name, data, msg) for name, (data, msg) in TAGS.items()]


@pytest.mark.parametrize(("type_num", "name", "data", "msg_id"), CASES, ids=[c[1] for c in CASES])
def test_refused_as_gits_fetch_refuses(
    scratch: Path, type_num: int, name: str, data: bytes, msg_id: str | None
) -> None:
    assert our_verdict(CheckPolicy.default(), type_num, data) == msg_id
    assert our_verdict(CheckPolicy.strict_policy(), type_num, data) == msg_id
    refused, named = gits_verdict(scratch, type_num, data)
    if name in NOT_AS_GIT:
        return
    if msg_id is None:
        assert not refused and not named
    else:
        # git names the problem, or (a commit or tag it cannot even parse) calls it bogus
        assert refused and (msg_id in named or (type_num in (COMMIT, TAG) and not named)), named


@pytest.mark.parametrize("name", list(STRICT_ONLY))
def test_strict_checks_only_with_fsck_objects(scratch: Path, name: str) -> None:
    type_num, data, msg_id = STRICT_ONLY[name]
    assert gits_verdict(scratch, type_num, data) == (True, {msg_id})
    assert our_verdict(CheckPolicy.default(), type_num, data) is None
    assert our_verdict(CheckPolicy.strict_policy(), type_num, data) == msg_id


def config(text: str) -> ConfigFile:
    return ConfigFile.from_file(io.BytesIO(text.encode()))


def test_policy_follows_git_config() -> None:
    assert CheckPolicy.from_config(config("")) == CheckPolicy.default()
    assert CheckPolicy.from_config(config("[transfer]\n\tfsckObjects = false\n")) is None
    assert (
        CheckPolicy.from_config(config("[transfer]\n\tfsckObjects = true\n")) == CheckPolicy.strict_policy()
    )
    both = "[transfer]\n\tfsckObjects = true\n[fetch]\n\tfsckObjects = false\n"
    assert CheckPolicy.from_config(config(both)) is None  # fetch.* wins, as in git
    lowered = CheckPolicy.from_config(
        config('[fetch "fsck"]\n\tduplicateEntries = ignore\n\thasdotgit = warn\n')
    )
    assert lowered is not None
    assert our_verdict(lowered, TREE, TREES["duplicate"][0]) is None
    assert our_verdict(lowered, TREE, TREES["dot git"][0]) is None  # logged, not refused
    assert our_verdict(lowered, TREE, TREES["unsorted"][0]) == "treeNotSorted"
    raised = CheckPolicy.from_config(config('[fetch "fsck"]\n\tbadTimezone = error\n'))
    assert (
        raised is not None and our_verdict(raised, COMMIT, STRICT_ONLY["bad time zone"][1]) == "badTimezone"
    )
    with pytest.raises(BadConfigValue, match=r"fetch.fsck.hasDotgit = 'sometimes'"):
        CheckPolicy.from_config(config('[fetch "fsck"]\n\thasDotgit = sometimes\n'))
    with pytest.raises(BadConfigValue, match=r"transfer.fsckObjects = 'maybe'"):
        CheckPolicy.from_config(config("[transfer]\n\tfsckObjects = maybe\n"))
    assert DEFAULT_ERRORS < STRICT_ERRORS


def sliced_verdict(policy: CheckPolicy, type_num: int, data: bytes, rng: random.Random) -> str | None:
    checks = ObjectChecks(policy)
    check = checks.start(type_num)
    assert check is not None
    try:
        pos = 0
        while pos < len(data):
            step = rng.randint(1, 200)
            checks.feed(check, data[pos : pos + step], type_num, "x")
            pos += step
        checks.verify(check, type_num, "x")
    except BadObject as refused:
        return refused.problem.msg_id
    return None


def test_fed_in_slices_as_checked_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tree larger than a slice is checked slice by slice and a commit line by line; any
    cut between the pieces gives the verdict of the whole object."""
    monkeypatch.setattr(object_checks, "_SLICE", 64)
    rng = random.Random(7)
    filler = [(F, b"a-%03d" % n) for n in range(40)]  # sorts between file "a" and directory "a"
    across = tree((F, b"a"), *filler, (D, b"a"))
    cases = [(TREE, data) for data, _ in TREES.values()] + [(COMMIT, data) for data, _ in COMMITS.values()]
    cases += [(t, data) for t, data, _ in STRICT_ONLY.values()] + [(TREE, across)]
    for policy in (CheckPolicy.default(), CheckPolicy.strict_policy()):
        for type_num, data in cases:
            whole = our_verdict(policy, type_num, data)
            for _ in range(5):
                assert sliced_verdict(policy, type_num, data, rng) == whole, data[:60]
    assert our_verdict(CheckPolicy.default(), TREE, across) == "duplicateEntries"


def test_plain_names_take_one_match_with_the_full_rules_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    """The one-match path for plain names gives every name the verdict of the full rules
    (dulwich's and path_safety's `.git` spellings): `.git`-like names, NTFS and HFS+
    spellings, and random names over the characters those spellings are made of."""
    rng = random.Random(19)
    alphabet = [b"g", b"i", b"t", b"G", b"I", b"T", b".", b"~", b"1", b":", b" ", b"a", b"_", b"-", b"+"]
    alphabet += [b"\xe2\x80\x8c", b"\xff", b"/"]
    names = [b"".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))) for _ in range(5000)]
    names += [b".git", b"GIT~1", b"git~1", b".git.", b".git::$INDEX_ALLOCATION", b".G\xe2\x80\x8cit", b"git"]
    names += [b"..", b".", b"", b"a/b", b"x" * 5000, b"normal.txt", b"a-b_c+d.e", b".gitignore", b"aux.c"]
    fast = [object_checks._name_problem(name) for name in names]
    monkeypatch.setattr(object_checks, "_PLAIN_NAME", None)
    full = [object_checks._name_problem(name) for name in names]
    assert fast == full
    assert sum(problem is not None for problem in full) > 100  # the sample holds refused names
