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
"""

from django.db import models


def lock(queryset: models.QuerySet | type[models.Model], pk) -> models.Model:
    """Return the row `pk` of `queryset` (or of a model's default manager) locked for this
    transaction, its select_related rows read but not locked. Call inside
    transaction.atomic, in the order of the module docstring. Raises the model's DoesNotExist.
    """
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    return queryset.select_for_update(no_key=True, of=("self",)).get(pk=pk)
