"""A statistic as a table of counts, and the small-number suppression applied before anyone sees it.

Every figure is a table: rows (e.g. channels, months) and columns (e.g. statuses; a one-way table has a single
column), with totals where they mean something. ``suppress`` turns the counts into what may be shown:

- **Primary suppression**: a count from 1 to 4 is shown as "<5"; 0 stays 0. A small count of signals, referrals or
  victims in one month, region or channel can point at one person (the one Polish victim of labour exploitation
  in Zeeland in March), so it is never shown, also not in a total.
- **Secondary suppression**: a row or column with its total is an equation (total = sum of its cells). Where exactly
  one number in such a line is hidden, it could be worked out from the others, so one more is hidden: the smallest
  non-zero count of the line (its total only if no such count is left), shown as "x". This is repeated until no row,
  no column and neither line of totals has exactly one hidden number. Tables whose cells overlap (a signal can name
  several forms of exploitation or regions) are treated the same way, which hides a little more than needed.

The raw counts never leave this module: views, the CSV and the charts get ``Shown`` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

THRESHOLD = 5
PRIMARY = "<5"  # a count from 1 to THRESHOLD - 1
SECONDARY = "x"  # hidden so that a count below THRESHOLD cannot be worked out from a total
TOTAL = "total"

Entry = tuple  # ("cell", row, col) | ("row", row) | ("col", col) | ("grand",)


@dataclass
class Table:
    """Counts of one figure. ``row_totals`` and ``col_totals`` are given where the lines add up to something shown
    (a one-way table has ``col_totals`` only: its total row); ``None`` means no total is shown."""

    key: str
    title: str
    rows_label: str
    rows: list[tuple[str, str]]  # (code, label)
    cols: list[tuple[str, str]]
    cells: dict[tuple[str, str], int]
    cols_label: str = ""
    row_totals: dict[str, int] | None = None
    col_totals: dict[str, int] | None = None
    grand: int | None = None
    chart: str = "bar"  # bar, line or stacked (static/vigil/statistics.js)
    note: str = ""

    def value(self, entry: Entry) -> int:
        kind = entry[0]
        if kind == "cell":
            return self.cells.get((entry[1], entry[2]), 0)
        if kind == "row":
            return self.row_totals.get(entry[1], 0)
        if kind == "col":
            return self.col_totals.get(entry[1], 0)
        return self.grand or 0

    def entries(self) -> list[Entry]:
        out: list[Entry] = [("cell", r, c) for r, _ in self.rows for c, _ in self.cols]
        if self.row_totals is not None:
            out += [("row", r) for r, _ in self.rows]
        if self.col_totals is not None:
            out += [("col", c) for c, _ in self.cols]
        if self.grand is not None:
            out.append(("grand",))
        return out

    def lines(self) -> list[tuple[list[Entry], Entry]]:
        """(cells, total) of every equation a reader could use: rows, columns and the two lines of totals."""
        out = []
        if self.row_totals is not None:
            out += [([("cell", r, c) for c, _ in self.cols], ("row", r)) for r, _ in self.rows]
        if self.col_totals is not None:
            out += [([("cell", r, c) for r, _ in self.rows], ("col", c)) for c, _ in self.cols]
        if self.grand is not None:
            if self.row_totals is not None:
                out.append(([("row", r) for r, _ in self.rows], ("grand",)))
            if self.col_totals is not None:
                out.append(([("col", c) for c, _ in self.cols], ("grand",)))
        return out


def hidden_entries(table: Table) -> dict[Entry, str]:
    """Which numbers are hidden, and why (PRIMARY or SECONDARY); see the module's docstring for the rule."""
    hidden = {e: PRIMARY for e in table.entries() if 0 < table.value(e) < THRESHOLD}
    lines = table.lines()
    changed = True
    while changed:
        changed = False
        for cells, total in lines:
            line = [*cells, total]
            if sum(e in hidden for e in line) != 1:
                continue
            visible = [e for e in cells if e not in hidden and table.value(e) > 0]
            if visible:
                pick = min(visible, key=table.value)  # the first smallest, so the choice is stable
            elif total not in hidden and table.value(total) > 0:
                pick = total
            else:
                continue
            hidden[pick] = SECONDARY
            changed = True
    return hidden


@dataclass
class Number:
    """One number as shown: ``n`` is None when hidden, ``text`` is what tables and the CSV print."""

    n: int | None
    text: str

    @property
    def hidden(self) -> bool:
        return self.n is None


@dataclass
class Row:
    code: str
    label: str
    cells: list[Number]
    total: Number | None = None


@dataclass
class Shown:
    """A table after suppression: the only form in which a figure leaves the statistics app."""

    key: str
    title: str
    rows_label: str
    cols_label: str
    cols: list[tuple[str, str]]
    rows: list[Row]
    totals: Row | None  # the total row (col totals and the grand total)
    has_row_totals: bool
    chart: str
    note: str
    hidden: int = 0  # how many numbers are hidden
    secondary: int = 0
    one_way: bool = field(init=False)

    def __post_init__(self):
        self.one_way = len(self.cols) == 1

    @property
    def empty(self) -> bool:
        """Nothing counted in the period: the page says so instead of drawing an empty chart."""
        return not self.hidden and not any(n.n for r in self.rows for n in r.cells)

    def chart_data(self) -> dict:
        """What the chart draws: only the shown numbers (a hidden one is a gap, the table says why)."""
        return {"key": self.key, "title": self.title, "chart": self.chart,
                "labels": [r.label for r in self.rows],
                "datasets": [{"label": label, "data": [r.cells[i].n for r in self.rows]}
                             for i, (_code, label) in enumerate(self.cols)]}

    def long_rows(self):
        """(dimension, value, label, breakdown, breakdown_value, breakdown_label, count) for the CSV."""
        breakdown = "" if self.one_way else self.cols_label
        lines = [*self.rows, *([self.totals] if self.totals else [])]
        for line in lines:
            for (code, label), number in zip(self.cols, line.cells, strict=True):
                yield (self.rows_label, line.code, line.label, breakdown, "" if self.one_way else code,
                       "" if self.one_way else label, number.text)
            if line.total is not None:
                yield self.rows_label, line.code, line.label, self.cols_label, TOTAL, _total_label(), line.total.text


def _total_label() -> str:
    from django.utils.translation import gettext

    return gettext("Total")


def _number(table: Table, hidden: dict, entry: Entry) -> Number:
    why = hidden.get(entry)
    if why:
        return Number(None, why)
    n = table.value(entry)
    return Number(n, str(n))


def suppress(table: Table) -> Shown:
    hidden = hidden_entries(table)
    rows = [Row(code, str(label), [_number(table, hidden, ("cell", code, c)) for c, _ in table.cols],
                _number(table, hidden, ("row", code)) if table.row_totals is not None else None)
            for code, label in table.rows]
    totals = None
    if table.col_totals is not None:
        totals = Row(TOTAL, _total_label(), [_number(table, hidden, ("col", c)) for c, _ in table.cols],
                     _number(table, hidden, ("grand",)) if table.grand is not None else None)
    return Shown(key=table.key, title=str(table.title), rows_label=str(table.rows_label),
                 cols_label=str(table.cols_label), cols=[(c, str(label)) for c, label in table.cols], rows=rows,
                 totals=totals, has_row_totals=table.row_totals is not None, chart=table.chart,
                 note=str(table.note), hidden=len(hidden),
                 secondary=sum(1 for why in hidden.values() if why == SECONDARY))
