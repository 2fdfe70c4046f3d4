"""The one lock order of the state changes two people can make at once.

A service that changes state locks the rows it decides on before it reads them, top down in
this order, and never locks a row higher up once it holds one lower down:

    1. annual plan                                   (plans: publish, targets, supplement
                                                      window, adjustment file/approve/reject)
    2. a row of one plan: submission, adjustment     (plans: submission transitions)
    3. parcel                                        (parcels: edit, supply; plans: applying an
                                                      adjustment; assessments: award)
    4. lease-then-transfer contract                  (assessments: every transition)
    5. a contract's own rows: assessment, renewal, exit record, indicators, reports, events

Two changes of the same thing therefore queue on the first row they share instead of
deadlocking; the second one waits, then reads the row as the first left it, and its service's
state check refuses it with a ValidationError that says the record was changed meanwhile and
nothing was done — a form or page message, never a 500.

`lock` takes the lock as SELECT … FOR NO KEY UPDATE OF the row's own table: rows joined in for
reading (select_related) are not locked, and inserts of rows that merely point at the locked
row (foreign-key checks take KEY SHARE: events, reminders, history) do not wait for it.
SQLite has no row locks (the backend ignores them) and serialises writers instead.

Creating a row that must be unique (a year's plan, a contract number, a parcel code) has no row
to lock yet: two people creating the same one at once both pass the uniqueness check, and the
database's unique constraint refuses the second insert. `refuse_duplicate` turns that refusal
into the same kind of message, instead of a 500.
"""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction


def lock(queryset: models.QuerySet | type[models.Model], pk) -> models.Model:
    """Return the row `pk` of `queryset` (or of a model's default manager) locked for this
    transaction, its select_related rows read but not locked. Call inside
    transaction.atomic, in the order of the module docstring. Raises the model's DoesNotExist.
    """
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    return queryset.select_for_update(no_key=True, of=("self",)).get(pk=pk)


@contextmanager
def refuse_duplicate(message):
    """Run the insert in the `with` block in a savepoint; if the database refuses it as a
    duplicate (IntegrityError: someone created the same row meanwhile, after full_clean passed),
    raise ValidationError(`message`) instead — a str, or a {field: str} dict."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise ValidationError(message) from exc
