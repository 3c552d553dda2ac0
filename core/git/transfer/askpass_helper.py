"""Gitferry's `SSH_ASKPASS`: hands ssh's question to the running Gitferry and prints its answer.

ssh runs this (through the launcher `askpass.py` writes) with its prompt as
the only argument. The question goes over the private socket named in
`GITFERRY_ASKPASS_SOCKET` (a Unix socket in a directory only this user can
enter) with `GITFERRY_ASKPASS_TICKET`, which says which exchange asks; the
answer comes back on the same socket and goes to ssh on stdout, the only place
ssh reads it from. Nothing is written anywhere else, and no answer is ever in
an argument or a variable. No answer (declined, or Gitferry gone): exit 1,
which ssh takes as "no".

The standard library only, run with `python -I -S` (no site packages: a question's round
trip, launcher included, is about 80 ms on a shared 2-core machine), and
nothing from the environment changes what it imports.
"""

from __future__ import annotations

import json
import os
import socket
import sys

SOCKET_VARIABLE = "GITFERRY_ASKPASS_SOCKET"
TICKET_VARIABLE = "GITFERRY_ASKPASS_TICKET"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path, ticket = os.environ.get(SOCKET_VARIABLE), os.environ.get(TICKET_VARIABLE)
    if not path or not ticket:
        return 1
    question = json.dumps({"ticket": ticket, "prompt": args[0] if args else ""})
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(path)
            sock.sendall(question.encode() + b"\n")
            with sock.makefile("rb") as replies:
                reply = replies.readline()
    except OSError:
        return 1
    try:
        answer = json.loads(reply).get("answer") if reply else None
    except ValueError:
        return 1
    if not isinstance(answer, str):
        return 1
    sys.stdout.write(answer + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
