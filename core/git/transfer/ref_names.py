"""Which ref names a remote advertises that a fetch may use.

A remote may list a ref no git could have made: `refs/heads/a..b`, a name
with a control character, a space or `:`, one ending in `.lock`, one that is
not UTF-8. git drops such names from what a remote advertises
(`check_refname_format`, as connect.c and fetch-pack.c apply it) and says
"Ignoring funny ref" when a refspec would have stored one; dulwich refuses to
write them (`RefFormatError`, a Python bytes repr). Here they are left out
before anything is asked for: the fetch goes on with the other refs, and each
ignored name that the fetch would have tracked becomes one line for the user.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from dulwich.objects import ObjectID
from dulwich.refs import Ref, check_ref_format

from core.git.packed_refs import PLAIN_REF
from core.phrase import Phrase, phrase


@dataclass
class AdvertisedRefs:
    """The remote's refs with usable names (decoded), and the names left out."""

    usable: dict[str, bytes] = field(default_factory=dict)
    ignored: list[bytes] = field(default_factory=list)

    @classmethod
    def of(cls, refs: Mapping[Ref, ObjectID | None]) -> AdvertisedRefs:
        found = cls()
        for name, sha in refs.items():
            if sha is None:
                continue
            text = usable_name(name)
            if text is None:
                found.ignored.append(name)
            else:
                found.usable[text] = sha
        return found


def usable_name(name: bytes) -> str | None:
    """`name` decoded, or None when git would not take it for a ref (HEAD aside)."""
    if name != b"HEAD" and not _valid_ref(name):
        return None
    try:
        return name.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _valid_ref(name: bytes) -> bool:
    # names plainly valid (PLAIN_REF, no `.lock`): most of a real remote's thousands of refs;
    # dulwich's check_ref_format walks every byte in Python, the rest still go through it
    if PLAIN_REF.fullmatch(name) is not None and b".lock" not in name:
        return True
    return name.startswith(b"refs/") and check_ref_format(Ref(name))


def ignored_note(name: bytes) -> Phrase:
    from core.git.objects.path_safety import quoted  # (and dulwich's index module) only for such a ref

    return phrase("the remote advertised a ref with an invalid name {name}: ignored", name=quoted(name))
