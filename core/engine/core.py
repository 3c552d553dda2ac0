"""The composition root of the engine: one context, built in one place.

Every client (CLI, GUI, daemon) builds a `Core` and passes it down; nothing
reaches for a global.
"""

from __future__ import annotations

import asyncio
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dulwich.repo import Repo

from core.credentials import Credentials
from core.engine.remotes_mirror import mirror_all_remotes
from core.git.history.generations import GenerationIndex
from core.git.transfer.signer import (
    PasswordHandOver,
    SessionPasswords,
    Signer,
    SignInPrompt,
    SshPassphrases,
)
from core.journal import Journal
from core.offload import Offload
from core.paths import data_dir, store_file
from core.store.status_store import StatusStore

if TYPE_CHECKING:
    from core.git.transfer.ssh_questions import SshPrompt


@dataclass
class Core:
    """The engine's shared parts: the store, the I/O and CPU pools, credentials, the journal."""

    store: StatusStore
    offload: Offload
    credentials: Credentials
    journal: Journal
    # Generation indexes per repository id, kept while the core runs, so that
    # ahead/behind after a fetch only parses the commits that arrived.
    graph_indexes: dict[int, GenerationIndex] = field(default_factory=dict)
    # One `refresh_status` of a repository at a time (`measure_lock`): an index is not
    # thread-safe, and measures that hold no lease or no sync lock would meet on it.
    measure_locks: defaultdict[int, asyncio.Lock] = field(default_factory=lambda: defaultdict(asyncio.Lock))
    # How the client asks the user to sign in to an HTTP(S) remote (a terminal prompt,
    # the desktop app's dialog), called from a transfer's thread; None: it cannot ask.
    sign_in_prompt: SignInPrompt | None = None
    # How the client answers ssh's questions (an unknown host key, a key's passphrase),
    # called from a thread; None: nobody is asked. Passphrases typed are kept in memory
    # for the session, and answer ssh for every job, the background's too.
    ssh_prompt: SshPrompt | None = None
    passphrases: SshPassphrases = field(default_factory=SshPassphrases)
    # HTTP(S) passwords the user gave, kept in memory while a long-running engine (the
    # app, the daemon: `Daemon`) runs, for every job; None in a one-off command.
    passwords: SessionPasswords | None = None
    # A one-off command's (the CLI's): hands a typed password nothing else keeps to the
    # running engine, so its background fetches sign in (`core.cli_engine.hand_over_password`).
    hand_over: PasswordHandOver | None = None
    # A user's job may run the user's askpass program (GIT_ASKPASS, core.askPass,
    # SSH_ASKPASS) as git's prompt does: a CLI command's, or one the CLI asked the engine for.
    askpass: bool = False
    home: Path | None = None  # the data directory it was opened on

    def signer(self, *, ask: bool) -> Signer:
        """The keyring, the session's ssh passphrases and passwords, and the prompts too when
        the job may ask (the user started it)."""
        if not ask:
            return Signer(
                self.credentials,
                passphrases=self.passphrases,
                passwords=self.passwords,
                hand_over=self.hand_over,
            )
        prompts = (self.sign_in_prompt, self.passphrases, self.ssh_prompt)
        given = self.passwords, self.hand_over
        return Signer(self.credentials, *prompts, *given, askpass=self.askpass)

    def graph_index(self, repo_id: int, repo: Repo) -> GenerationIndex:
        index = self.graph_indexes.get(repo_id)
        if index is None:
            index = self.graph_indexes[repo_id] = GenerationIndex(repo)
        return index

    def measure_lock(self, repo_id: int) -> asyncio.Lock:
        """Held by a measure of the repository's branches outside a sync (`refresh_status`)."""
        return self.measure_locks[repo_id]

    @classmethod
    async def open(cls, home: Path | None = None, offload: Offload | None = None) -> Core:
        home = home or data_dir()
        offload = offload or Offload()
        store = await StatusStore.open(store_file(home), offload)
        credentials = Credentials(on_change=functools.partial(_records_forgotten, home))
        core = cls(store, offload, credentials, Journal(home / "activity.jsonl"), home=home)
        if store.recovery is not None:  # rebuilt from the registry file: remotes come from git
            await mirror_all_remotes(core)
        return core

    async def close(self, *, wait: bool = True) -> None:
        """Close the store and the executors; `wait=False` leaves threads still in a
        transfer to finish (or die with the process) rather than waiting for them."""
        await self.store.close()
        self.offload.shutdown(wait=wait)


def _records_forgotten(home: Path) -> None:
    """Every no-change fetch's record removed: one was made with the keyring as it was, and
    an HTTP(S) fetch sends the keyring's credential for its URL with its first request
    (`core/git/transfer/http_advertisement.py`), which a replay does not."""
    from core.engine.fetch_replay import forget_records  # the keyring changed: seldom

    forget_records(home)
