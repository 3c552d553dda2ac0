"""A tab page whose contents are built the first time it is shown or asked for.

The status window's first paint shows one tab; the others (Conflicts, Skipped
files, History) and their imports wait for their first use, so they never slow
the launch. What builds the contents is handed in; `content` builds them if need be.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

Content = TypeVar("Content", bound=QWidget)


class LazyPage(QWidget, Generic[Content]):
    def __init__(self, build: Callable[[], Content]) -> None:
        super().__init__()
        self._build = build
        self._content: Content | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    @property
    def built(self) -> bool:
        return self._content is not None

    @property
    def content(self) -> Content:
        if self._content is None:
            self._content = self._build()
            self._layout.addWidget(self._content)
            if self.isVisible():  # shown now, not with the next event loop pass
                self._content.show()
        return self._content

    def showEvent(self, event: QShowEvent) -> None:
        self.content  # noqa: B018 (built for its first showing)
        super().showEvent(event)
