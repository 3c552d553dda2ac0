"""Which of a remote's tags a fetch brings, as `git fetch` chooses them.

`remote.<name>.tagOpt` says: `--no-tags` none, `--tags` every tag the remote has
(a clone's choice too), anything else git's default, auto-following: a tag is
fetched when the object it peels to is local once the fetch is done, whether it
was already or just arrived (git's `find_non_local_tags` and `add_included_tags`).
A tag whose annotated object the server sent along (`include-tag`) or that names
an object already here is created; one whose peeled target (the `^{}` line of the
advertisement) is already local is asked for. A tag that exists locally is never
moved: git refuses to "clobber" it without `--force`, and so does this module,
naming it in one note, once for each value the remote moves it to (those already
named are kept per remote in `<common dir>/gitferry/kept-tags.json`).

`fetch.pruneTags` (or `remote.<name>.pruneTags`) makes git's fetch take the refspec
`refs/tags/*:refs/tags/*` as well: every tag the remote has comes, as with `--tags`;
with `fetch.prune` (or `remote.<name>.prune`) on too, every local tag the remote does
not list is deleted, one made here and never pushed included, as git deletes it
(`Pruning`, which also says whether the tracking refs of branches the remote deleted go).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from dulwich.config import Config
from dulwich.object_store import BaseObjectStore
from dulwich.objects import ObjectID, Tag
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.atomic_file import write_atomically
from core.git.config.values import config_flag
from core.git.transfer.ref_names import usable_name
from core.phrase import Phrase, phrase

TAGS = "refs/tags/"
PEELED = b"^{}"
KEPT_FILE = os.path.join("gitferry", "kept-tags.json")
log = logging.getLogger(__name__)


class TagMode(Enum):
    NONE = "--no-tags"
    FOLLOW = "follow"
    ALL = "--tags"

    @classmethod
    def of(cls, config: Config, remote: str) -> TagMode:
        """The mode `remote.<name>.tagOpt` sets (git's default, following, otherwise)."""
        try:
            value = config.get((b"remote", remote.encode()), b"tagOpt")
        except KeyError:
            return cls.FOLLOW
        text = value.decode("utf-8", "replace").strip()
        return {m.value: m for m in (cls.NONE, cls.ALL)}.get(text, cls.FOLLOW)


@dataclass(frozen=True)
class Pruning:
    """What `prune` and `pruneTags` make of a fetch, read as git's fetch.c reads them (the
    remote's own key first, then `fetch.*`; both off by default)."""

    all_tags: bool  # pruneTags: the tag refspec is fetched, so every tag comes
    delete: bool  # pruneTags and prune: local tags the remote does not have are deleted
    branches: bool = False  # prune: tracking refs of branches the remote no longer has are deleted

    @classmethod
    def of(cls, config: Config, remote: str) -> Pruning:
        own = (b"remote", remote.encode())

        def setting(name: bytes) -> bool:
            found = config_flag(config, own, name)
            return bool(config_flag(config, (b"fetch",), name) if found is None else found)

        prune, prune_tags = setting(b"prune"), setting(b"pruneTags")
        return cls(prune_tags, prune_tags and prune, prune)


def pruned_note(remote: str, names: list[str]) -> Phrase:
    """The line a sync says for the tags its fetch deleted."""
    shown = ", ".join(name.removeprefix(TAGS) for name in names)
    if len(names) == 1:
        return phrase(
            "deleted tag {tags}: {remote} no longer has it (pruneTags, as git fetch --prune-tags)",
            tags=shown,
            remote=remote,
        )
    return phrase(
        "deleted tags {tags}: {remote} no longer has them (pruneTags, as git fetch --prune-tags)",
        tags=shown,
        remote=remote,
    )


@dataclass(frozen=True)
class TagUpdates:
    """The tags a fetch created, and the local tags the remote moved (kept)."""

    created: dict[str, bytes]  # tag ref -> object id
    kept: dict[str, bytes]  # local tags the remote moved: tag ref -> the remote's id

    def notes(self, said: Mapping[str, bytes] | None = None) -> list[Phrase]:
        """One line per kept tag, but for those `said` already names at the same remote value."""
        said = said or {}
        return [
            phrase(
                "tag {tag} moved on the remote (to {commit}): the local one is kept, as git fetch keeps it"
                " without --force",
                tag=name.removeprefix(TAGS),
                commit=new[:7].decode(),
            )
            for name, new in sorted(self.kept.items())
            if said.get(name) != new
        ]


class TagPlan:
    """The remote's tags against the local ones, for one fetch."""

    def __init__(self, repo: Repo, mode: TagMode, remote: str = "", *, prune: bool = False) -> None:
        self.mode = mode
        self.prune = prune
        self.local = {
            TAGS + key.decode("utf-8", "replace"): value
            for key, value in repo.refs.as_dict(Ref(TAGS.rstrip("/").encode())).items()
        }
        self._remote = remote
        self._kept_path = os.path.join(repo.commondir(), KEPT_FILE)
        self._all_said = _read_kept(self._kept_path)
        self.said = {name: sha.encode() for name, sha in self._all_said.get(remote, {}).items()}

    def remember(self, kept: Mapping[str, bytes]) -> None:
        """Record `kept` as this remote's moved tags already named (a tag no longer moved
        is forgotten: moved again, it is named again). A failed write only repeats a note."""
        now = {name: sha.decode() for name, sha in sorted(kept.items())}
        if now == self._all_said.get(self._remote, {}):
            return
        if now:
            self._all_said[self._remote] = now
        else:
            self._all_said.pop(self._remote, None)
        try:
            os.makedirs(os.path.dirname(self._kept_path), exist_ok=True)
            write_atomically(self._kept_path, json.dumps(self._all_said, sort_keys=True).encode())
        except OSError as exc:
            log.warning("could not record the moved tags already named: %s", exc)

    def wants(
        self, tags: Mapping[str, bytes], peeled: Mapping[str, bytes], store: BaseObjectStore
    ) -> set[bytes]:
        """Tag objects to ask for: every one (`--tags`), or those whose target is here."""
        if self.mode is TagMode.NONE:
            return set()
        new = {
            name: value
            for name, value in tags.items()
            if name not in self.local and ObjectID(value) not in store
        }
        if self.mode is TagMode.ALL:
            return set(new.values())
        return {value for name, value in new.items() if name in peeled and ObjectID(peeled[name]) in store}

    def pruned(self, tags: Mapping[str, bytes]) -> dict[str, bytes]:
        """The local tags to delete (tag ref -> its id now), when pruning: those the
        remote's listing `tags` does not have."""
        if not self.prune:
            return {}
        return {name: value for name, value in sorted(self.local.items()) if name not in tags}

    def updates(self, tags: Mapping[str, bytes], store: BaseObjectStore) -> TagUpdates:
        """The tag refs to create now that the pack is in, and the moved ones kept."""
        created: dict[str, bytes] = {}
        kept: dict[str, bytes] = {}
        if self.mode is TagMode.NONE:
            return TagUpdates(created, kept)
        for name, value in sorted(tags.items()):
            here = self.local.get(name)
            if here == value:
                continue
            if here is not None:
                kept[name] = value
            elif _peels_to_local(store, value):
                created[name] = value
        return TagUpdates(created, kept)


def split_tags(
    advertised: Mapping[Ref, ObjectID] | Mapping[bytes, bytes],
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The advertised tags with usable names (name -> id), and their peeled targets
    (name -> id: the `^{}` lines a protocol-v0 advertisement carries)."""
    tags: dict[str, bytes] = {}
    peeled: dict[str, bytes] = {}
    for raw, value in advertised.items():
        is_peeled = raw.endswith(PEELED)
        name = usable_name(raw[: -len(PEELED)] if is_peeled else raw)
        if name is None or not name.startswith(TAGS):
            continue
        (peeled if is_peeled else tags)[name] = value
    return tags, peeled


def _read_kept(path: str) -> dict[str, dict[str, str]]:
    """remote -> tag ref -> hex id, from the file `remember` writes; empty when unreadable."""
    try:
        with open(path, "rb") as f:
            data = json.loads(f.read())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(remote): {str(n): str(v) for n, v in tags.items() if isinstance(v, str)}
        for remote, tags in data.items()
        if isinstance(tags, dict)
    }


def _peels_to_local(store: BaseObjectStore, sha: bytes) -> bool:
    """Whether `sha` and what it peels to are all here (a tag of a tag included)."""
    seen = 0
    while seen < 32:
        if ObjectID(sha) not in store:
            return False
        obj = store[ObjectID(sha)]
        if not isinstance(obj, Tag):
            return True
        sha = obj.object[1]
        seen += 1
    return False
