"""The study screen: one row per candidate (its tuning job), keyed by candidate so the cursor,
scroll position, filter and sort survive every refresh; cells are updated in place and changed
cells are marked for a moment."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from jstui.domain.snapshot import NOT_LAUNCHED, StudySnapshot, TuningJobRow

from jstui.tui import format as fmt
from jstui.tui.host import host
from jstui.tui.columns import COLUMNS_BY_KEY, METRIC_KEYS, STUDY_COLUMNS, Column, fit_columns, sort_rows
from jstui.tui.filtering import row_matcher
from jstui.tui.widgets.eta_line import EtaLine
from jstui.tui.widgets.spend_bar import SpendBar
from jstui.tui.widgets.study_header import StudyHeader

MARK_SECONDS = 2.0  # how long a changed cell stays marked
# A table built afresh gets a screenful of rows at once and the rest a chunk per screen refresh: on a
# 1,000-candidate study, adding and measuring every row before the first paint held the screen ~0.3 s
FIRST_FILL = 100
FILL_CHUNK = 150
MARK_STYLE = "reverse"  # visible without colour
SORT_KEYS = "1234567890"


def _plain(shown: str | Text) -> str:
    return shown.plain if isinstance(shown, Text) else shown


def _sort_bindings() -> list[Binding]:
    return [
        Binding(k, f"sort_by({i})", f"Sort by column {i + 1} (again: reverse)", id=f"study.sort_{k}", show=False)
        for i, k in enumerate(SORT_KEYS)
    ]


class StudyScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "open", "Open", id="study.open"),
        Binding("j", "cursor_down", "Down", id="study.down", show=False),
        Binding("k", "cursor_up", "Up", id="study.up", show=False),
        # priority: handled as the key arrives, so the box has focus before the next typed key is
        # routed (fast typing or a paste right after `/` would otherwise go to the table)
        Binding("slash", "filter", "Filter", id="study.filter", priority=True),
        Binding("escape", "clear_filter", "Clear filter", id="study.clear_filter", show=False),
        Binding("s", "sort_next", "Sort", id="study.sort_next"),
        Binding("S", "sort_reverse", "Reverse sort", id="study.sort_reverse", show=False),
        *_sort_bindings(),
        Binding("l", "logs", "Logs", id="study.logs"),
        Binding("space", "mark", "Mark", id="study.mark", show=False),  # jstui.tui.screens.compare
        Binding("C", "compare", "Compare marked", id="study.compare", show=False),
        Binding("E", "export_shown", "Export shown rows (CSV)", id="study.export", show=False),
        Binding("H", "history", "Optimization history", id="study.history", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="study")
        self.filter_text = ""
        self.sort_key: str | None = None  # None: the study file's order
        self.sort_reverse = False
        self._visible: tuple[Column, ...] = ()
        self._widths: dict[str, int] = {}
        self._values: dict[tuple[str, str], str] = {}  # what each cell shows, by (candidate, column)
        self._marked: set[tuple[str, str]] = set()
        self._rows: dict[str, TuningJobRow] = {}
        self._order: list[str] = []  # candidates in the study's order
        self._rendered: StudySnapshot | None = None
        self._shown_rows: dict[str, TuningJobRow] = {}  # the rows whose texts are in _values
        self._shown: list[str] = []  # the candidates the table shows, in order (some may be still pending)
        self._pending: list[str] = []  # candidates of _shown not added to the table yet (_fill_more)
        self._fill_gen = 0  # a newer build abandons an older build's pending rows
        self._ready = False  # composed and mounted: until then on_mount renders the app's snapshot
        self.marked: list[str] = []  # candidates marked for compare (space), in marking order

    # --- layout -----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StudyHeader(id="header")
        yield Static(id="table-status")
        yield DataTable(id="tuning-jobs", cursor_type="row", zebra_stripes=True)
        with Vertical(id="bottom"):
            yield Input(id="filter", placeholder="filter: name or regex, status:failed, is:front, best>0.9 (enter keeps, esc clears)")
            yield SpendBar(id="spend")
            yield EtaLine(id="eta")  # jstui.tui.widgets.eta_line (issue 19 item 3)
            yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        host(self).render_chrome(self)
        self._ready = True
        self.apply_snapshot(host(self).snapshot)

    def on_unmount(self) -> None:
        self._ready = False

    def on_screen_resume(self) -> None:
        # a refresh that arrived while a modal or another screen was on top is shown now
        host(self).render_chrome(self)  # the spend bar as of now, not as of when this screen was left
        snap = host(self).snapshot
        if snap is not self._rendered and self._live():
            self.apply_snapshot(snap)

    def on_resize(self) -> None:
        if self._live() and self._rendered is not None:
            self._sync(mark=False)

    def _live(self) -> bool:
        """Composed, mounted and not being torn down: a refresh can land while the app quits, after the
        screen's widgets are gone but before its unmount (seen in CI)."""
        # the table itself: the shutdown removes the widgets one by one (CI saw others still there)
        return self._ready and self.is_attached and bool(self.query("#tuning-jobs"))

    # --- data -------------------------------------------------------------------------------
    @property
    def table(self) -> DataTable:
        return self.query_one("#tuning-jobs", DataTable)

    def current_candidate(self) -> str | None:
        table = self.table
        if table.row_count == 0:
            return None
        return str(table.ordered_rows[table.cursor_row].key.value)

    def visible_candidates(self) -> list[str]:
        """The rows the table shows, in order, including any still being added (_fill_more)."""
        return list(self._shown)

    def apply_snapshot(self, snapshot: StudySnapshot) -> None:
        if not self._live():
            return
        first = self._rendered is None
        self._rendered = snapshot
        rows = snapshot.rows_with_plan()  # candidates not launched yet are listed too, with their plan
        self._rows = {r.candidate: r for r in rows}
        self._order = [r.candidate for r in rows]
        self._sync(mark=not first)

    def _wanted_rows(self) -> list[TuningJobRow]:
        match = row_matcher(self.filter_text, self._front)  # names, status:, is:front, metric>x
        rows = [self._rows[c] for c in self._order if match(self._rows[c])]
        if self.sort_key is not None:
            rows = sort_rows(rows, COLUMNS_BY_KEY[self.sort_key], self.sort_reverse)
        return rows

    def _front(self) -> set[str]:
        from jstui.domain.frontier import frontier_table

        snapshot = host(self).snapshot
        return {r.candidate for r in frontier_table(snapshot, host(self).session.study.frontier).rows}

    def _columns(self) -> tuple[Column, ...]:
        """The study's columns; the objective's name only when candidates optimise different metrics
        (else the table's status line names it once)."""
        rows = self._rows.values()
        columns = STUDY_COLUMNS
        if len({(r.objective_name, r.direction) for r in rows if r.objective_name}) <= 1:
            columns = tuple(c for c in columns if c.key != "objective")
        # a metric no candidate reports (yet, or ever: an object detector's test accuracy) is a column of
        # dashes: left out, so what the study does report has the room; it appears with the first value
        reported = {k for r in rows for k in r.best_metrics}
        columns = tuple(c for c in columns if c.key not in METRIC_KEYS or METRIC_KEYS[c.key] in reported)
        return columns

    def _content_widths(self) -> dict[str, int]:
        """Each column as wide as its widest cell over every candidate (not only the filtered ones,
        so a filter does not reflow the table): nothing shown is ever cut."""
        # a cell shows only its row: a row equal to the one measured last refresh keeps its widths
        # (rendering 1,000 rows' cells every refresh held the UI thread ~50 ms; keys waited)
        cache: dict[str, tuple[TuningJobRow, dict[str, int]]] = getattr(self, "_width_cache", {})
        fresh = {}
        for r in self._rows.values():
            hit = cache.get(r.candidate)
            if hit is None or hit[0] != r:
                hit = (r, {c.key: len(_plain(c.render(r))) for c in STUDY_COLUMNS})
            fresh[r.candidate] = hit
        self._width_cache = fresh
        return {c.key: max([c.cell_width] + [w[c.key] for _, w in fresh.values()]) for c in STUDY_COLUMNS}

    def _fit(self) -> tuple[Column, ...]:
        self._widths = self._content_widths()
        model_width = self._widths["model"]
        available = (self.table.size.width or self.size.width or 80) - 2  # room for a scrollbar
        return fit_columns(self._columns(), available, model_width, self._widths)

    def _label(self, col: Column) -> Text:
        arrow = ("▼" if self.sort_reverse else "▲") if col.key == self.sort_key else ""
        return Text(col.label + arrow, justify="right" if col.right else "left")

    def _cell(self, row: TuningJobRow, col: Column, marked: bool) -> Text:
        shown = col.render(row)
        text = shown.copy() if isinstance(shown, Text) else Text(shown)
        if col.key == "model" and row.candidate in self.marked:
            text.stylize("bold underline")  # marked for compare (no glyph: the column keeps its width)
        if marked:
            text.stylize(MARK_STYLE)
        return text

    def _sync(self, *, mark: bool) -> None:
        """Make the table show the wanted rows; update in place when rows and columns are the same."""
        table = self.table
        rows = self._wanted_rows()
        wanted = [r.candidate for r in rows]
        visible = self._fit()
        # what each cell shows (not its sort value: `~` on an estimate changes the text, not the number);
        # a cell shows only its row, so a row equal to the one last shown keeps its texts unrendered
        same_fit = visible == self._visible
        new_values: dict[tuple[str, str], str] = {}
        redrawn: list = []  # the rows whose texts were rendered again (the others keep theirs)
        for r in rows:
            prev = self._shown_rows.get(r.candidate)
            # `is` first: the engine reuses unchanged rows, and comparing 1,000 rows field by field
            # on every refresh is the UI thread's time a key waits for
            if same_fit and prev is not None and (prev is r or prev == r):
                for c in visible:
                    key = (r.candidate, c.key)
                    new_values[key] = self._values[key]
            else:
                redrawn.append(r)
                for c in visible:
                    new_values[(r.candidate, c.key)] = _plain(c.render(r))
        changed = {k for k, v in new_values.items() if k in self._values and self._values[k] != v} if mark else set()
        if changed:
            self._marked |= changed
            self.set_timer(MARK_SECONDS, lambda keys=frozenset(changed): self._unmark(keys))
        labels = [self._label(c) for c in visible]
        same_columns = [c.key for c in visible] == [str(k.value) for k in table.columns] and all(
            col.label == lab and col.width == self._fit_width(c)
            for col, lab, c in zip(table.columns.values(), labels, visible)
        )  # widths too: columns sized while the table was empty must grow when the rows arrive
        if same_columns and wanted == self._shown:
            # a row not rendered again kept its texts: only the others can differ from the table's;
            # a row still pending is added later, rendered from the row as it is then
            pending = set(self._pending)
            for r in redrawn:
                if r.candidate in pending:
                    continue
                for c in visible:
                    key = (r.candidate, c.key)
                    if key in changed or self._values.get(key) != new_values[key]:
                        table.update_cell(r.candidate, c.key, self._cell(r, c, key in self._marked))
        else:
            cursor = self.current_candidate()
            scroll_y = table.scroll_y
            if not same_columns:
                table.clear(columns=True)
                for c, label in zip(visible, labels):
                    table.add_column(label, width=self._fit_width(c), key=c.key)
            else:
                table.clear()
            at = wanted.index(cursor) if cursor in wanted else 0
            height = table.size.height or self.size.height or 24
            head = max(FIRST_FILL, at + height, int(scroll_y) + 2 * height)  # what the screen shows, first
            self._visible = visible  # (before _add_rows: it renders the cells of these columns)
            self._add_rows(wanted[:head])
            self._pending = wanted[head:]
            self._fill_gen += 1
            if self._pending:
                self.call_after_refresh(self._fill_more, self._fill_gen)
            if cursor in wanted:
                table.move_cursor(row=at, animate=False, scroll=False)
            table.scroll_to(y=scroll_y, animate=False, immediate=True)
            table.move_cursor(row=table.cursor_row, animate=False)  # keep the cursor on screen
        self._shown = wanted
        self._visible = visible
        self._values = new_values
        self._shown_rows = {r.candidate: r for r in rows}
        self._show_table_status(len(rows))

    def _add_rows(self, candidates: list[str]) -> None:
        table, visible = self.table, self._visible
        for cand in candidates:
            r = self._rows[cand]
            table.add_row(*(self._cell(r, c, (r.candidate, c.key) in self._marked) for c in visible), key=r.candidate)

    def _fill_more(self, gen: int) -> None:
        """Add the next chunk of a build's rows, then wait for the screen to refresh (keys are
        handled in between); a newer build (a refresh, a sort, a filter) abandons this one."""
        if gen != self._fill_gen or not self._pending or not self._live():
            return
        chunk, self._pending = self._pending[:FILL_CHUNK], self._pending[FILL_CHUNK:]
        self._add_rows(chunk)
        if self._pending:
            self.call_after_refresh(self._fill_more, gen)

    def _fit_width(self, col: Column) -> int:
        return max(col.cell_width, self._widths.get(col.key, 0))

    def _unmark(self, keys: frozenset[tuple[str, str]]) -> None:
        self._marked -= keys
        if not self._live():
            return
        table = self.table
        pending = set(self._pending)  # added with their current marks, later
        shown = set(self._shown) - pending
        for cand, col_key in keys:
            row = self._rows.get(cand)
            if row is not None and cand in shown and col_key in table.columns:
                table.update_cell(cand, col_key, self._cell(row, COLUMNS_BY_KEY[col_key], (cand, col_key) in self._marked))

    def _show_table_status(self, shown: int) -> None:
        total = len(self._order)
        not_launched = sum(1 for r in self._rows.values() if r.status == NOT_LAUNCHED)
        hint = "" if host(self).session.readonly else "; L launches"
        if total == 0:
            parts = [" no candidates"]
        elif not_launched == total:
            parts = [f" {total} candidates, none launched yet (planned cost in brackets{hint})"]
        elif not_launched:
            parts = [f" {total} candidates, {not_launched} not launched (planned cost in brackets{hint})"]
        else:
            parts = [f" {total} candidates"]
        objectives = {(r.objective_name, r.direction) for r in self._rows.values() if r.objective_name}
        if len(objectives) == 1:
            name, direction = next(iter(objectives))
            parts.append(f"objective {name} {fmt.direction_arrow(direction)}")
        if self.filter_text:
            parts.append(f"filter /{self.filter_text}/: {shown} shown")
        if self.sort_key is not None:
            col = COLUMNS_BY_KEY[self.sort_key]
            parts.append(f"sort {col.label} {'▼' if self.sort_reverse else '▲'}")
        # (the objective's column is left out by design when every candidate has one objective: named above)
        hidden = sorted((c for c in self._columns() if c not in self._visible), key=lambda c: c.priority)
        if hidden:  # named, the most needed first: a wider terminal shows them (enter and C show them too)
            names = ", ".join(c.label for c in hidden[:3]) + (f" +{len(hidden) - 3}" if len(hidden) > 3 else "")
            parts.append(f"columns hidden: {names}")
        event = host(self).last_event
        if event:
            parts.append(f"last event: {fmt.event(event)}")
        self.query_one("#table-status", Static).update(Text(" · ".join(parts)))  # events and the filter: never markup

    # --- actions ----------------------------------------------------------------------------
    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()

    def action_open(self) -> None:
        self._open(logs_full=False)

    def action_logs(self) -> None:
        self._open(logs_full=True)

    def _open(self, *, logs_full: bool) -> None:
        from jstui.tui.screens.tuning_job import TuningJobScreen  # local: the two screens refer to each other

        cand = self.current_candidate()
        if cand is not None:
            self.app.push_screen(TuningJobScreen(cand, logs_full=logs_full))

    @on(DataTable.RowSelected, "#tuning-jobs")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "filter" and isinstance(self.focused, Input):
            return False  # `/` is then a character of the regex
        return True

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = self.filter_text
        box.add_class("shown")
        # focus now, not on the next idle: keys typed right after `/` are already queued
        self.set_focus(box)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self._sync(mark=False)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.query_one("#filter", Input).remove_class("shown")
        self.table.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.remove_class("shown")
        self.table.focus()
        if self.filter_text:
            self.filter_text = ""
            box.value = ""
            self._sync(mark=False)

    def describe_action(self, action: str) -> str | None:
        """The palette's name for a sort key: the column it sorts by now."""
        if action.startswith("sort_by(") and action.endswith(")"):
            index = int(action[len("sort_by("):-1])
            if index < len(self._visible):
                return f"Sort by {self._visible[index].label} (again: reverse)"
            return ""  # no column there: not offered
        return None

    def action_sort_by(self, index: int) -> None:
        """Sort by the index-th column shown; the same key again reverses the order."""
        if index >= len(self._visible):
            self.notify(f"only {len(self._visible)} columns are shown", severity="warning", timeout=3)
            return
        key = self._visible[index].key
        if key == self.sort_key:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_key, self.sort_reverse = key, False
        self._sync(mark=False)

    def action_mark(self) -> None:
        from jstui.tui.screens.compare import toggle_mark

        cand = self.current_candidate()
        self.notify(toggle_mark(self.marked, cand), timeout=4)
        if cand is not None and cand in self._rows:
            self.table.update_cell(cand, "model", self._cell(self._rows[cand], COLUMNS_BY_KEY["model"], False))
        self.table.action_cursor_down()

    def action_compare(self) -> None:
        from jstui.tui.screens.compare import CompareScreen

        if len(self.marked) < 2:
            self.notify("mark two or more candidates with space first", severity="warning", timeout=4)
            return
        self.app.push_screen(CompareScreen(self.marked))

    def action_history(self) -> None:
        from jstui.tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen())

    def action_export_shown(self) -> None:
        from pathlib import Path

        from jstui.tui.screen_export import write_shown

        snapshot, shown = host(self).snapshot, self.visible_candidates()
        host(self).run_io(self, "Export", "export", lambda: write_shown(snapshot, shown, Path.cwd()),
                          lambda line: self.notify(line, timeout=10))

    def action_sort_next(self) -> None:
        keys = [c.key for c in self._visible]
        nxt = 0 if self.sort_key not in keys else (keys.index(self.sort_key) + 1) % len(keys)
        self.sort_key, self.sort_reverse = keys[nxt], False
        self._sync(mark=False)

    def action_sort_reverse(self) -> None:
        if self.sort_key is None:
            self.sort_key = "model"
        self.sort_reverse = not self.sort_reverse
        self._sync(mark=False)
