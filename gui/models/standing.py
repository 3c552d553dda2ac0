"""Where a repository stands, in one word and one line, derived from everything the
window knows about it: the engine's live state, the last run's result, its conflicts,
its skipped files and, above all, its branch table.

This is the only place that decides whether a repository is "up to date": the
Result column, the detail pane's header, the status bar, the tray's icon and
tooltip and "Sync all"'s summary all read `standing()`, so none of them can say
"in sync" while the branch table shows a branch ahead, behind or diverged, a
conflict waits, files were skipped, a submodule is off its recorded commit or has
local changes, or every remote is down. Nor do they count as
"to sync" a branch the next sync leaves as it is (not checked out, only behind while
`fast_forward_all` is off or while another worktree has it checked out, or only ahead
while `push_all` is off: `SyncReach`; nor one only ahead whose push remote, a fork,
has its head: `BranchStatus.pending_push`): that one is said as what it is ("drafts: 1
behind, not checked out", "drafts: 1 behind, checked out in /home/a/drafts"), and the
repository, though nothing is to sync, is not "up to date" either (`Level.LEFT`, the
SPEC's rule: never "up to date" with a branch behind).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

from PySide6.QtCore import QCoreApplication, QDateTime

from core.model import (
    DEFAULT_REACH,
    BranchStatus,
    RepoRecord,
    RepoState,
    SubmoduleStatus,
    SyncReach,
    lag_said,
    left_alone_said,
)
from core.phrase import Phrase
from core.results import CANCELLED_MESSAGE, Unfinished
from gui.models.branches import state_word
from gui.models.engine_words import in_language, said
from gui.models.formatting import first_upper, translate_n
from gui.translations import QT_TRANSLATE_NOOP

translate = QCoreApplication.translate  # by this name, pyside6-lupdate finds the texts


class Level(IntEnum):
    """How much a repository's standing asks of the user, least first. The tray shows
    the highest level of all repositories (`BUSY` ranks below the warnings there)."""

    IN_SYNC = 0  # every tracked branch level with its upstream, last run fine
    # A branch a sync leaves as it is (`SyncReach`) is behind or ahead: not up to date
    # (SPEC), nothing for a sync or the user either; said as what it is, counted apart.
    LEFT = 1
    PAUSED = 2
    OFFLINE = 3  # no remote answers: a state, not a stream of errors
    # Never synced nor fetched (`gitferry add` measures without fetching): nothing is known
    # to sync yet, so it is counted "not synced yet", not "to sync" (a trial's status bar
    # said "11 to sync" of repositories git said were up to date).
    NOT_SYNCED = 4
    PENDING = 5  # a branch ahead or behind: the next sync has work
    CANCELLED = 6  # the user stopped the last run; nothing is wrong
    BUSY = 7
    WARNING = 8  # skipped files, a diverged branch: worth a look
    ATTENTION = 9  # a conflict, a refused sign-in, a failure, a tripped remote: the user must act


@dataclass(frozen=True)
class Standing:
    level: Level
    text: str  # the short line: the Result column, the header's first words
    details: tuple[str, ...] = ()  # every other true thing worth saying, one line each
    brief: tuple[str, ...] = ()  # shorter forms of `text`, longest first (`brief_forms`)

    @property
    def in_sync(self) -> bool:
        return self.level is Level.IN_SYNC

    def tooltip(self) -> str:
        return "\n".join((self.text, *self.details))


def branch_lag(branch: BranchStatus) -> str | None:
    """'main: 1 ahead, 2 behind' (diverged), 'main: 2 behind', …; None when level or not
    tracked, or ahead of a fork that has it (`git push` finds nothing). In a sync's words."""
    lag = lag_said(branch)
    return None if lag is None else said(lag)


def left_alone_line(branch: BranchStatus) -> str:
    """'drafts: 1 behind, not checked out': a branch the next sync leaves as it is; one
    another worktree uses names it ('drafts: 1 behind, checked out in /home/a/drafts').
    In a sync's words (`left_alone_said`), as its line says it."""
    return said(left_alone_said(branch))


