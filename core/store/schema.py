"""The status store's tables, as SQLAlchemy 2 typed models.

The DDL that creates them lives in `migrations.py` (versioned); a test checks
the migrated database matches these models column for column.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class RepoRow(Base):
    __tablename__ = "repos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String, unique=True)
    path: Mapped[str] = mapped_column(String, unique=True)
    state: Mapped[str] = mapped_column(String, default="idle")
    last_sync: Mapped[datetime | None]
    last_result: Mapped[str | None]
    last_message: Mapped[str | None]
    added_at: Mapped[datetime]
    last_unfinished: Mapped[str | None]  # schema 9: `core.results.Unfinished`
    last_said: Mapped[str | None] = mapped_column(Text)  # schema 10: `core.phrase.to_json`


class RepoSettingRow(Base):
    __tablename__ = "repo_settings"

    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AppSettingRow(Base):
    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class RemoteRow(Base):
    __tablename__ = "remotes"

    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String, primary_key=True)
    fetch_url: Mapped[str] = mapped_column(Text)
    push_url: Mapped[str | None] = mapped_column(Text)


class BranchStatusRow(Base):
    """One local branch and its upstream; ahead/behind valid for (head, upstream_head)."""

    __tablename__ = "branch_status"

    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String, primary_key=True)
    upstream: Mapped[str | None]
    head: Mapped[str | None]
    upstream_head: Mapped[str | None]
    ahead: Mapped[int | None]
    behind: Mapped[int | None]
    last_fetch: Mapped[datetime | None]
    upstream_gone: Mapped[bool] = mapped_column(default=False)
    gone_since: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    unpublished: Mapped[int] = mapped_column(default=0)
    checked_out: Mapped[bool | None]
    worktree: Mapped[str | None]
    worktree_use: Mapped[str | None]
    pushed: Mapped[bool] = mapped_column(default=False)


class SyncRunRow(Base):
    """A sync or fetch job: pending -> running -> done | failed."""

    __tablename__ = "sync_runs"
    __table_args__ = (
        Index("ix_sync_runs_repo", "repo_id", "id"),
        Index("ix_sync_runs_state", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id", ondelete="CASCADE"))
    kind: Mapped[str]
    state: Mapped[str]
    result: Mapped[str | None]
    message: Mapped[str | None]
    requested_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    details: Mapped[str | None] = mapped_column(Text)
    timings: Mapped[str | None] = mapped_column(Text)
    quiet: Mapped[bool] = mapped_column(default=False)  # changed nothing, after a run that went well
    said: Mapped[str | None] = mapped_column(Text)  # schema 10: the message's parts (`core.phrase`)


class RemoteFailureRow(Base):
    """Consecutive failures of one remote, for backoff and the circuit breaker."""

    __tablename__ = "remote_failures"

    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id", ondelete="CASCADE"), primary_key=True)
    remote: Mapped[str] = mapped_column(String, primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    first_failure_at: Mapped[datetime | None]
    last_failure_at: Mapped[datetime | None]
    tripped_until: Mapped[datetime | None]
    last_error: Mapped[str | None]


class ConflictRow(Base):
    """A path left conflicted by the last integration of a branch."""

    __tablename__ = "conflicts"

    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id", ondelete="CASCADE"), primary_key=True)
    branch: Mapped[str] = mapped_column(Text, primary_key=True)
    path: Mapped[str] = mapped_column(Text, primary_key=True)
    since: Mapped[datetime]


class SkippedFileRow(Base):
    """A file a sync left out (too large, unreadable, failing), until it is retried."""

    __tablename__ = "skipped_files"
    __table_args__ = (Index("ix_skipped_files_seen", "repo_id", "last_seen"),)

    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id", ondelete="CASCADE"), primary_key=True)
    path: Mapped[str] = mapped_column(Text, primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    size: Mapped[int | None]
    failures: Mapped[int] = mapped_column(default=1)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    retry_after: Mapped[datetime | None]


class SubmoduleRow(Base):
    """A submodule as the last sync saw it (`git submodule status`)."""

    __tablename__ = "submodules"

    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id", ondelete="CASCADE"), primary_key=True)
    path: Mapped[str] = mapped_column(Text, primary_key=True)
    recorded: Mapped[str] = mapped_column(String)
    checked_out: Mapped[str | None] = mapped_column(String)
    state: Mapped[str] = mapped_column(String)
    updated_at: Mapped[datetime]
