"""A line under a table that is wider than the screen: which of its columns are off to the right
(`→` scrolls the table to them) or scrolled off to the left, so that no column is out of sight
without a word. Hidden while every column is in view."""

from __future__ import annotations

from textual.widgets import DataTable, Static


def columns_out_of_view(table: DataTable) -> tuple[list[str], list[str]]:
    """(left, right): the labels of the columns not wholly in view. The table's fixed columns stay
    in view; the others are drawn from `scroll_x` on, after the fixed ones (as DataTable crops)."""
    view = table.scrollable_content_region.width
    if view <= 0:
        return [], []
    columns = table.ordered_columns
    fixed = table.fixed_columns
    fixed_width = sum(c.get_render_width(table) for c in columns[:fixed])
    first, last = table.scroll_x + fixed_width, table.scroll_x + view
    left: list[str] = []
    right: list[str] = []
    x = 0
    for i, column in enumerate(columns):
        width = column.get_render_width(table)
        if i >= fixed:
            name = column.label.plain.strip() or str(column.key.value)
            if x < first:
                left.append(name)
            elif x + width > last:
                right.append(name)
        x += width
    return left, right


def cue_text(left: list[str], right: list[str]) -> str:
    if left and right:
        return f" ← {', '.join(left)} · more columns → {', '.join(right)} (← → scroll)"
    if right:
        return f" more columns → {', '.join(right)} (→ scrolls)"
    if left:
        return f" ← scrolled past: {', '.join(left)} (← scrolls back)"
    return ""


class MoreColumns(Static):
    """Follows its table's horizontal scroll and width; the owner screen calls `show_cue` after
    it refills the table and on resize."""

    DEFAULT_CSS = "MoreColumns { height: auto; max-height: 2; color: $text-muted; display: none; }"

    def __init__(self, table_id: str, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.table_id = table_id

    def on_mount(self) -> None:
        table = self.screen.query_one(f"#{self.table_id}", DataTable)
        self.watch(table, "scroll_x", lambda *_: self.show_cue(), init=False)
        self.watch(table, "virtual_size", lambda *_: self._show_cue_later(), init=False)
        self._show_cue_later()

    def _show_cue_later(self) -> None:
        self.call_after_refresh(self.show_cue)  # after the table has laid out its new columns

    def show_cue(self) -> None:
        if not self.is_attached:
            return
        table = self.screen.query_one(f"#{self.table_id}", DataTable)
        text = cue_text(*columns_out_of_view(table)) if table.display else ""
        self.display = bool(text)
        self.update(text)