def left_alone_count(branches: Sequence[BranchStatus]) -> str:
    """'2 branches behind, left as they are': several branches a sync leaves behind or
    ahead, in one line (each one's own line follows it)."""
    if all(b.behind for b in branches):
        return translate_n("Standing", "%n branches behind, left as they are", len(branches))
    if not any(b.behind for b in branches):
        return translate_n("Standing", "%n branches ahead, left as they are", len(branches))
    return translate_n("Standing", "%n branches behind or ahead, left as they are", len(branches))


UNFINISHED_WORDS = {  # a `dirty` result under an unfinished git command, as `git status` names it
    Unfinished.MERGE: QT_TRANSLATE_NOOP("Standing", "Merge in progress"),
    Unfinished.REBASE: QT_TRANSLATE_NOOP("Standing", "Rebase in progress"),
    Unfinished.AM: QT_TRANSLATE_NOOP("Standing", "git am in progress"),
    Unfinished.CHERRY_PICK: QT_TRANSLATE_NOOP("Standing", "Cherry-pick in progress"),
    Unfinished.REVERT: QT_TRANSLATE_NOOP("Standing", "Revert in progress"),
    Unfinished.CHERRY_PICK_OR_REVERT: QT_TRANSLATE_NOOP("Standing", "Cherry-pick or revert in progress"),
    Unfinished.BISECT: QT_TRANSLATE_NOOP("Standing", "Bisect in progress"),
    Unfinished.UNMERGED: QT_TRANSLATE_NOOP("Standing", "Unmerged paths"),
}


def result_words(result: str, unfinished: str | None = None) -> str:
    """The last run's result in the user's words, never the internal key; a `dirty` one
    that stopped on a git command left `unfinished` (the report's and the store's field)
    says that command ("Rebase in progress"), not "Local changes in the way"."""
    if result == "dirty" and unfinished in UNFINISHED_WORDS:
        return translate("Standing", UNFINISHED_WORDS[Unfinished(unfinished)])
    words = {
        "ok": translate("Standing", "Synced"),
        "up_to_date": translate("Standing", "Up to date"),
        "conflict": translate("Standing", "Conflict"),
        "diverged": translate("Standing", "Diverged: not integrated"),
        "unpublished": translate("Standing", "Commits on no remote"),
        "dirty": translate("Standing", "Local changes in the way"),
        "busy": translate("Standing", "Busy: another git command holds it"),
        "offline": translate("Standing", "Offline"),
        # Sign-in needed, not "refused": most often nothing was refused, the server asked for a
        # password nobody could give (none kept: no keyring; a background fetch asks nobody).
        # Whether one was refused, the message says.
        "auth_failed": translate("Standing", "Sign-in needed"),
        "error": translate("Standing", "Failed"),
    }
    return words.get(result, result.replace("_", " ").capitalize())


def way_on(result: str | None, unfinished: str | None = None, said: Sequence[Phrase] = ()) -> str:
    """What to do after a run that stopped on local changes in the way, as `git pull` says;
    "" after any other. A newcomer's trial met "Local changes in the way" in the row, its
    tooltip and the notice, and nowhere what to do (a git command left unfinished says its
    own way on). The engine's message says it (`WorktreeInTheWay`: what is in the way, then
    what to do, `core.git.worktree.switch_check.way_on`), the CLI's line as the app's: here
    is that way on, for a place that shows the run's result but not its message; git's
    "commit or stash" when the message (`said`, its parts) says none (one recorded as plain
    text, an autostash's own words): the stop is still said, never an empty "no conflicts"."""
    if result != "dirty" or unfinished in UNFINISHED_WORDS:
        return ""
    for at, part in enumerate(said):
        if {"dirty", "untracked"} & {name for name, _ in part.fields} and said[at + 1 :]:
            return first_upper(in_language(said[at + 1 :])) + "."
    return translate("Standing", "Commit or stash them with git (git status lists them), then sync again.")


