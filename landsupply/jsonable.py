"""JSON of the reports' plain dicts (plans.selectors.plan_progress and friends): one encoding
for the `plan_report --format json` command and the API, so both print the same figures."""

import datetime
from decimal import Decimal


def json_default(value):
    """`default=` of json.dumps: a Decimal (hectares, yuan, percentages) as its exact text
    ("12.3400", never a float), a date or datetime as ISO 8601. Raises TypeError for any other
    type, as json.dumps expects."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(type(value))
