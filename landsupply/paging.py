"""Pages that cost the same at any depth: keyset (seek) pagination and a bounded count.

A page of an OFFSET paginator makes the database read and drop every row before it, and its
"共 N 条" counts every row that matches: both grow with the table. A keyset page starts from
the last row seen (`WHERE (a, b) > (x, y) ORDER BY a, b LIMIT n`), an index seek whatever the
depth, and counts nothing. Links go to the first page, the previous and next pages, and the
last page (the order reversed), not to a page number.

The cursor in the URL is the sort key of a row as JSON; a malformed one is ignored (first
page), and a cursor naming no row still gives the rows after that position.
"""

import json
from dataclasses import dataclass, field
from operator import attrgetter

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.http import QueryDict
from django.utils.functional import cached_property


@dataclass
class KeysetPage:
    items: list
    has_previous: bool
    has_next: bool
    queries: dict = field(default_factory=dict)  # first/previous/next/last → query string

    @property
    def is_first(self) -> bool:
        return not self.has_previous


def _seek(queryset: QuerySet, keys: tuple[str, ...], values: list, forward: bool) -> RawSQL:
    """Return the condition "sort key after (forward) / before `values`" on `queryset`'s own
    table as one row comparison, `(a, b) > (x, y)`: PostgreSQL starts its index range scan at
    (x, y) itself (the equivalent `a >= x AND (a > x OR (a = x AND b > y))` only seeks on `a`
    and filters every row of `a = x` before the cursor). `keys` are columns of the model (field
    names or attnames); `values` are passed as parameters."""
    opts = queryset.model._meta
    columns = ", ".join(
        f"{connection.ops.quote_name(opts.db_table)}.{connection.ops.quote_name(opts.get_field(k).column)}"
        for k in keys
    )
    marks = ", ".join(["%s"] * len(values))
    return RawSQL(
        f"({columns}) {'>' if forward else '<'} ({marks})",
        list(values),
        output_field=BooleanField(),
    )


def _cursor(text: str | None, queryset: QuerySet, keys: tuple[str, ...]) -> list | None:
    """Return the cursor `text` (JSON list, one value per key) as values of the keys' fields
    (each through its field's to_python: a text for a number column is refused, a number for a
    text column becomes text), or None when it is malformed: then the page is the first one."""
    if not text:
        return None
    try:
        values = json.loads(text)
    except ValueError:
        return None
    if not isinstance(values, list) or len(values) != len(keys):
        return None
    if not all(isinstance(v, int | str) and not isinstance(v, bool) for v in values):
        return None
    if any(isinstance(v, int) and not -(2**63) <= v < 2**63 for v in values):
        return None  # beyond any database integer
    opts = queryset.model._meta
    try:
        return [opts.get_field(k).to_python(v) for k, v in zip(keys, values, strict=True)]
    except ValidationError:
        return None


def keyset_page(
    queryset: QuerySet,
    *,
    keys: tuple[str, ...],
    query: QueryDict,
    prefix: str = "",
    size: int = 50,
) -> KeysetPage:
    """Return one KeysetPage of `queryset` ordered by `keys` (ascending attribute names that
    together are unique, e.g. ("district_id", "code")), positioned by `query`'s
    `<prefix>after` / `<prefix>before` cursor or `<prefix>last`. Other parameters of `query`
    are kept in the page's links (the filters, another list's cursor on the same page).
    """
    after = _cursor(query.get(f"{prefix}after"), queryset, keys)
    before = _cursor(query.get(f"{prefix}before"), queryset, keys)
    last = query.get(f"{prefix}last") == "1"
    ascending, descending = list(keys), [f"-{k}" for k in keys]
    if after is not None:
        rows = list(
            queryset.filter(_seek(queryset, keys, after, True)).order_by(*ascending)[: size + 1]
        )
        has_previous, has_next = True, len(rows) > size
        rows = rows[:size]
    elif before is not None or last:
        qs = (
            queryset.filter(_seek(queryset, keys, before, False))
            if before is not None
            else queryset
        )
        rows = list(qs.order_by(*descending)[: size + 1])
        has_previous, has_next = len(rows) > size, before is not None
        rows = rows[:size][::-1]
    else:
        rows = list(queryset.order_by(*ascending)[: size + 1])
        has_previous, has_next = False, len(rows) > size
        rows = rows[:size]
    page = KeysetPage(
        items=rows,
        has_previous=has_previous,
        has_next=has_next,
    )
    position = attrgetter(*keys)

    def link(**cursor) -> str:
        params = query.copy()
        for name in ("after", "before", "last"):
            params.pop(f"{prefix}{name}", None)
        for name, value in cursor.items():
            params[f"{prefix}{name}"] = value
        return params.urlencode()

    def key_of(row) -> str:
        value = position(row)
        return json.dumps(list(value) if len(keys) > 1 else [value], ensure_ascii=False)

    page.queries["first"] = link()
    page.queries["last"] = link(last="1")
    if rows:
        page.queries["previous"] = link(before=key_of(rows[0]))
        page.queries["next"] = link(after=key_of(rows[-1]))
    return page


def keyset_batches(queryset: QuerySet, *, keys: tuple[str, ...], size: int = 2000):
    """Yield the rows of `queryset` ordered by `keys` (ascending attribute names that together
    are unique, served by one index) as lists of at most `size` rows, each list read by one
    statement starting after the last row of the one before (an index seek).

    For a sweep over rows found by an index range (e.g. reminders due): ORDER BY the index
    with a LIMIT lets PostgreSQL walk the index and stop. Give it the table alone (no joins, only
    the columns needed: `.only(*keys)`), then load each batch's rows by primary key: with joins
    the planner costs the whole range from the table's statistics, and once they are stale (rows
    moved past today since the last ANALYZE) it reads every row. Queries: one per batch, plus
    one when the last batch is full.
    """
    position = attrgetter(*keys)
    ordered = queryset.order_by(*keys)
    last = None
    while True:
        page = ordered if last is None else ordered.filter(_seek(ordered, keys, last, True))
        rows = list(page[:size])
        if rows:
            yield rows
        if len(rows) < size:
            return
        value = position(rows[-1])
        last = list(value) if len(keys) > 1 else [value]


def planner_rows(queryset: QuerySet) -> int | None:
    """Return PostgreSQL's estimate of the rows `queryset` matches (EXPLAIN, from the table
    statistics, nothing read), or None on another database."""
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatingPaginator(Paginator):
    """A Paginator whose count is exact up to EXACT_COUNT_LIMIT rows (it reads at most that
    many plus one) and beyond that PostgreSQL's estimate, flagged `estimated` so the page says
    "约". Counting a million rows is what made a filtered page grow with the table.
    `last_page()` reads the last rows in reverse order instead of skipping all the others."""

    EXACT_COUNT_LIMIT = 10_000
    estimated = False

    @cached_property
    def count(self) -> int:
        counted = self.object_list.order_by()[: self.EXACT_COUNT_LIMIT + 1].count()
        if counted <= self.EXACT_COUNT_LIMIT:
            return counted
        estimate = planner_rows(self.object_list)
        if estimate is None:
            return self.object_list.count()
        self.estimated = True
        return max(estimate, counted)

    def last_page(self) -> Page:
        """Return the last page; with an estimated count, its rows are the last PAGE_SIZE rows
        of the ordering, read backwards (ordered queryset required)."""
        number = self.num_pages
        if not self.estimated:
            return self.page(number)
        rows = list(self.object_list.reverse()[: self.per_page])[::-1]
        return Page(rows, number, self)
