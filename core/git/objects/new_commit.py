"""The one place Gitferry makes a commit object: stamped, and signed when the user's git signs.

Merges, rebased commits, auto-commits and keep-both merges are all built by
`CommitMaker.make`. With `commit.gpgsign` true the commit is signed as it is
built, before it can reach an object store: the signature covers the commit's
bytes without it and goes in a `gpgsig` header after every other header, as
git's `add_header_signature` places it. A commit that cannot be signed is
never made (`SigningFailed`), so there is no unsigned commit to write, move a
branch to, or push.
"""

from __future__ import annotations

from dataclasses import dataclass

from dulwich.objects import Commit, ObjectID
from dulwich.repo import Repo

from core.git.config.identity import Signature, signature, stamp_commit
from core.git.config.signing import SigningConfig, signing_config
from core.git.objects.signing import sign


@dataclass(frozen=True)
class CommitMaker:
    """Who makes the commits of one operation, and how they are signed (None: unsigned)."""

    author: Signature
    committer: Signature
    signing: SigningConfig | None

    @classmethod
    def for_repo(cls, repo: Repo, now: float | None = None) -> CommitMaker:
        """Identities and signing as `repo`'s git would use them now. A signing
        configuration git would refuse raises `SigningFailed` here, before any work."""
        return cls(signature(repo, "AUTHOR", now), signature(repo, "COMMITTER", now), signing_config(repo))

    def make(
        self,
        *,
        tree: ObjectID,
        parents: list[ObjectID],
        message: bytes,
        author: Signature | None = None,
        encoding: bytes | None = None,
    ) -> Commit:
        """A commit of `tree`; `author` defaults to this maker's (a rebase keeps the original)."""
        commit = Commit()
        commit.tree = tree
        commit.parents = parents
        commit.message = message
        if encoding is not None:
            commit.encoding = encoding
        stamp_commit(commit, author=author or self.author, committer=self.committer)
        if self.signing is not None:
            signature_bytes = sign(self.signing, commit.as_raw_string(), self.committer.identity)
            # dulwich writes the header's last line with its own newline.
            commit.gpgsig = signature_bytes.removesuffix(b"\n")
        return commit
