"""Area units. Hectare is the unit of record: 1 ha = 10,000 m² = 15 亩 (DOMAIN.md glossary)."""

import functools
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

HECTARE_PLACES = Decimal("0.0001")


class AreaUnit(models.TextChoices):
    HECTARE = "ha", _("公顷")
    SQUARE_METRE = "m2", _("平方米")
    MU = "mu", _("亩")


SQUARE_METRES_PER_HECTARE = Decimal("10000")
MU_PER_HECTARE = Decimal("15")

# Spellings seen in ledgers, mapped to a unit.
UNIT_ALIASES = {
    "ha": AreaUnit.HECTARE,
    "hm2": AreaUnit.HECTARE,
    "hm²": AreaUnit.HECTARE,
    "公顷": AreaUnit.HECTARE,
    "m2": AreaUnit.SQUARE_METRE,
    "m²": AreaUnit.SQUARE_METRE,
    "㎡": AreaUnit.SQUARE_METRE,
    "平方米": AreaUnit.SQUARE_METRE,
    "平米": AreaUnit.SQUARE_METRE,
    "mu": AreaUnit.MU,
    "亩": AreaUnit.MU,
}
# The stored values themselves, built once: AreaUnit.values is a new list on every access.
UNITS_BY_VALUE = {unit.value: unit for unit in AreaUnit}


def parse_unit(text: str) -> AreaUnit:
    """Return the AreaUnit a spelling names (公顷, ha, 平方米, m², 亩 …).

    Raises ValueError naming the text if it is not a known unit.
    """
    key = (text or "").strip().lower()
    if key not in UNIT_ALIASES:
        raise ValueError(
            gettext("面积单位不明确：%(text)s（可用：公顷、平方米、亩）") % {"text": repr(text)}
        )
    return UNIT_ALIASES[key]


def to_hectares(value, unit: str) -> Decimal:
    """Return `value` given in `unit` (ha, m2 or mu) as hectares, Decimal rounded to 4 places.

    Raises ValueError if value is not a number or the unit is unknown.
    """
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(gettext("面积不是数字：%(value)s") % {"value": repr(value)}) from exc
    unit = UNITS_BY_VALUE.get(unit) or parse_unit(unit)
    if unit == AreaUnit.SQUARE_METRE:
        amount = amount / SQUARE_METRES_PER_HECTARE
    elif unit == AreaUnit.MU:
        amount = amount / MU_PER_HECTARE
    return amount.quantize(HECTARE_PLACES, rounding=ROUND_HALF_UP)


def hectares_to_mu(hectares: Decimal) -> Decimal:
    """Return hectares as 亩, Decimal rounded to 2 places."""
    return (hectares * MU_PER_HECTARE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@functools.cache
def max_hectares() -> Decimal:
    """Return the largest area a parcel can hold, in hectares (99,999,999.9999: Parcel.area_ha
    has 12 digits, 4 of them decimal). Computed once: the import asks for every row."""
    from landsupply.validators import decimal_max
    from parcels.models import Parcel

    return decimal_max(Parcel, "area_ha")
