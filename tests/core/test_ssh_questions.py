"""Reading what OpenSSH 9.2 asks and says (texts captured from it), without a server:
which question a prompt is, who answers it, and the error an ssh failure becomes."""

from __future__ import annotations

import threading

import pytest

from core.git.transfer.errors import AuthFailed, RemoteUnreachable, TransferFailed
from core.git.transfer.signer import SshPassphrases
from core.git.transfer.ssh_questions import (
    HostKeyChanged,
    HostKeyChangedNotice,
    HostKeyQuestion,
    HostKeyUnknown,
    PassphraseQuestion,
    SshAsking,
    SshQuestion,
    ssh_failure,
    ssh_lines_said,
)
from tests.waiting import CAP, wait_until

FP = "SHA256:aUi2Jx4uIb22nqkfD1B5Dt0bmAWKMbf+oFegjYDakA8"
UNKNOWN = (
    "The authenticity of host '[127.0.0.1]:40971 ([127.0.0.1]:40971)' can't be established.\n"
    f"ED25519 key fingerprint is {FP}.\n"
    "This key is not known by any other names.\n"
    "Are you sure you want to continue connecting (yes/no/[fingerprint])? "
)
PASSPHRASE = "Enter passphrase for key '/home/me/.ssh/id_ed25519': "
CHANGED = f"""@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @
@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!
The fingerprint for the ED25519 key sent by the remote host is
{FP}.
Please contact your system administrator.
Add correct host key in /home/me/.ssh/known_hosts to get rid of this message.
Offending ED25519 key in /home/me/.ssh/known_hosts:1
  remove with:
  ssh-keygen -f "/home/me/.ssh/known_hosts" -R "[127.0.0.1]:40971"
Host key for [127.0.0.1]:40971 has changed and you have requested strict checking.
Host key verification failed."""


class Asked:
    def __init__(self, *answers: str | None) -> None:
        self.answers = list(answers)
        self.questions: list[SshQuestion] = []

    def __call__(self, question: SshQuestion) -> str | None:
        self.questions.append(question)
        return self.answers.pop(0)


def test_an_unknown_host_key_is_asked_and_only_its_own_fingerprint_accepts_it() -> None:
    asked = Asked(FP)
    asking = SshAsking("origin", asked)
    assert asking.answer(UNKNOWN) == FP
    assert asked.questions == [HostKeyQuestion("origin", "[127.0.0.1]:40971", "ED25519", FP)]
    assert asking.accepted_host is not None and asking.declined_host is None
    for answer in (None, "yes", "SHA256:other"):
        refusing = SshAsking("origin", Asked(answer))
        assert refusing.answer(UNKNOWN) is None and refusing.declined_host is not None
    nobody = SshAsking("origin")
    assert nobody.answer(UNKNOWN) is None
    error = ssh_failure("origin", "ssh://h/r.git", "Host key verification failed.", nobody)
    assert isinstance(error, HostKeyUnknown)
    assert f"(ED25519 {FP})" in error.message and f"gitferry trust-host ssh://h/r.git {FP}" in error.message
    given = SshAsking("origin", accepted="SHA256:other")  # trust-host with another key
    assert given.answer(UNKNOWN) is None and given.declined_host is not None


def test_a_passphrase_is_kept_for_the_session_and_forgotten_when_ssh_asks_again() -> None:
    kept = SshPassphrases()
    asked = Asked("first", "second")
    one = SshAsking("origin", asked, kept)
    assert one.answer(PASSPHRASE) == "first"
    assert SshAsking("origin", None, kept).answer(PASSPHRASE) == "first"  # nobody asked
    two = SshAsking("origin", asked, kept)
    assert two.answer(PASSPHRASE) == "first"
    assert two.answer(PASSPHRASE) == "second"  # asked again: "first" was wrong
    assert kept.get("/home/me/.ssh/id_ed25519") == "second"
    key = "/home/me/.ssh/id_ed25519"  # the second question says the kept one was not right (08d4ab1)
    assert asked.questions == [
        PassphraseQuestion("origin", key),
        PassphraseQuestion("origin", key, again=True),
    ]
    assert "second" not in repr(kept) and "second" not in repr(two)
    declined = SshAsking("origin", Asked(None))
    assert declined.answer(PASSPHRASE) is None
    error = ssh_failure("origin", "u", "me@h: Permission denied (publickey).", declined)
    assert isinstance(error, AuthFailed) and "needs its passphrase" in error.message


