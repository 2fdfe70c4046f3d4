"""Bounds of input that the domain's arithmetic must survive (dates and amounts).

Dates: lease and transfer terms add up to 50 + years to a date, and reminders look 90 days
ahead, so a date the user gives must leave room before datetime.date.max (9999-12-31);
1900-01-01 to 2100-12-31 holds every real plan, ledger and contract date.
"""

import datetime
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator

DATE_MIN = datetime.date(1900, 1, 1)
DATE_MAX = datetime.date(2100, 12, 31)
DATE_VALIDATORS = [MinValueValidator(DATE_MIN), MaxValueValidator(DATE_MAX)]


def date_in_range(value: datetime.date) -> bool:
    """Return whether `value` lies within DATE_MIN … DATE_MAX."""
    return DATE_MIN <= value <= DATE_MAX


def decimal_max(model, field_name: str) -> Decimal:
    """Return the largest value a model's DecimalField can hold (max_digits, decimal_places):
    e.g. 99,999,999.9999 for 12 digits with 4 places."""
    field = model._meta.get_field(field_name)
    return Decimal(10) ** (field.max_digits - field.decimal_places) - Decimal(10) ** (
        -field.decimal_places
    )