def standing(
    record: RepoRecord,
    state: str,
    branches: Sequence[BranchStatus] = (),
    *,
    conflicts: int = 0,
    skipped: int = 0,
    submodules: Sequence[SubmoduleStatus] = (),
    activity: str = "",
    reach: SyncReach = DEFAULT_REACH,
) -> Standing:
    """Where the repository stands, most pressing first; `activity` is what a busy one is
    doing, `reach` which branches besides the checked-out one its sync moves."""
    result = record.last_result
    cancelled = record.last_message == CANCELLED_MESSAGE
    found: list[tuple[Level, str]] = []
    if conflicts or result == "conflict":
        text = (
            translate_n("Standing", "Conflict: %n file(s)", conflicts)
            if conflicts
            else translate("Standing", "Conflict")
        )
        found.append((Level.ATTENTION, text))
    unreachable = result == "offline"
    if state == RepoState.TRIPPED and not unreachable:
        found.append((Level.ATTENTION, translate("Standing", "A remote keeps failing")))
    for branch in branches:
        if branch.unpublished:
            text = translate_n("Standing", "%1: %n commit(s) on no remote", branch.unpublished)
            found.append((Level.ATTENTION, text.replace("%1", branch.name)))
        elif branch.upstream is not None and branch.upstream_gone:
            found.append(
                (Level.ATTENTION, translate("Standing", "%1: upstream gone").replace("%1", branch.name))
            )
    # 'Commits on no remote' beside 'topic: 5 commits on no remote' would say one fact twice
    said_by_branch = result == "unpublished" and any(b.unpublished for b in branches)
    if (
        result in ("auth_failed", "error", "dirty", "diverged", "unpublished")
        and not cancelled
        and not said_by_branch
    ):
        found.append((Level.ATTENTION, result_words(result, record.last_unfinished)))
    left: list[BranchStatus] = []
    moved: list[BranchStatus] = []
    for branch in branches:
        (left if reach.leaves(branch) else moved).append(branch)
    lagging = branches_lagging(moved)
    briefs: dict[str, tuple[str, ...]] = {}
    if lagging is not None:
        level, text, lines, brief = lagging
        found.append((level, text))
        briefs[text] = brief
        if len(lines) > 1:  # each branch's own line follows the summary
            found.extend((level, line) for line in lines)
    if skipped:
        text = translate_n("Standing", "%n file(s) skipped", skipped)
        found.append((Level.WARNING, text))
        # the count kept in a narrower column: German's "1 Datei übersprungen" read as
        # "Warnung" alone in a 1000 px window (a German user's trial)
        briefs[text] = (translate_n("Standing", "%n skipped", skipped),)
    found.extend((Level.WARNING, line) for sub in submodules if (line := submodule_words(sub)) is not None)
    if state in (RepoState.SYNCING, RepoState.FETCHING):
        found.append((Level.BUSY, activity or translate("Standing", "Syncing…")))
    if cancelled:
        found.append((Level.CANCELLED, translate("Standing", "Cancelled")))
    if unreachable or state == RepoState.OFFLINE:
        found.append((Level.OFFLINE, translate("Standing", "Offline")))
    if state == RepoState.PAUSED:
        found.append((Level.PAUSED, translate("Standing", "Paused")))
    if result is None:
        found.append((Level.NOT_SYNCED, translate("Standing", "Not synced yet")))
    alone = tuple(left_alone_line(b) for b in left)  # said last, counted apart
    # A pause hides nothing known: a branch left behind is said first and counted, as
    # anything more pressing than the pause is, and "Paused" follows it (the Activity
    # column says it too).
    if all(level <= Level.PAUSED for level, _text in found) and (astray := [b for b in left if b.lags]):
        text = left_alone_line(astray[0]) if len(astray) == 1 else left_alone_count(astray)
        each = tuple(line for line in alone if line != text)
        paused = tuple(line for _level, line in found)
        return Standing(Level.LEFT, text, (*paused, *each), brief_forms(Level.LEFT, text, branches))
    if not found:
        return Standing(
            Level.IN_SYNC,
            result_words("up_to_date") if result else translate("Standing", "Up to date"),
            alone,
        )
    found.sort(key=lambda item: -item[0])  # stable: a summary's own lines stay after it
    (level, text), rest = found[0], found[1:]
    brief = brief_forms(level, text, branches, briefs.get(text, ()))
    return Standing(level, text, (*(line for _level, line in rest), *alone), brief)


def run_said_up_to_date(record: RepoRecord, stands: Standing) -> bool:
    """The last run's message is an "up to date" (a fetch's, or a sync's that left a branch
    behind) while the repository is not: said beside the branch, it would read as the
    repository's state, which it is not; the Result cell's tooltip and the header leave it out."""
    return record.last_result == "up_to_date" and not stands.in_sync