def test_two_exchanges_needing_one_key_at_once_ask_once() -> None:
    kept = SshPassphrases()
    first_asked = threading.Event()
    release = threading.Event()
    questions: list[SshQuestion] = []

    def slow_user(question: SshQuestion) -> str:
        questions.append(question)
        first_asked.set()
        release.wait(CAP)
        return "typed"

    answers: list[str | None] = []
    exchanges = [SshAsking(remote, slow_user, kept) for remote in ("one", "two")]

    def exchange(asking: SshAsking) -> None:
        answers.append(asking.answer(PASSPHRASE))

    threads = [threading.Thread(target=exchange, args=(asking,)) for asking in exchanges]
    threads[0].start()
    assert first_asked.wait(CAP)
    threads[1].start()  # ssh asks the second exchange while the user reads the first question
    wait_until(lambda: exchanges[1].waiting, "the second exchange to be asked")
    release.set()
    for thread in threads:
        thread.join(CAP)
    assert answers == ["typed", "typed"] and len(questions) == 1


def test_a_password_prompt_is_never_answered() -> None:
    asked = Asked()
    assert SshAsking("origin", asked).answer("me@host's password: ") is None
    assert asked.questions == []


def test_a_changed_host_key_becomes_a_warning_with_the_new_fingerprint() -> None:
    error = ssh_failure("origin", "u", CHANGED, SshAsking("origin"))
    assert isinstance(error, HostKeyChanged)
    assert error.notice == HostKeyChangedNotice(
        "origin", "[127.0.0.1]:40971", "ED25519", FP, "/home/me/.ssh/known_hosts"
    )
    assert "has CHANGED" in error.message and "\n" not in error.message


@pytest.mark.parametrize(
    ("stderr", "kind"),
    [
        ("ssh: connect to host h port 22: Connection refused", RemoteUnreachable),
        ("ssh: Could not resolve hostname nowhere: Name or service not known", RemoteUnreachable),
        ("fatal: '/r.git' does not appear to be a git repository", TransferFailed),
        ("No ED25519 host key is known for h and you have requested strict checking.", TransferFailed),
    ],
)
def test_other_ssh_failures(stderr: str, kind: type[Exception]) -> None:
    error = ssh_failure("origin", "u", stderr, None)
    assert type(error) is kind


@pytest.mark.parametrize(
    ("stderr", "said"),
    [
        (
            "Warning: Permanently added 'h' (ED25519) to the list of known hosts.\r\n"
            "Host key verification failed.\nfatal: Could not read from remote repository.\n\n"
            "Please make sure you have the correct access rights\nand the repository exists.\n",
            "Host key verification failed; fatal: Could not read from remote repository; "
            "Please make sure you have the correct access rights and the repository exists.",
        ),
        (
            "ssh: connect to host h port 22: Connection refused\nfatal: Could not read from remote.",
            "ssh: connect to host h port 22: Connection refused; fatal: Could not read from remote.",
        ),
        ("me@h: Permission denied (publickey).", "me@h: Permission denied (publickey)."),
        ("Warning: Permanently added 'h' (ED25519) to the list of known hosts.", "Warning: Permanently added "
         "'h' (ED25519) to the list of known hosts."),
    ],
)  # fmt: skip
def test_ssh_lines_are_said_as_separate_sentences(stderr: str, said: str) -> None:
    assert ssh_lines_said(stderr) == said
    assert ssh_failure("origin", "u", stderr, None).message.endswith(said)
