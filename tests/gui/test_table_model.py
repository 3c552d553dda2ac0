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


def test_a_changed_row_repaints_only_the_columns_that_show_the_change(qtbot: object) -> None:
    """A progress event changes one repository's Activity: repainting the whole row made the
    sorting proxy sort again on every event (at 50 repositories: about 200 calls of `data`
    per event); the sort column's own change still sorts again."""
    Row = tuple[int, str, int, float, str]  # key, name, size, a bar's share (drawn), not shown
    rows: KeyedTableModel[Row] = KeyedTableModel(
        [Column("name", lambda r: r[1]), Column("size", lambda r: str(r[2]), drawn=lambda r: r[3])],
        key=lambda r: r[0],
    )
    proxy = SortFilterModel(rows)
    proxy.sort(0)
    rows.set_rows([(1, "b", 10, 0.1, "x"), (2, "c", 5, 0.0, "x")])
    spans: list[tuple[int, int, int]] = []
    rows.dataChanged.connect(lambda top, bottom: spans.append((top.row(), top.column(), bottom.column())))
    rows.upsert((1, "b", 11, 0.1, "x"))
    rows.upsert((1, "b", 11, 0.2, "x"))  # only what a delegate draws
    rows.upsert((1, "b", 11, 0.2, "y"))  # nothing the cells show
    assert spans == [(0, 1, 1), (0, 1, 1)]
    assert rows.row_for(1) == (1, "b", 11, 0.2, "y")
    rows.upsert((2, "a", 5, 0.0, "x"))
    assert spans[-1] == (1, 0, 0)
    assert [proxy.index(i, 0).data() for i in range(2)] == ["a", "b"]  # sorted again by name
