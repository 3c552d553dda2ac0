"""A git credential helper for the tests: speaks git's credential protocol and logs its calls.

Run as ``credential_helper.py STATE_DIR ACTION`` (git appends the action). It keeps
the credentials it was told to ``store`` in ``STATE_DIR/store.json`` (as git's
``credential-store`` keeps ``~/.git-credentials``), answers ``get`` from there, and
removes an entry on ``erase``. ``STATE_DIR/calls.jsonl`` gets one line per call:
the action, the fields it was given (a password only as ``"<given>"``), its
command line and whether a secret was in its environment. ``STATE_DIR/answer.json``,
when present, is what ``get`` answers whatever is stored (a test's fixed reply).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def read_request() -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line:
            break
        key, _, value = line.partition("=")
        fields[key] = value
    return fields


def key_of(fields: dict[str, str]) -> str:
    return "|".join(fields.get(k, "") for k in ("protocol", "host", "path"))


def main() -> int:
    state, action = Path(sys.argv[1]), sys.argv[2]
    fields = read_request()
    store_file = state / "store.json"
    stored: dict[str, dict[str, str]] = json.loads(store_file.read_text()) if store_file.exists() else {}
    shown = {k: ("<given>" if k == "password" else v) for k, v in fields.items()}
    secret = fields.get("password")
    environment = "".join(os.environ.values())
    call = {
        "action": action,
        "fields": shown,
        "argv": sys.argv,
        "secret_in_env": bool(secret and secret in environment),
    }
    with (state / "calls.jsonl").open("a") as log:
        log.write(json.dumps(call) + "\n")
    if action == "get":
        fixed = state / "answer.json"
        found = json.loads(fixed.read_text()) if fixed.exists() else stored.get(key_of(fields))
        if found:
            sys.stdout.write("".join(f"{k}={v}\n" for k, v in found.items()))
    elif action == "store":
        stored[key_of(fields)] = {"username": fields.get("username", ""), "password": secret or ""}
    elif action == "erase":
        entry = stored.get(key_of(fields))
        if entry is not None and (secret is None or entry["password"] == secret):
            del stored[key_of(fields)]
    store_file.write_text(json.dumps(stored))
    return 0


if __name__ == "__main__":
    sys.exit(main())
