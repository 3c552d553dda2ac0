"""The CLI's side of the resident engine against a real Unix socket: an engine slow to
say whether it takes the sync (a loaded machine, its store read first) is still the one
that answers; the CLI does not run the sync a second time in its own process."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from core.cli_engine import CONNECT_SECONDS, sync_through_engine
from core.cli_output import EXIT_USAGE
from tests.integration.engine_process import listening_socket


@pytest.mark.slow
def test_an_engine_slower_to_answer_than_to_connect_is_still_heard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before, the connect's 2 s bound covered the first answer too: a late one made the
    CLI sync in its own process (and import the whole engine) beside the engine's."""
    home = tmp_path / "home"
    monkeypatch.setenv("GITFERRY_HOME", str(home))
    server = listening_socket(home)
    heard: list[dict[str, object]] = []

    def slow_engine() -> None:
        connection, _ = server.accept()
        with connection, connection.makefile("rb") as lines:
            heard.append(json.loads(lines.readline()))
            time.sleep(CONNECT_SECONDS + 1.0)  # longer than connecting may take
            connection.sendall(b'{"error": "no repository named nowhere", "bad_input": true}\n')

    engine = threading.Thread(target=slow_engine, daemon=True)
    engine.start()
    try:
        code = sync_through_engine(["nowhere"], fetch_only=True, no_push=False, as_json=False)
    finally:
        engine.join(30)
        server.close()
    assert code == EXIT_USAGE  # the engine's answer, not None (sync it here)
    assert heard[0]["names"] == ["nowhere"]
    assert capsys.readouterr().err == "gitferry: no repository named nowhere\n"
