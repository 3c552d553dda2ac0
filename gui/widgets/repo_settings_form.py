"""A repository's sync settings, each field validated by the core's own parsers as it is typed."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from core.api import (
    AS_GIT_PULL,
    NO_PULL_SETTING,
    REPO_PARSERS,
    SET_IN_GITFERRY,
    STRATEGIES,
    BadSetting,
    RepoSettings,
    as_text,
    parse_setting,
)
from gui.translations import QT_TRANSLATE_NOOP
from gui.widgets.field_error import FieldError, checked_setting

MIB = 1024 * 1024
MAX_MIB = 2**53 // MIB  # the largest size a float of MiB turns into bytes exactly (8 PiB)
TRACKED_CHOICES = (
    ("upstreams", QT_TRANSLATE_NOOP("RepoSettingsForm", "Branches with an upstream")),
    ("all", QT_TRANSLATE_NOOP("RepoSettingsForm", "All branches of each remote")),
    ("list", QT_TRANSLATE_NOOP("RepoSettingsForm", "Only these branches:")),
)
STRATEGY_LABELS = {
    AS_GIT_PULL: QT_TRANSLATE_NOOP("RepoSettingsForm", "As git pull does here"),
    "merge": QT_TRANSLATE_NOOP("RepoSettingsForm", "Merge (keep both histories)"),
    "rebase": QT_TRANSLATE_NOOP("RepoSettingsForm", "Rebase my unpushed commits"),
    "ff-only": QT_TRANSLATE_NOOP("RepoSettingsForm", "Fast-forward only (report divergence)"),
}

STRATEGY_NAMES = {  # what the `As git pull does here` choice says git does now
    "merge": QT_TRANSLATE_NOOP("RepoSettingsForm", "merge"),
    "rebase": QT_TRANSLATE_NOOP("RepoSettingsForm", "rebase"),
    "ff-only": QT_TRANSLATE_NOOP("RepoSettingsForm", "fast-forward only"),
}


def beside(field: QWidget, error: FieldError, *more: QWidget) -> QWidget:
    """A field and its error message on one form row."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(field)
    for widget in more:
        layout.addWidget(widget)
    layout.addWidget(error, 10)
    layout.addStretch(1)  # keeps the field at the left while the message is hidden
    return row


def labelled(text: str, field: QWidget) -> QLabel:
    """A form row's label whose Alt+letter reaches `field` (a row's own label would give
    the focus to the row holding the field and its error, which takes none)."""
    label = QLabel(text)
    label.setBuddy(field)
    return label


def mib_text(size: int) -> str:
    return f"{size / MIB:g}"


def typed_mib(text: str) -> float | None:
    """The size typed in the MiB field: a number of MiB (`50`, `0.5`), or with a unit as
    git takes it and `gitferry set` does (`512k`, `50m`, `2g`); None when it is neither."""
    if text[-1:].lower() in ("k", "m", "g"):
        try:
            return int(parse_setting(REPO_PARSERS, "max_file_size", text)) / MIB
        except BadSetting:
            return None
    try:
        return float(text)
    except ValueError:
        return None


