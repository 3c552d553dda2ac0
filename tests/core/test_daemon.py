"""How a background fetch's report reads to the scheduler (backoff, breaker, offline)."""

from __future__ import annotations

from core.engine.daemon import as_outcome
from core.engine.fetch_outcome import OutcomeKind
from core.engine.report import SyncReport
from core.results import ResultKind


def report(result: ResultKind, answered: list[str], failed: dict[str, str]) -> SyncReport:
    out = SyncReport("r", result=result, message=str(result))
    out.answered_remotes, out.failed_remotes = answered, failed
    return out


def test_every_remote_answered_is_ok() -> None:
    outcome = as_outcome(report(ResultKind.UP_TO_DATE, ["origin", "backup"], {}))
    assert outcome.kind is OutcomeKind.OK and outcome.answered == ("origin", "backup")


def test_one_remote_failing_names_it_and_keeps_the_others() -> None:
    outcome = as_outcome(report(ResultKind.AUTH_FAILED, ["origin"], {"backup": "authentication refused"}))
    assert outcome.kind is OutcomeKind.FAILED
    assert dict(outcome.failed) == {"backup": "authentication refused"} and outcome.answered == ("origin",)


def test_nothing_reachable_is_offline() -> None:
    outcome = as_outcome(report(ResultKind.OFFLINE, [], {"origin": "connection refused"}))
    assert outcome.kind is OutcomeKind.OFFLINE


def test_a_failure_of_the_repository_itself_is_a_failed_fetch() -> None:
    outcome = as_outcome(report(ResultKind.ERROR, [], {}))
    assert outcome.kind is OutcomeKind.FAILED and outcome.error == "error"


def test_a_cancelled_fetch_is_no_failure_to_back_off_from() -> None:
    outcome = as_outcome(SyncReport("r", ResultKind.ERROR, "cancelled"))
    assert outcome.kind is OutcomeKind.OK


def test_an_upstream_the_remote_deleted_is_no_failure_to_back_off_from() -> None:
    """The fetch went through; the user has a branch to re-point, not a remote to retry."""
    outcome = as_outcome(report(ResultKind.DIVERGED, ["origin"], {}))
    assert outcome.kind is OutcomeKind.OK and outcome.answered == ("origin",)


def test_a_conflict_or_dirty_tree_a_fetch_leaves_standing_is_no_failure_to_back_off_from() -> None:
    """A background fetch of a repository stopped on a conflict (or local changes in the
    way) says that stop again; every remote answered: no backoff, no remote blamed."""
    for result in (ResultKind.CONFLICT, ResultKind.DIRTY):
        outcome = as_outcome(report(result, ["origin"], {}))
        assert outcome.kind is OutcomeKind.OK and outcome.answered == ("origin",)
    # A detached HEAD the fetch says again (`error`, as the sync): no crash to back off from.
    detached = report(ResultKind.ERROR, ["origin"], {})
    assert as_outcome(detached).kind is OutcomeKind.FAILED
    detached.standing = True
    outcome = as_outcome(detached)
    assert outcome.kind is OutcomeKind.OK and outcome.answered == ("origin",)
