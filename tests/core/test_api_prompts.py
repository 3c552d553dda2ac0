"""A question the core asks the user (`Api.set_ssh_prompt`) and the app closing at the
same moment: the close always withdraws it, whatever the threads' order."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from core.api import Api, PassphraseQuestion, SshQuestion

BOUND = 20.0  # seconds; the old code waited forever


def test_a_close_while_the_question_opens_withdraws_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The question's thread is held right after handing the question to the loop, until
    the dialog is up and the app has begun to close (a loaded machine's scheduling, made
    certain). Before the fix the close saw no open question and the thread then waited on a
    dialog nobody would close."""

    async def scenario() -> str | None:
        api = await Api.open(tmp_path / "home")
        shown = threading.Event()
        handed = asyncio.run_coroutine_threadsafe

        def held(coro: Coroutine[Any, Any, Any], loop: asyncio.AbstractEventLoop) -> Future[Any]:
            future = handed(coro, loop)
            assert shown.wait(BOUND), "the question never reached the loop"
            return future

        async def ask(_question: SshQuestion) -> str | None:
            shown.set()  # the dialog is up: now the user quits
            api.stop()
            await asyncio.Event().wait()  # nobody answers
            return "never"

        api.set_ssh_prompt(ask)
        prompt = api.core.ssh_prompt
        assert prompt is not None
        question = PassphraseQuestion(remote="origin", key_file="/k")
        monkeypatch.setattr(asyncio, "run_coroutine_threadsafe", held)
        try:
            thread = asyncio.get_running_loop().run_in_executor(None, prompt, question)
            return await asyncio.wait_for(thread, BOUND)
        finally:
            monkeypatch.undo()
            await api.close()

    assert asyncio.run(scenario()) is None
