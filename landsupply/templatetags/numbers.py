"""The one place figures are formatted on pages: area, money, ratios, yes/no, rule badges.

Independent of the active locale (a bureau's tables read 1,234.5678 in both languages).
Money is kept in yuan (DOMAIN: Decimal, two places) and shown in 万元 with four decimals where
the documents use it, the exact yuan in the title (hover); areas in 公顷 with thousands
separators and the decimals the table chooses (one number per table); ratios with "%".
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()

DASH = "—"
TEN_THOUSAND = Decimal("10000")


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _fixed(value: Decimal, places: int) -> str:
    quantum = Decimal(1).scaleb(-places)
    return f"{value.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"


@register.filter
def yuan(value):
    """Return a yuan amount as 30,000,000.00; "—" when empty."""
    number = _decimal(value)
    return DASH if number is None else _fixed(number, 2)


@register.filter
def wan(value):
    """Return a yuan amount in 万元 with four decimals (3,000.0000), the exact yuan on hover:
    <span class="money" title="30,000,000.00 元">3,000.0000</span>; "—" when empty."""
    number = _decimal(value)
    if number is None:
        return DASH
    return format_html(
        '<span class="money" title="{} {}">{}</span>',
        _fixed(number, 2),
        _("元"),
        _fixed(number / TEN_THOUSAND, 4),
    )


@register.filter
def ha(value, places=4):
    """Return an area in hectares with thousands separators and `places` decimals (default 4):
    3,398.7000; "—" when empty. Use one `places` per table."""
    number = _decimal(value)
    return DASH if number is None else _fixed(number, int(places))


@register.filter
def pct(value, places=2):
    """Return a percentage with `places` decimals and "%": 62.50%; "—" when there is no base."""
    number = _decimal(value)
    return DASH if number is None else f"{_fixed(number, int(places))}%"


@register.filter
def plain(value):
    """Return a Decimal without trailing zeros or exponent: 9200.0000 → 9200, 0.0800 → 0.08."""
    number = _decimal(value)
    return DASH if number is None else f"{number.normalize():f}"


@register.filter
def yesno_zh(value):
    """Return 是/否 (Yes/No in English) for a boolean, "—" for None."""
    if value is None or value == "":
        return DASH
    return _("是") if value else _("否")


RULE_ID = re.compile(r"\bR(\d{1,2})\b")


@register.filter
def rule_links(value):
    """Return `value` (text naming rules, e.g. "R14/R16" or "R18, R19") escaped, each rule id
    R1–R25 a link to its entry on the 规则说明 page."""
    base = reverse("rules")

    def link(match):
        number = int(match.group(1))
        if not 1 <= number <= 25:
            return match.group(0)
        rid = f"R{number}"
        return f'<a class="rule-link" href="{base}#{rid}">{rid}</a>'

    return mark_safe(RULE_ID.sub(link, str(escape(value))))


@register.simple_tag
def rule(ids):
    """Render a rule badge: <span class="rule">R14/R16</span> with each id linked (rule_links)."""
    return format_html('<span class="rule">{}</span>', rule_links(ids))
