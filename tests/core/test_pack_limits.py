"""Receiving hand-built packs: zlib and delta bombs stop at their limit, large objects
stream in bounded memory, and what is accepted is indexed exactly as `git index-pack`
indexes it (the referee).

The packs come from `tests/hostile_packs.py`; each is fed to `IncomingPack` in the
pieces a network would deliver (64 KiB), and nothing of a refused pack may stay in
`objects/pack`.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from dulwich.repo import Repo

import core.git.objects.delta_apply as delta_apply
import core.git.objects.pack_ingest as pack_ingest
from core.git.objects.check_policy import BadObject, CheckPolicy
from core.git.objects.object_checks import ObjectChecks
from core.git.objects.pack_ingest import IncomingPack
from core.git.objects.pack_limits import InflatedTooLarge, ObjectTooLarge, PackLimits
from core.git.objects.pack_scan import PackFormatError
from tests.gitcli import git
from tests.hostile_packs import (
    BLOB,
    GIB,
    MIB,
    TREE,
    PackWriter,
    copy,
    delta,
    insert,
    object_id,
    tree_bytes,
    zero_blob_id,
    zeros_stream,
)

PIECE = 65515  # what one side-band packet carries


def bare(tmp_path: Path) -> Path:
    path = tmp_path / "target.git"
    git("init", "-q", "--bare", str(path))
    return path


def pieces(pack: Path) -> Iterator[bytes]:
    with pack.open("rb") as f:
        while data := f.read(PIECE):
            yield data


def receive(target: Path, pack: Path, **kwargs: object) -> str | None:
    with Repo(str(target)) as repo:
        incoming = IncomingPack(repo.object_store, **kwargs)  # type: ignore[arg-type]
        for data in pieces(pack):
            incoming.write(data)
        received = incoming.commit()
    return received.name if received else None


def pack_dir(target: Path) -> list[str]:
    return sorted(p.name for p in (target / "objects" / "pack").iterdir())


def same_index_as_gits(target: Path, name: str, pack: Path, tmp_path: Path) -> None:
    theirs = tmp_path / "theirs.idx"
    git("index-pack", "-o", str(theirs), str(pack))
    assert (target / "objects" / "pack" / f"{name}.idx").read_bytes() == theirs.read_bytes()


def test_zeros_stream_is_what_git_reads(tmp_path: Path) -> None:
    size = 3 * MIB + 5
    writer = PackWriter(tmp_path / "zeros.pack", 1)
    writer.raw(BLOB, size, zeros_stream(size))
    pack = writer.close()
    target = bare(tmp_path)
    name = receive(target, pack)
    assert name is not None
    same_index_as_gits(target, name, pack, tmp_path)
    assert git("cat-file", "-s", zero_blob_id(size), cwd=target) == str(size)


def test_object_declared_past_the_limit_is_refused_from_its_header(tmp_path: Path) -> None:
    """4 GiB of zeros: refused when its entry header arrives, before one byte is inflated."""
    writer = PackWriter(tmp_path / "bomb.pack", 1)
    writer.raw(BLOB, 4 * GIB, zeros_stream(4 * GIB))
    pack = writer.close()
    target = bare(tmp_path)
    with Repo(str(target)) as repo:
        incoming = IncomingPack(repo.object_store)  # type: ignore[arg-type]
        with pytest.raises(ObjectTooLarge, match="inflates to 4 GiB, past the limit of 2 GiB"):
            incoming.write(next(pieces(pack))[:40])  # the pack header and the entry's header alone
    assert pack_dir(target) == []


def test_zlib_bomb_lying_about_its_size_stops_at_the_declared_size(tmp_path: Path) -> None:
    writer = PackWriter(tmp_path / "bomb.pack", 1)
    writer.raw(BLOB, 1024, zeros_stream(4 * GIB))
    pack = writer.close()
    target = bare(tmp_path)
    with Repo(str(target)) as repo:
        incoming = IncomingPack(repo.object_store)  # type: ignore[arg-type]
        with pytest.raises(PackFormatError, match="inflates past its declared 1024 bytes"):
            incoming.write(next(pieces(pack)))  # the first piece already holds 60 MiB of zeros
    assert pack_dir(target) == []


def test_objects_together_past_the_total_are_refused(tmp_path: Path) -> None:
    writer = PackWriter(tmp_path / "many.pack", 3)
    for n in range(3):
        writer.whole(BLOB, bytes([n]) * MIB)
    pack = writer.close()
    target = bare(tmp_path)
    with pytest.raises(InflatedTooLarge, match=r"inflate to more than 2\.5 MiB in all"):
        receive(target, pack, limits=PackLimits(max_inflated_size=5 * MIB // 2))
    assert pack_dir(target) == []
    assert receive(target, pack, limits=PackLimits(max_inflated_size=3 * MIB)) is not None


def test_delta_declaring_a_result_past_the_limit_is_refused_before_it_is_applied(tmp_path: Path) -> None:
    base = b"x" * 4096
    writer = PackWriter(tmp_path / "delta.pack", 2)
    at = writer.whole(BLOB, base)
    writer.ofs_delta(at, delta(len(base), 8 * GIB, [copy(0, 4096)] * 4))
    pack = writer.close()
    target = bare(tmp_path)
    with pytest.raises(ObjectTooLarge, match="a delta that expands to 8 GiB, past the limit of 2 GiB"):
        receive(target, pack)
    assert pack_dir(target) == []


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "streamed"])
def test_delta_expanding_past_what_it_declares_stops_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: bool
) -> None:
    """Copies that would make 8 GiB under a header that says 1 KiB: refused at byte 1025,
    by dulwich's C apply_delta or by the streamed application."""
    if streamed:
        monkeypatch.setattr(pack_ingest, "WHOLE_LIMIT", 64)
    base = bytes(range(256)) * 256
    writer = PackWriter(tmp_path / "delta.pack", 2)
    at = writer.whole(BLOB, base)
    writer.ofs_delta(at, delta(len(base), 1024, [copy(0, 0x10000)] * (8 * GIB // 0x10000)))
    pack = writer.close()
    target = bare(tmp_path)
    with pytest.raises(PackFormatError, match="does not apply"):
        receive(target, pack)
    assert pack_dir(target) == []


@pytest.mark.parametrize("budget", [pack_ingest.HELD_BUDGET, 0], ids=["held", "spilled"])
def test_large_delta_results_stream_and_index_as_gits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, budget: int
) -> None:
    """A 40 MiB result (past WHOLE_LIMIT) built from a 1 MiB base, then a delta on that
    result: applied in pieces, the middle one kept as a base in memory or in a temporary
    file, and the index is git's."""
    monkeypatch.setattr(pack_ingest, "HELD_BUDGET", budget)
    monkeypatch.setattr(delta_apply, "PIECE", 4099)
    base = bytes(range(256)) * 4096
    middle_ops = [copy(0, len(base) - 1), insert(b"!")] * 40
    middle_size = 40 * len(base)
    writer = PackWriter(tmp_path / "large.pack", 3)
    at = writer.whole(BLOB, base)
    middle = writer.ofs_delta(at, delta(len(base), middle_size, middle_ops))
    writer.ofs_delta(middle, delta(middle_size, 3 * MIB + 2, [copy(5, 3 * MIB), insert(b"??")]))
    pack = writer.close()
    target = bare(tmp_path)
    name = receive(target, pack)
    assert name is not None
    same_index_as_gits(target, name, pack, tmp_path)
    assert pack_dir(target) == [f"{name}.idx", f"{name}.pack"]  # no spilled base left behind
    git("fsck", "--no-dangling", cwd=target)


def test_a_base_leaves_the_held_budget_after_its_last_delta(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four deltas on a blob, each with two deltas of its own: a result waited on by two
    deltas is held until the second is applied, then dropped, so with room for three
    results nothing is spilled (each sibling counted its base apart before: never dropped,
    the budget filled and the third such result went to a temporary file)."""
    base = bytes(range(256)) * 4
    size = len(base)
    monkeypatch.setattr(pack_ingest, "HELD_BUDGET", 3 * size)
    spilled: list[bytes] = []
    real_spill = pack_ingest.spill

    def counted(directory: str, pieces: Iterable[bytes]) -> delta_apply.SpilledBase:
        spilled.append(b"".join(pieces))
        return real_spill(directory, spilled[-1:])

    monkeypatch.setattr(pack_ingest, "spill", counted)
    writer = PackWriter(tmp_path / "siblings.pack", 13)
    at = writer.whole(BLOB, base)
    for i in range(4):
        middle = writer.ofs_delta(at, delta(size, size, [insert(bytes([i])), copy(1, size - 1)]))
        for j in range(2):
            writer.ofs_delta(middle, delta(size, size, [copy(0, size - 1), insert(bytes([j]))]))
    pack = writer.close()
    target = bare(tmp_path)
    name = receive(target, pack)
    assert name is not None
    assert spilled == []
    same_index_as_gits(target, name, pack, tmp_path)


def test_bad_tree_is_refused_whole_and_as_a_delta(tmp_path: Path) -> None:
    blob = object_id(BLOB, b"x")
    good = tree_bytes([(b"100644", b"a", blob), (b"100644", b"b", blob)])
    twice = tree_bytes([(b"100644", b"a", blob), (b"100644", b"a", blob)])
    checks = ObjectChecks(CheckPolicy.default())
    for sent_as in ("whole", "delta"):
        writer = PackWriter(tmp_path / f"{sent_as}.pack", 2 if sent_as == "delta" else 1)
        if sent_as == "whole":
            writer.whole(TREE, twice)
        else:
            at = writer.whole(TREE, good)
            half = len(good) // 2  # one entry
            writer.ofs_delta(at, delta(len(good), len(twice), [copy(0, half), insert(twice[half:])]))
        pack = writer.close()
        target = bare(tmp_path / sent_as)
        with pytest.raises(BadObject) as refused:
            receive(target, pack, checks=checks)
        assert str(refused.value) == (
            f'the remote sent a bad tree {object_id(TREE, twice)}: entry "a" is there twice '
            "(duplicateEntries): refused, nothing was kept"
        )
        assert pack_dir(target) == []
        assert receive(target, pack) is not None  # without the checks, as before them


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux's /proc/self/clear_refs")
def test_large_objects_take_bounded_memory(tmp_path: Path) -> None:
    """A 128 MiB blob sent whole and a 128 MiB delta result: the receiving process's peak
    RSS grows by far less than either (measured in a child, VmHWM reset before). Both are
    past every size where the intake changes its way (deltas streamed past 16 MiB, bases
    spilled past 64 MiB) and four times the growth allowed; 600 MiB each took five times
    the CPU for the same paths."""
    size = 128  # MiB
    base = bytes(range(256)) * 4096  # 1 MiB
    writer = PackWriter(tmp_path / "large.pack", 3)
    writer.raw(BLOB, size * MIB, zeros_stream(size * MIB))
    at = writer.whole(BLOB, base)
    writer.ofs_delta(at, delta(len(base), size * MIB, [copy(0, len(base))] * size))
    pack = writer.close()
    target = bare(tmp_path)
    probe = (
        "import sys\n"
        "from dulwich.repo import Repo\n"
        "from core.git.objects.pack_ingest import IncomingPack\n"
        "def kib(field):\n"
        "    with open('/proc/self/status') as f:\n"
        "        return next(int(l.split()[1]) for l in f if l.startswith(field + ':'))\n"
        "repo = Repo(sys.argv[2])\n"
        "open('/proc/self/clear_refs', 'w').write('5')\n"
        "before = kib('VmRSS')\n"
        "incoming = IncomingPack(repo.object_store)\n"
        "with open(sys.argv[1], 'rb') as f:\n"
        "    while data := f.read(65515):\n"
        "        incoming.write(data)\n"
        "incoming.commit()\n"
        "print((kib('VmHWM') - before) * 1024)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", probe, str(pack), str(target)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=root,
        check=True,
    )
    grown = int(done.stdout.split()[-1])
    print(f"peak RSS growth receiving {size} MiB whole and {size} MiB by delta: {grown / MIB:.1f} MiB")
    assert grown < 32 * MIB, f"peak RSS grew by {grown / MIB:.0f} MiB"
    assert git("cat-file", "-s", zero_blob_id(size * MIB), cwd=target) == str(size * MIB)
    git("fsck", "--no-dangling", cwd=target)


@pytest.mark.parametrize("bad", [False, True], ids=["fine", "duplicate"])
@pytest.mark.parametrize("sent_as", ["whole", "delta"])
def test_large_trees_are_checked_as_they_stream(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: bool, sent_as: str
) -> None:
    """A 2.6 MiB tree, whole (checked slice by slice as it inflates) or as a delta applied
    in pieces (WHOLE_LIMIT lowered): a file and a directory of one name 59,000 entries
    apart are refused either way, and git's fetch (index-pack --fsck-objects) agrees."""
    monkeypatch.setattr(pack_ingest, "WHOLE_LIMIT", 4096)
    blob = object_id(BLOB, b"x")
    names = [(b"100644", b"a", blob)] + [(b"100644", b"a-%06d" % n, blob) for n in range(59_000)]
    last = (b"40000", b"a" if bad else b"b", object_id(TREE, b""))
    big = tree_bytes([*names, last])
    small = tree_bytes(names[:1])
    writer = PackWriter(tmp_path / "tree.pack", 1 if sent_as == "whole" else 2)
    if sent_as == "whole":
        writer.whole(TREE, big)
    else:
        at = writer.whole(TREE, small)
        writer.ofs_delta(at, delta(len(small), len(big), [copy(0, len(small)), insert(big[len(small) :])]))
    pack = writer.close()
    target = bare(tmp_path)
    gits = subprocess.run(
        ["git", "index-pack", "--fsck-objects", "--stdin"],
        cwd=target,
        input=pack.read_bytes(),
        capture_output=True,
        timeout=120,
    )
    for path in (target / "objects" / "pack").iterdir():
        path.unlink()
    checks = ObjectChecks(CheckPolicy.default())
    if not bad:
        assert gits.returncode == 0, gits.stderr
        assert receive(target, pack, checks=checks) is not None
        return
    assert gits.returncode != 0 and b"duplicateEntries" in gits.stderr
    with pytest.raises(BadObject, match=rf'bad tree {object_id(TREE, big)}: entry "a" is there twice'):
        receive(target, pack, checks=checks)
    assert pack_dir(target) == []