_SUBMODULE_WORDS = {  # a state of `core.git.worktree.submodules.statuses`, as `gitferry status` says it
    "modified": QT_TRANSLATE_NOOP("Standing", "Submodule %1: not at the recorded commit"),
    "changed": QT_TRANSLATE_NOOP("Standing", "Submodule %1: has local changes"),
}


def submodule_words(sub: SubmoduleStatus) -> str | None:
    """A submodule worth a look: another commit checked out than the one recorded, or local
    changes inside it; None when it is at its commit, clean, or not checked out (a choice)."""
    words = _SUBMODULE_WORDS.get(sub.state)
    return None if words is None else translate("Standing", words).replace("%1", sub.path)


LEVEL_WORDS = {  # the briefest form of any line at the level (the others' lines are short)
    Level.ATTENTION: QT_TRANSLATE_NOOP("Standing", "Needs you"),
    Level.WARNING: QT_TRANSLATE_NOOP("Standing", "Warning"),
    Level.PENDING: QT_TRANSLATE_NOOP("Standing", "To sync"),
}


def level_words() -> list[str]:
    """The levels' own words as the user reads them (the Result column's least width)."""
    return [translate("Standing", word) for word in LEVEL_WORDS.values()]


def brief_forms(
    level: Level, text: str, branches: Sequence[BranchStatus], own: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """Shorter forms of any Result line, longest first, for a column too narrow for it
    (a narrow window, German, a long branch name): the Result column paints the first
    that fits (gui/widgets/result_delegate.py), the whole line stays in the tooltip. One
    rule for every kind of line: its `own` forms (a summary of several branches:
    'ideas diverged, +2'); a branch's line keeps the branch's name first, its count
    without what follows ('drafts: 1 behind…' for 'drafts: 1 behind, not checked out'),
    then the branch table's word for it ('topic: not published'), and where the level has
    a word of its own to end on, the line without the name ('3 commits on no remote') and
    that word ('Not published'); a branch left as it is has none: its line is about that
    branch, and without the name read as the repository's ('1 behind, not checked out',
    'Behind' in a newcomer's trial), so the briefest keeps the name, and a column
    narrower still cuts it at its end; a 'What: why' line's 'What' ('Conflict: 3 files' is
    'Conflict'); last, the level's own word ('Needs you')."""
    forms = list(own)
    named = next((b for b in branches if text.startswith(f"{b.name}: ")), None)
    if named is not None:
        lag = branch_lag(named)
        if lag is not None and lag != text and text.startswith(lag):
            forms.append(f"{lag}…")  # what follows the count is in the tooltip
        forms.append(f"{named.name}: {state_word(named)}")
        if level in LEVEL_WORDS:
            forms.append(text[len(named.name) + 2 :])
            forms.append(first_upper(state_word(named)))
    elif ": " in text:
        forms.append(text.split(": ", 1)[0])
    if level in LEVEL_WORDS:
        forms.append(translate("Standing", LEVEL_WORDS[level]))
    return tuple(dict.fromkeys(form for form in forms if form != text))


def branches_lagging(
    branches: Sequence[BranchStatus],
) -> tuple[Level, str, list[str], tuple[str, ...]] | None:
    """The branches ahead of or behind their upstream in one short line, never only the
    first of them: 'main: 1 ahead, 2 behind' for one; for several 'ideas diverged, 2
    more to sync', '2 branches diverged', '3 branches to sync' (the line fits the Result
    column; each branch's own line is in the tooltip, the header and the branch table).
    A diverged branch is a warning (a sync will not integrate it alone), the rest work
    for the next sync. Returns the level, the line, each branch's line (diverged first)
    and briefer lines for a narrow column ('ideas diverged, +2', then '1 diverged, +2': the
    branch's name, which may be long, said as a count; none where the line is short or
    names one branch, see `without_branch`)."""
    lags = [(b, lag) for b in branches if (lag := branch_lag(b)) is not None]
    if not lags:
        return None
    lags.sort(key=lambda bl: not (bl[0].ahead and bl[0].behind))  # stable: diverged first
    lines = [lag for _b, lag in lags]
    diverged = [b.name for b, _lag in lags if b.ahead and b.behind]
    level = Level.WARNING if diverged else Level.PENDING
    if len(lags) == 1:
        return level, lines[0], lines, ()
    others = len(lags) - len(diverged)
    brief: tuple[str, ...] = ()
    if not diverged:
        text = translate_n("Standing", "%n branches to sync", len(lags))
        brief = (translate_n("Standing", "%n to sync", len(lags)),)
    elif len(diverged) == 1:
        text = translate_n("Standing", "%1 diverged, %n more to sync", others).replace("%1", diverged[0])
        form = translate_n("Standing", "%1 diverged, +%n", others)
        brief = (form.replace("%1", diverged[0]), form.replace("%1", "1"))
    elif others:
        text = translate_n("Standing", "%1 branches diverged, %n more to sync", others).replace(
            "%1", str(len(diverged))
        )
        form = translate_n("Standing", "%1 branches diverged, +%n", others)
        brief = (
            form.replace("%1", str(len(diverged))),
            translate_n("Standing", "%n branches diverged", len(diverged)),
        )
    else:
        text = translate_n("Standing", "%n branches diverged", len(diverged))
    return level, text, lines, brief


def by_level(named: Sequence[tuple[str, Standing]]) -> dict[Level, list[str]]:
    """The repositories' names at each level they stand at (levels nobody is at are left out)."""
    out: dict[Level, list[str]] = {}
    for name, stands in named:
        out.setdefault(stands.level, []).append(name)
    return out


def pause_end(until: str) -> str:
    """A stored pause's end as the clock shows it ('15:04'); '' for a pause without end."""
    if not until.isdigit():
        return ""
    return QDateTime.fromSecsSinceEpoch(int(until)).toString("HH:mm")


def syncing_state(paused: bool, until: str = "") -> str:
    """The one name of the pause's state, the same in the status bar, the tray's tooltip
    and the Pause/Resume syncing toggles' tooltips: 'syncing on', 'syncing paused',
    'syncing paused until 15:04' (`until`: the stored pause, see `pause_end`)."""
    if not paused:
        return translate("Standing", "syncing on")
    if end := pause_end(until):
        return translate("Standing", "syncing paused until %1").replace("%1", end)
    return translate("Standing", "syncing paused")


def pause_tooltip(paused: bool) -> str:
    """What the Pause/Resume syncing toggle does, in the state's own words."""
    if paused:
        return translate(
            "Standing",
            "Syncing is paused: Resume syncing lets background fetches and automatic syncs run again",
        )
    return translate(
        "Standing",
        "Syncing is on: Pause syncing stops background fetches and automatic syncs (Sync now still works)",
    )


def overview(named: Sequence[tuple[str, Standing]], *, fetch_paused: bool, until: str = "") -> list[str]:
    """The status bar's words: '3 repositories · 1 needs you · 1 to sync · syncing on'."""
    levels = by_level(named)
    parts = [translate_n("Standing", "%n repositories", len(named))]
    counted = (
        (Level.ATTENTION, QT_TRANSLATE_NOOP("Standing", "%n need(s) you")),
        (Level.WARNING, QT_TRANSLATE_NOOP("Standing", "%n with a warning")),
        (Level.BUSY, QT_TRANSLATE_NOOP("Standing", "%n syncing")),
        (Level.PENDING, QT_TRANSLATE_NOOP("Standing", "%n to sync")),
        (Level.NOT_SYNCED, QT_TRANSLATE_NOOP("Standing", "%n not synced yet")),
        (Level.CANCELLED, QT_TRANSLATE_NOOP("Standing", "%n cancelled")),
        (Level.LEFT, QT_TRANSLATE_NOOP("Standing", "%n with a branch left behind or ahead")),
    )
    for level, text in counted:
        if levels.get(level):
            parts.append(translate_n("Standing", text, len(levels[level])))
    if levels.get(Level.OFFLINE):
        parts.append(translate("Standing", "offline"))
    if named and set(levels) == {Level.IN_SYNC}:
        parts.append(translate("Standing", "all up to date"))
    parts.append(syncing_state(fetch_paused, until))
    return parts
