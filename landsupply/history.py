"""The change history of an object as rows for a page: who, when, what changed (simple-history).

Used on the pages of parcels, plans, submissions and adjustments: every change is visible on
the object's page, imported and bulk-written rows included.
"""

from django.db import models
from django.utils.translation import gettext, pgettext_lazy

TYPES = {
    "+": pgettext_lazy("history type", "创建"),
    "~": pgettext_lazy("history type", "修改"),
    "-": pgettext_lazy("history type", "删除"),
}
SKIP = {"updated_at", "created_at", "effect"}


def _display(record, field_name, value):
    field = record.instance._meta.get_field(field_name)
    if getattr(field, "choices", None):
        return dict(field.choices).get(value, value)
    if value is None or value == "":
        return "—"
    if isinstance(field, models.BooleanField):  # stored as 1/0 by some backends
        return gettext("是") if value in (True, 1, "1", "True") else gettext("否")
    return value


def history_rows(records, *, limit: int = 50) -> list[dict]:
    """Return the history records (a HistoricalRecords queryset), newest first, as
    [{"date", "user", "type" (创建/修改/删除), "object" (str), "changes": [(field label, old,
    new), …]}, …]. Each record is compared with the previous record of the same object; at most
    `limit` rows (the newest). One query plus the diffs in memory."""
    records = list(records.select_related("history_user").order_by("history_date", "history_id"))
    previous = {}
    rows = []
    for record in records:
        before = previous.get(record.id)
        changes = []
        if before is not None:
            delta = record.diff_against(before)
            for change in delta.changes:
                if change.field in SKIP:
                    continue
                field = record.instance._meta.get_field(change.field)
                changes.append(
                    (
                        str(field.verbose_name),
                        _display(record, change.field, change.old),
                        _display(record, change.field, change.new),
                    )
                )
        previous[record.id] = record
        if before is not None and not changes and record.history_type == "~":
            continue  # saved without a visible change (e.g. only the list's timestamp)
        rows.append(
            {
                "date": record.history_date,
                "user": record.history_user,
                "type": str(TYPES.get(record.history_type, record.history_type)),
                "object": str(record.instance),
                "changes": changes,
            }
        )
    rows.reverse()
    return rows[:limit]
