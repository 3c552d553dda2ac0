"""Line-ending conversion as git's convert.c does it: crlf_to_git, crlf_to_worktree.

The action of a path comes from its `text`/`crlf`/`eol` attributes and
`core.autocrlf`/`core.eol` (dulwich's `resolve_crlf_action` follows git's
convert_attrs here, and is used). What happens to a content is git's:

- to the index: CRLF becomes LF when the content has a CRLF; under `text=auto`
  and `core.autocrlf` (the "auto" actions) only when the content is not binary
  and the index's blob of the path has no CRLF text (`has_crlf_in_index`: a file
  committed with CRLF stays so); an explicit `text` converts any content, and
  removes a CR only before an LF.
- to the working tree: lone LFs become CRLF when the path's line ending is CRLF
  and the content has a lone LF; under the "auto" actions only when it also has
  no CR at all and is not binary.

Both run on chunks: the decision needs the statistics of the whole content
(text_stats.py), the conversion itself only one byte of look-behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from dulwich.attrs import AttributeValue
from dulwich.config import StackedConfig
from dulwich.line_ending import CRLFAction, resolve_crlf_action

from core.git.config.values import git_bool
from core.git.content.text_stats import TextStats

AUTO_ACTIONS = frozenset({CRLFAction.AUTO, CRLFAction.AUTO_INPUT, CRLFAction.AUTO_CRLF})
_CRLF_OUTPUT = frozenset({CRLFAction.TEXT_CRLF, CRLFAction.AUTO_CRLF})


@dataclass(frozen=True)
class EolConfig:
    autocrlf: bytes = b"false"  # b"true", b"input" or b"false", as git parses core.autocrlf
    core_eol: str = "native"  # "lf", "crlf" or "native"
    safecrlf: str = "warn"  # "true", "warn" or "false" (git's default warns)

    @classmethod
    def from_config(cls, config: StackedConfig) -> EolConfig:
        autocrlf = _value(config, b"autocrlf")
        if autocrlf is None:
            auto = b"false"
        elif autocrlf.lower() == b"input":
            auto = b"input"
        else:
            auto = b"true" if git_bool(autocrlf.decode("utf-8", "replace")) else b"false"
        eol = (_value(config, b"eol") or b"native").lower()
        safecrlf = _value(config, b"safecrlf")
        if safecrlf is None or safecrlf.lower() == b"warn":
            safe = "warn"
        else:
            safe = "true" if git_bool(safecrlf.decode("utf-8", "replace")) else "false"
        return cls(auto, eol.decode("ascii", "replace") if eol in (b"lf", b"crlf") else "native", safe)


def _value(config: StackedConfig, name: bytes) -> bytes | None:
    try:
        value = config.get(b"core", name)
    except KeyError:
        return None
    return value if isinstance(value, bytes) else None


def crlf_action(attributes: Mapping[bytes, AttributeValue], config: EolConfig) -> CRLFAction:
    return resolve_crlf_action(attributes, config.core_eol, config.autocrlf)


def converts_to_git(action: CRLFAction, stats: TextStats, index_has_crlf: Callable[[], bool]) -> bool:
    """crlf_to_git's decision: will this content lose CRs on its way to the index?"""
    if action == CRLFAction.BINARY or stats.size == 0 or not stats.crlf:
        return False
    if action in AUTO_ACTIONS:
        return not stats.is_binary and not index_has_crlf()
    return True


class CrlfToLf:
    """Push-style crlf_to_git: every CR before an LF removed (the "auto" actions remove every
    CR, which is the same there: they never convert a content with a lone CR)."""

    def __init__(self) -> None:
        self._pending = False

    def feed(self, chunk: bytes) -> bytes:
        data = b"\r" + chunk if self._pending else chunk
        self._pending = data.endswith(b"\r")
        if self._pending:
            data = data[:-1]
        return data.replace(b"\r\n", b"\n")

    def flush(self) -> bytes:
        pending, self._pending = self._pending, False
        return b"\r" if pending else b""


def converts_to_worktree(action: CRLFAction, stats: TextStats) -> bool:
    """crlf_to_worktree's decision (will_convert_lf_to_crlf)."""
    if action not in _CRLF_OUTPUT or stats.size == 0 or not stats.lonelf:
        return False
    if action in AUTO_ACTIONS:
        return not (stats.lonecr or stats.crlf or stats.is_binary)
    return True


class LfToCrlf:
    """Push-style crlf_to_worktree: every LF not already after a CR made CRLF."""

    def __init__(self) -> None:
        self._after_cr = False

    def feed(self, chunk: bytes) -> bytes:
        if not chunk:
            return b""
        head, rest = (b"\n", chunk[1:]) if self._after_cr and chunk[0] == 10 else (b"", chunk)
        self._after_cr = chunk[-1] == 13
        return head + rest.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def to_worktree(chunks: Iterable[bytes]) -> Iterator[bytes]:
    converter = LfToCrlf()
    for chunk in chunks:
        yield converter.feed(chunk)


def roundtrip_loss(action: CRLFAction, stats: TextStats, converts: bool) -> str | None:
    """What `core.safecrlf=true` makes `git add` refuse (check_global_conv_flags_eol): a
    content that a checkout after this commit would not give back; None when it would."""
    if action == CRLFAction.BINARY or stats.size == 0 or (action in AUTO_ACTIONS and stats.is_binary):
        return None
    crlf, lonelf = stats.crlf, stats.lonelf
    if converts:  # simulate "git add"
        lonelf, crlf = lonelf + crlf, 0
    after = TextStats(stats.nul, stats.lonecr, lonelf, crlf, stats.printable, stats.nonprintable, stats.size)
    if converts_to_worktree(action, after):  # simulate "git checkout"
        crlf, lonelf = crlf + lonelf, 0
    if stats.crlf and not crlf:
        return "CRLF would be replaced by LF"
    if stats.lonelf and not lonelf:
        return "LF would be replaced by CRLF"
    return None
