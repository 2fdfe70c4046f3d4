"""Template filters for money: yuan with thousands separators and two decimals."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value):
    """Return a yuan amount as 30,000,000.00 (independent of the active locale)."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.2f}"


@register.filter
def plain(value):
    """Return a Decimal without trailing zeros or exponent: 9200.0000 → 9200, 0.0800 → 0.08."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value).normalize():f}"
