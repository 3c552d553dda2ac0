"""The keyed table model's `set_rows`: exactly the rows asked for, in place; the rows
new to it arrive in one insertion (a sorting proxy then sorts them once, which at 1,000
repositories was the first paint's largest cost), duplicates of a key shown once."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex

from gui.models.table_model import Column, KeyedTableModel, SortFilterModel


def model() -> KeyedTableModel[tuple[int, str]]:
    return KeyedTableModel([Column("name", lambda row: row[1])], key=lambda row: row[0])


def test_new_rows_come_in_one_insertion_and_the_proxy_sorts_them(qtbot: object) -> None:
    rows = model()
    proxy = SortFilterModel(rows)
    proxy.sort(0)
    inserted: list[tuple[int, int]] = []
    rows.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    rows.set_rows([(n, f"r{n:04}") for n in reversed(range(1000))])
    assert inserted == [(0, 999)]
    assert [proxy.index(i, 0).data() for i in (0, 1, 999)] == ["r0000", "r0001", "r0999"]
    assert rows.position_of(0) == 999 and rows.row_for(0) == (0, "r0000")


def test_set_rows_keeps_changes_in_place_and_shows_each_key_once(qtbot: object) -> None:
    rows = model()
    rows.set_rows([(1, "a"), (2, "b"), (3, "c")])
    changed: list[int] = []
    rows.dataChanged.connect(lambda top, _bottom: changed.append(top.row()))
    rows.set_rows([(3, "c"), (2, "B"), (4, "d"), (5, "e"), (4, "D")])
    assert rows.rows == [(2, "B"), (3, "c"), (4, "D"), (5, "e")]  # 1 gone, 2 changed in place
    assert changed == [0]
    assert rows.rowCount(QModelIndex()) == 4 and rows.position_of(4) == 2
