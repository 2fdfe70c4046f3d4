"""The parcel ledger (台账) import pipeline: read, check every cell, write all rows or none.

Reading: only after landsupply.uploads.check_spreadsheet passed (size, zip and sheet-range
limits, so python-calamine cannot be made to allocate without bound); .xlsx/.xlsm with
python-calamine (row by row); .csv streamed in UTF-8, UTF-8 with BOM or GBK/GB18030 (as Chinese
Excel saves it). .xls and .ods are refused (they cannot be checked). Checking: each column goes through the Field and widget
of parcels.resources.ParcelResource (so the import, the export and django-import-export's own
import path share one definition); lookups of districts and categories are loaded once, and a
field whose widget reads its cell alone (cell_only) cleans each distinct cell value once per
file (up to REUSE_LIMIT values a column), reusing the value for equal cells of the same type
(errors are raised for every cell).
Writing: in one transaction, so history is kept as for any other change and a failure leaves
the database as it was: new parcels and their history rows with COPY on PostgreSQL (one
statement per table for the file), bulk_create_with_history elsewhere; changed parcels with
bulk_update_with_history.

Rows are numbered as the spreadsheet shows them: the header is row 1, the first parcel row 2.
"""

import operator
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from landsupply.models import District, User
from landsupply.uploads import UploadRejected, check_spreadsheet, csv_rows
from parcels import inclusion
from parcels.models import LandUseCategory, Parcel
from parcels.resources import (
    HEADER_ALIASES,
    LEDGER_COLUMNS,
    UNIT_HEADER,
    CellError,
    ParcelResource,
    cell_blank,
    cell_text,
    row_problem,
)
from parcels.selectors import district_list_for_user

# The order of the values kept for each checked row, and of the fields compared and written.
FIELD_NAMES = (
    "district_id",
    "code",
    "name",
    "location",
    "category_id",
    "area_ha",
    "land_source",
    "supply_method",
    "in_key_function_area",
    "key_function_area_name",
    "near_rail",
    "plan_year",
    "planned_quarter",
    "status",
    "supplied_on",
    "contract_number",
    "transaction_price",
    "awardee",
)
_field_values = operator.itemgetter(*FIELD_NAMES)  # values dict → tuple in FIELD_NAMES order
HEADER_OF = {attr: header for header, attr, *_ in LEDGER_COLUMNS if attr}
HEADER_OF["district_id"] = HEADER_OF["district"]
HEADER_OF["category_id"] = HEADER_OF["category"]
WRITE_BATCH = 2000
# Cell values whose equality means the same value of the same type: a cell-only field cleans
# each distinct one once per file (an aware datetime is left out: equal instants in two time
# zones have different dates). At most REUSE_LIMIT values are kept per column.
REUSABLE_CELLS = frozenset((str, int, float, bool, type(None), date, datetime))
REUSE_LIMIT = 1000
_UNSEEN = object()


def _reusable(cell) -> bool:
    kind = cell.__class__
    return kind in REUSABLE_CELLS and (kind is not datetime or cell.tzinfo is None)


PREVIEW_ROWS = 100
MAX_ERRORS = 20000

Progress = Callable[[str, int, int], None]


class LedgerFileError(ValueError):
    """The file as a whole cannot be read (wrong type, unknown encoding, no header row)."""