class RepoSettingsForm(QWidget):
    """`load()` a repository's settings, then `values()` (None while a field is bad) and `changes()`."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loaded: dict[str, str] = {}
        self.interval_edit = QLineEdit()
        self.interval_edit.setMaximumWidth(110)
        self.interval_edit.setToolTip(
            self.tr("How often to fetch this repository in the background, in seconds")
        )
        self.interval_error = FieldError()
        self.mode_combo = QComboBox()
        self.mode_combo.addItem(self.tr("Automatic: sync after every change"), "auto")
        self.mode_combo.addItem(self.tr("Manual: fetch in the background, I sync"), "manual")
        self.mode_combo.setToolTip(
            self.tr("Automatic commits, integrates and pushes by itself a few seconds after files change")
        )
        self.tracked_combo = QComboBox()
        for key, label in TRACKED_CHOICES:
            self.tracked_combo.addItem(QCoreApplication.translate("RepoSettingsForm", label), key)
        self.tracked_combo.setToolTip(self.tr("Which remote branches a fetch brings in"))
        self.tracked_edit = QLineEdit()
        self.tracked_edit.setPlaceholderText(self.tr("main, release"))
        self.tracked_edit.setToolTip(self.tr("Comma-separated branch names"))
        self.tracked_edit.setMinimumWidth(260)
        self.tracked_error = FieldError()
        self._refused: tuple[str, str] | None = None  # (the list typed, its unknown branch)
        self.strategy_combo = QComboBox()
        for strategy in STRATEGIES:
            self.strategy_combo.addItem(
                QCoreApplication.translate("RepoSettingsForm", STRATEGY_LABELS[strategy]), strategy
            )
        self.strategy_combo.setToolTip(self.tr("What a sync does when local and remote commits diverge"))
        self.auto_commit_check = QCheckBox(self.tr("Commit changed files before each sync"))
        self.max_size_edit = QLineEdit()
        self.max_size_edit.setMaximumWidth(110)
        self.max_size_edit.setToolTip(
            self.tr(
                "Files bigger than this are left out of auto-commits (MiB, or with a unit: 512k, 50m, 2g)"
            )
        )
        self.max_size_error = FieldError()
        self.push_all_check = QCheckBox(self.tr("Every branch that is ahead"))
        self.push_all_check.setToolTip(self.tr("Off: only the checked-out branch is pushed"))
        self.ff_all_check = QCheckBox(self.tr("Fast-forward those that are only behind"))
        self.ff_all_check.setToolTip(
            self.tr("Branches that are not checked out move to their upstream when strictly behind")
        )
        self.interval_edit.setAccessibleName(self.tr("Fetch every (seconds)"))
        self.tracked_edit.setAccessibleName(self.tr("Tracked branch names"))
        self.max_size_edit.setAccessibleName(self.tr("Max file size (MiB)"))
        self._lay_out()
        for edit in (self.interval_edit, self.tracked_edit, self.max_size_edit):
            edit.textEdited.connect(self._changed)
        for combo in (self.mode_combo, self.tracked_combo, self.strategy_combo):
            combo.currentIndexChanged.connect(self._changed)
        for check in (self.auto_commit_check, self.push_all_check, self.ff_all_check):
            check.toggled.connect(self._changed)

    def _lay_out(self) -> None:
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("&Sync:"), self.mode_combo)
        every = labelled(self.tr("&Fetch every (seconds):"), self.interval_edit)
        form.addRow(every, beside(self.interval_edit, self.interval_error))
        form.addRow(self.tr("&Tracked branches:"), self.tracked_combo)
        form.addRow("", beside(self.tracked_edit, self.tracked_error))
        form.addRow(self.tr("&When diverged:"), self.strategy_combo)
        form.addRow(self.tr("Auto-&commit:"), self.auto_commit_check)
        most = labelled(self.tr("&Max file size (MiB):"), self.max_size_edit)
        form.addRow(most, beside(self.max_size_edit, self.max_size_error))
        form.addRow(self.tr("&Push:"), self.push_all_check)
        form.addRow(self.tr("&Other branches:"), self.ff_all_check)

    def load(self, settings: RepoSettings, git_pull: tuple[str, str] | None = None) -> None:
        """`git_pull`: how `git pull` integrates here now and the setting that says so
        (`Api.git_pull_strategy`), shown in the `As git pull does here` choice."""
        self._loaded = as_text(settings)
        self._name_git_pull(git_pull)
        self._refused = None
        for widget in self._widgets():
            widget.blockSignals(True)
        self.mode_combo.setCurrentIndex(self.mode_combo.findData(settings.sync_mode))
        self.interval_edit.setText(str(settings.fetch_interval))
        tracked = settings.tracked_branches
        choice = tracked if tracked in ("upstreams", "all") else "list"
        self.tracked_combo.setCurrentIndex(self.tracked_combo.findData(choice))
        self.tracked_edit.setText(tracked if choice == "list" else "")
        self.strategy_combo.setCurrentIndex(self.strategy_combo.findData(settings.strategy))
        self.auto_commit_check.setChecked(settings.auto_commit)
        self.max_size_edit.setText(mib_text(settings.max_file_size))
        self.push_all_check.setChecked(settings.push_all)
        self.ff_all_check.setChecked(settings.fast_forward_all)
        for widget in self._widgets():
            widget.blockSignals(False)
        self.validate()

    def _name_git_pull(self, git_pull: tuple[str, str] | None) -> None:
        label = self.tr("As git pull does here")
        if git_pull is not None:
            strategy = QCoreApplication.translate("RepoSettingsForm", STRATEGY_NAMES[git_pull[0]])
            label = (
                self.tr("As git pull does here (now: %1, %2)")
                .replace("%1", strategy)
                .replace("%2", _source_words(git_pull[1]))
            )
        self.strategy_combo.setItemText(self.strategy_combo.findData(AS_GIT_PULL), label)

    def _widgets(self) -> list[QWidget]:
        return [
            self.mode_combo,
            self.interval_edit,
            self.tracked_combo,
            self.tracked_edit,
            self.strategy_combo,
            self.auto_commit_check,
            self.max_size_edit,
            self.push_all_check,
            self.ff_all_check,
        ]

    def _changed(self) -> None:
        self.validate()
        self.edited.emit()

    def validate(self) -> bool:
        return self.values() is not None

    def values(self) -> dict[str, str] | None:
        """Every setting in the core's canonical text, or None (with messages shown) if any is bad."""
        listed = self.tracked_combo.currentData() == "list"
        self.tracked_edit.setEnabled(listed)
        tracked = self.tracked_edit.text() if listed else str(self.tracked_combo.currentData())
        raw = {
            "sync_mode": str(self.mode_combo.currentData()),
            "fetch_interval": self._checked("fetch_interval", self.interval_edit.text(), self.interval_error),
            "tracked_branches": self._checked("tracked_branches", tracked, self.tracked_error),
            "max_file_size": self._max_size(),
            "strategy": str(self.strategy_combo.currentData()),
            "auto_commit": str(self.auto_commit_check.isChecked()).lower(),
            "push_all": str(self.push_all_check.isChecked()).lower(),
            "fast_forward_all": str(self.ff_all_check.isChecked()).lower(),
        }
        if raw["tracked_branches"] is not None:
            self._show_refused()
        if any(value is None for value in raw.values()):
            return None
        return {key: value for key, value in raw.items() if value is not None}

    def changes(self) -> dict[str, str]:
        """The settings that differ from those loaded (empty when a field is bad)."""
        values = self.values() or {}
        return {key: value for key, value in values.items() if self._loaded.get(key) != value}

    def refuse_branch(self, branch: str) -> None:
        """Saving was refused: the tracked list names `branch`, no branch here nor on a remote
        (the core's check). Said beside the list until it is changed; Save may try again."""
        self._refused = (self.tracked_edit.text(), branch)
        self._show_refused()

    def _show_refused(self) -> None:
        if self._refused is None or self._refused[0] != self.tracked_edit.text():
            self._refused = None
            return
        said = self.tr("no branch named %1 in this repository, on this computer or on a remote")
        self.tracked_error.show_error(said.replace("%1", repr(self._refused[1])))

    def _checked(self, key: str, text: str, error: FieldError) -> str | None:
        return checked_setting(REPO_PARSERS, key, text, error)

    def _max_size(self) -> str | None:
        text = self.max_size_edit.text().strip()
        mib = typed_mib(text)
        if mib is None:
            self.max_size_error.show_error(
                self.tr(
                    "bad value %1: expected a size in MiB, like 50 or 0.5, "
                    "or with a unit as git takes it (50m, 2g)"
                ).replace("%1", repr(text))
            )
            return None
        if not 0 < mib <= MAX_MIB:  # "inf", "nan", "-1", "1e300": the bounds said as they are
            bounds = self.tr("bad value %1: expected a size in MiB above 0 and at most %2")
            self.max_size_error.show_error(bounds.replace("%1", repr(text)).replace("%2", str(MAX_MIB)))
            return None
        if text == mib_text(int(self._loaded.get("max_file_size", "0"))):
            return self._checked("max_file_size", self._loaded["max_file_size"], self.max_size_error)
        return self._checked("max_file_size", str(max(1, round(mib * MIB))), self.max_size_error)


_SOURCE_WORDS = {  # where the strategy comes from, when no git setting (`pull.rebase=true`) names it
    NO_PULL_SETTING: QT_TRANSLATE_NOOP("RepoSettingsForm", "no pull setting in git"),
    SET_IN_GITFERRY: QT_TRANSLATE_NOOP("RepoSettingsForm", "set in Gitferry"),
}


def _source_words(source: str) -> str:
    """The source of the strategy in the user's language; a git setting as git names it."""
    words = _SOURCE_WORDS.get(source)
    return source if words is None else QCoreApplication.translate("RepoSettingsForm", words)