@dataclass
class LedgerCheck:
    """The outcome of checking a ledger file. Nothing is written unless `errors` is empty."""

    total_rows: int = 0
    errors: list[dict] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)  # (row number, values in FIELD_NAMES order)
    new: list[tuple] = field(default_factory=list)  # (row number, values)
    changed: list[tuple] = field(default_factory=list)  # (row number, pk, values, old values)
    unchanged: list[tuple] = field(default_factory=list)  # (row number, values)
    error_overflow: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def add_error(self, row: int, column: str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": row, "column": column, "message": message})
        else:
            self.error_overflow += 1


def _normalise_header(text: str) -> str:
    text = cell_text(text).replace(" ", "").replace("\u3000", "").strip("*＊")
    text = text.replace("(", "（").replace(")", "）")
    return HEADER_ALIASES.get(
        text, HEADER_ALIASES.get(text.replace("（", "(").replace("）", ")"), text)
    )


def read_ledger(path, *, name: str | None = None) -> tuple[int, Iterator[list]]:
    """Return (number of rows incl. the header, iterator of rows as lists of cell values) of the
    ledger file at `path`, once it has passed the upload checks of a ledger (landsupply.uploads).

    `name` is the file's name as uploaded (its extension gives the type; default: the path's).
    Spreadsheets are read with python-calamine (first sheet); CSV is decoded as the check found
    (UTF-8 with or without BOM, or GB18030, a superset of GBK) and streamed. Raises
    LedgerFileError with the check's message (the limit broken) or for an unreadable file.
    """
    path = Path(path)
    name = name or path.name
    try:
        info = check_spreadsheet(path, name=name, kind="ledger")
    except UploadRejected as exc:
        raise LedgerFileError(exc.messages[0]) from None
    if info.format == "xlsx":
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_path(str(path))
            sheet = workbook.get_sheet_by_index(0)
        except Exception as exc:  # calamine raises its own error types for broken files
            raise LedgerFileError(_("无法读取电子表格：%(error)s") % {"error": exc}) from None
        return sheet.height, sheet.iter_rows()
    return info.rows, _csv_file_rows(path, info.encoding, name=name)


def _csv_file_rows(path: Path, encoding: str, *, name: str) -> Iterator[list]:
    with open(path, "rb") as handle:
        try:
            yield from csv_rows(handle, encoding, name=name)
        except UploadRejected as exc:
            raise LedgerFileError(exc.messages[0]) from None


def scope_districts(*, user: User | None, district: District | None):
    """Return the districts this import may touch. user None means the command line (all).

    Raises PermissionDenied if `district` is outside the user's districts.
    """
    districts = District.objects.all() if user is None else district_list_for_user(user=user)
    if district is not None:
        if not districts.filter(pk=district.pk).exists():
            raise PermissionDenied(
                _("无权导入「%(district)s」的地块") % {"district": district.name}
            )
        districts = districts.filter(pk=district.pk)
    elif user is not None and user.role == User.Role.DISTRICT:
        district = user.district
    return districts, district


def ledger_check(
    *,
    path,
    user: User | None,
    district: District | None = None,
    progress: Progress | None = None,
    name: str | None = None,
) -> LedgerCheck:
    """Return the LedgerCheck of the file at `path`: every error by row and column, and the rows
    sorted into new, changed and unchanged parcels. Writes nothing.

    `district` limits every row to that district (district staff are always limited to theirs);
    `name` is the uploaded file's name (default: the path's). Raises LedgerFileError if the file
    breaks an upload limit or cannot be read, PermissionDenied for a district outside the
    user's.
    """
    districts, district = scope_districts(user=user, district=district)
    check = LedgerCheck()
    total, rows = read_ledger(path, name=name)
    header_row = next(rows, None)
    if header_row is None:
        raise LedgerFileError(_("文件是空的：第 1 行应为列标题"))
    headers = [_normalise_header(h) for h in header_row]
    implied_unit = None
    if UNIT_HEADER not in headers:
        for i, header in enumerate(headers):
            if header.startswith("面积（") and header.endswith("）"):
                implied_unit, headers[i] = header[3:-1], "面积"
                break
    resource = ParcelResource(districts=districts, district=district)
    columns = []
    for header, attr, required, _note in LEDGER_COLUMNS:
        optional_here = (attr == "district" and district) or (
            header == UNIT_HEADER and implied_unit
        )
        if header not in headers and required and not optional_here:
            check.add_error(1, header, _("缺少必需的列「%(column)s」") % {"column": header})
        if attr:
            resource_field = resource.fields[attr]
            reuse = {} if getattr(resource_field, "cell_only", False) else None
            columns.append((attr, resource_field, header, resource_field.column_name, reuse))
    if check.errors:
        return check

    data_rows = max(total - 1, 0)
    check.total_rows = 0
    seen: dict[tuple, int] = {}
    for number, raw in enumerate(rows, start=2):
        if all(map(cell_blank, raw)):
            continue
        check.total_rows += 1
        row = dict(zip(headers, raw, strict=False))
        if implied_unit:
            row[UNIT_HEADER] = implied_unit
        values = {}
        for attr, resource_field, header, column_name, reuse in columns:
            try:
                if reuse is None:
                    values[attr] = resource_field.clean(row)
                    continue
                # A cell-only field: an equal cell of the same type cleaned before gives the
                # same value (errors are not kept: each is raised and reported anew).
                cell = row.get(column_name)
                key = (cell.__class__, cell)
                try:
                    value = reuse.get(key, _UNSEEN)  # only REUSABLE_CELLS are ever kept
                except TypeError:  # an unhashable cell (no reader gives one)
                    value = _UNSEEN
                if value is _UNSEEN:
                    value = resource_field.clean(row)
                    if len(reuse) < REUSE_LIMIT and _reusable(cell):
                        reuse[key] = value
                values[attr] = value
            except CellError as exc:
                check.add_error(number, exc.column or header, str(exc))
            except Exception:  # a widget choking on an odd value: still name the cell
                check.add_error(
                    number, header, _("无法识别「%(text)s」") % {"text": cell_text(row.get(header))}
                )
        if len(values) != len(columns):
            continue
        problem = row_problem(status=values["status"], supplied_on=values["supplied_on"])
        if problem:
            check.add_error(number, *problem)
            continue
        key = (values["district"].pk, values["code"])
        if key in seen:
            check.add_error(
                number,
                "地块编号",
                _("地块编号「%(code)s」在文件中重复（第 %(row)s 行已有，%(district)s）")
                % {"code": values["code"], "row": seen[key], "district": values["district"].name},
            )
            continue
        seen[key] = number
        values["district_id"] = values["district"].pk
        values["category_id"] = values["category"].pk
        check.rows.append((number, _field_values(values)))
        if progress and number % 2000 == 0:
            progress(gettext_noop("校验"), number - 1, data_rows)
    if progress:
        progress(gettext_noop("校验"), data_rows, data_rows)
    if check.ok:
        _classify(check)
    else:
        check.rows = []
    return check


def _classify(check: LedgerCheck) -> None:
    """Sort the checked rows into new, changed and unchanged, matched by (district, code)."""
    district_ids = {values[0] for _number, values in check.rows}
    existing = {}
    for pk, *old in Parcel.objects.filter(district_id__in=district_ids).values_list(
        "pk", *FIELD_NAMES
    ):
        existing[(old[0], old[1])] = (pk, tuple(old))
    check.new, check.changed, check.unchanged = [], [], []
    for number, values in check.rows:
        match = existing.get((values[0], values[1]))
        if match is None:
            check.new.append((number, values))
        elif match[1] == values:
            check.unchanged.append((number, values))
        else:
            check.changed.append((number, match[0], values, match[1]))


def ledger_write(
    check: LedgerCheck, *, user: User | None, change_reason: str, progress: Progress | None = None
) -> LedgerCheck:
    """Write the checked rows: create new parcels, update changed ones, each with a history
    record by `user` with `change_reason`. Returns `check`, re-sorted against the database as
    it is inside the transaction. All or nothing: any database error rolls everything back.

    Raises ValueError if `check` has errors.
    """
    if not check.ok:
        raise ValueError("有错误的台账不能写入")
    with transaction.atomic():
        district_ids = {values[0] for _number, values in check.rows}
        # One import per district at a time; the re-sort below then sees a settled ledger.
        rings = dict(
            District.objects.select_for_update()
            .filter(pk__in=district_ids)
            .values_list("pk", "default_ring_id")
        )
        _classify(check)
        pending = _pending_rule(user, district_ids)
        total = len(check.new) + len(check.changed)
        done = 0
        now = timezone.now()
        if connection.vendor == "postgresql":
            done = _copy_create(
                check.new,
                rings=rings,
                pending=pending,
                user=user,
                change_reason=change_reason,
                now=now,
                progress=progress,
                total=total,
            )
        else:
            for start in range(0, len(check.new), WRITE_BATCH):
                chunk = check.new[start : start + WRITE_BATCH]
                bulk_create_with_history(
                    [
                        Parcel(
                            ring_id=rings[values[0]],
                            inclusion_pending=pending(values),
                            **dict(zip(FIELD_NAMES, values, strict=True)),
                        )
                        for _number, values in chunk
                    ],
                    Parcel,
                    batch_size=WRITE_BATCH,
                    default_user=user,
                    default_change_reason=change_reason,
                    default_date=now,
                )
                done += len(chunk)
                if progress:
                    progress(gettext_noop("写入"), done, total)
        updated_fields = [name for name in FIELD_NAMES if name not in ("district_id", "code")]
        for start in range(0, len(check.changed), WRITE_BATCH):
            chunk = check.changed[start : start + WRITE_BATCH]
            current = Parcel.objects.in_bulk([pk for _number, pk, _values, _old in chunk])
            batch = []
            for _number, pk, values, _old in chunk:
                parcel = current[pk]
                old_year = parcel.plan_year
                for name, value in zip(FIELD_NAMES, values, strict=True):
                    setattr(parcel, name, value)
                if parcel.plan_year != old_year:
                    parcel.inclusion_pending = pending(values)
                parcel.updated_at = now
                batch.append(parcel)
            bulk_update_with_history(
                batch,
                Parcel,
                fields=[*updated_fields, "inclusion_pending", "updated_at"],
                batch_size=WRITE_BATCH,
                default_user=user,
                default_change_reason=change_reason,
                default_date=now,
            )
            done += len(batch)
            if progress:
                progress(gettext_noop("写入"), done, total)
    return check


def _pending_rule(user: User | None, district_ids) -> Callable[[tuple], bool]:
    """Return values → whether a parcel written with these ledger values (new, or moved into
    another year) waits for inclusion (待纳入): parcels.inclusion, one query for the file. R7."""
    if not inclusion.adds_pending(user=user):
        return lambda values: False
    jurisdictions = dict(
        District.objects.filter(pk__in=district_ids).values_list("pk", "jurisdiction_id")
    )
    closed = inclusion.closed_years(set(jurisdictions.values()))
    year_at = FIELD_NAMES.index("plan_year")
    return lambda values: (jurisdictions[values[0]], values[year_at]) in closed


# The columns of a new parcel as _copy_create writes them: the ledger's, then the rest.
_NEW_PARCEL_COLUMNS = (
    *FIELD_NAMES,
    "id",
    "ring_id",
    "inclusion_pending",
    "is_demo",
    "created_at",
    "updated_at",
)


def _copy_create(new, *, rings, pending, user, change_reason, now, progress=None, total=0) -> int:
    """Insert the new parcels (check.new: (row number, values) pairs) and their '+' history
    records with PostgreSQL COPY, one statement per table, and return how many.

    The rows are exactly those bulk_create_with_history would write (same columns, same
    history user, date and reason), without Django building an INSERT of every value: that SQL
    compilation, not the database, is what makes bulk_create slow at ledger sizes. One COPY
    for the whole file, not one per batch: the figures' statement trigger on the parcel table
    (parcels.figures) then adds up the file's rows once. `progress` gets the write phase every
    WRITE_BATCH parcels: a parcel counts half once its row is sent, whole once its history
    row is.

    Raises RuntimeError if Parcel or its history has a column not written here.
    """
    if not new:
        return 0
    history_model = Parcel.history.model
    table, history_table = Parcel._meta.db_table, history_model._meta.db_table
    history_extra = {
        "history_date": now,
        "history_change_reason": change_reason,
        "history_type": "+",
        "history_user_id": user.pk if user else None,
    }
    # A history row is the parcel's row followed by these values (None for any other column).
    history_only = [
        f.attname
        for f in history_model._meta.concrete_fields
        if f.attname != "history_id" and f.attname not in _NEW_PARCEL_COLUMNS
    ]
    history_tail = tuple(history_extra.get(name) for name in history_only)
    unwritten = {f.attname for f in Parcel._meta.concrete_fields} ^ set(_NEW_PARCEL_COLUMNS)
    unwritten |= set(_NEW_PARCEL_COLUMNS) - {f.attname for f in history_model._meta.fields}
    if unwritten:
        raise RuntimeError(f"_copy_create does not write the columns {sorted(unwritten)}")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(new)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        records = [
            (*values, pk, rings[values[0]], pending(values), False, now, now)
            for pk, (_number, values) in zip(ids, new, strict=True)
        ]
        raw = cursor.cursor
        count = len(records)
        for columns, into, tail, step in (
            (_NEW_PARCEL_COLUMNS, table, (), 0),
            ((*_NEW_PARCEL_COLUMNS, *history_only), history_table, history_tail, count),
        ):
            with raw.copy(
                f"COPY {quote(into)} ({', '.join(map(quote, columns))}) FROM STDIN"
            ) as copy:
                for sent, record in enumerate(records, start=1):
                    copy.write_row(record + tail if tail else record)
                    if progress and sent % WRITE_BATCH == 0:
                        progress(gettext_noop("写入"), (step + sent) // 2, total)
    if progress:
        progress(gettext_noop("写入"), count, total)
    return count


def ledger_import(
    *,
    path,
    user: User | None,
    district: District | None = None,
    change_reason: str = "台账导入",
    dry_run: bool = False,
    progress: Progress | None = None,
) -> LedgerCheck:
    """Check the file at `path` and, if it has no error and `dry_run` is false, write it.

    Returns the LedgerCheck (errors by row and column; new/changed/unchanged rows). A file with
    any error writes nothing. Raises LedgerFileError if the file cannot be read,
    PermissionDenied for a district outside the user's.
    """
    check = ledger_check(path=path, user=user, district=district, progress=progress)
    if check.ok and not dry_run:
        ledger_write(check, user=user, change_reason=change_reason, progress=progress)
    return check


def preview_rows(check: LedgerCheck, limit: int = PREVIEW_ROWS) -> dict:
    """Return the first `limit` new, changed and unchanged rows as JSON-ready dicts for the
    preview page; changed rows list each changed column as 'old → new'."""
    ids = {values[0] for _n, values in check.new[:limit] + check.unchanged[:limit]}
    ids |= {values[0] for _n, _pk, values, _old in check.changed[:limit]}
    district_names = dict(District.objects.filter(pk__in=ids).values_list("pk", "name"))
    category_names = dict(LandUseCategory.objects.values_list("pk", "name"))

    def show(name, value):
        if name == "district_id":
            return district_names.get(value, value)
        if name == "category_id":
            return category_names.get(value, value)
        if isinstance(value, bool):
            return _("是") if value else _("否")
        return "" if value is None else str(value)

    def summary(number, values):
        data = dict(zip(FIELD_NAMES, values, strict=True))
        return {
            "row": number,
            "code": data["code"],
            "name": data["name"],
            "district": show("district_id", data["district_id"]),
            "category": show("category_id", data["category_id"]),
            "area_ha": str(data["area_ha"]),
        }

    changed = []
    for number, _pk, values, old in check.changed[:limit]:
        item = summary(number, values)
        item["changes"] = [
            f"{HEADER_OF[name]}：{show(name, before)} → {show(name, after)}"
            for name, before, after in zip(FIELD_NAMES, old, values, strict=True)
            if before != after
        ]
        changed.append(item)
    return {
        "new": [summary(n, v) for n, v in check.new[:limit]],
        "changed": changed,
        "unchanged": [summary(n, v) for n, v in check.unchanged[:limit]],
        "limit": limit,
    }


class Throttle:
    """Wraps a progress callback so it runs at most every `seconds` (and always at the end)."""

    def __init__(self, callback: Progress, seconds: float = 0.5):
        self.callback = callback
        self.seconds = seconds
        self.last = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self.last >= self.seconds:
            self.last = now
            self.callback(phase, done, total)
