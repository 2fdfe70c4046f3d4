from django.core.management.base import BaseCommand

from assessments.seed import seed_rule_sets
from boundaries.seed import seed_district_outlines, seed_spatial_rules
from landsupply.seed import seed_calendar, seed_jurisdictions
from parcels.seed import seed_land_use_categories
from plans.seed import seed_plans


class Command(BaseCommand):
    help = (
        "Load the jurisdictions (Beijing, Zhengzhou), their rings and districts, the land-use "
        "categories, the rule sets, the holiday calendar, the real 2024 supply plans and the "
        "district outlines. "
        "Idempotent."
    )

    def handle(self, *args, **options):
        jurisdictions = seed_jurisdictions()
        categories = seed_land_use_categories()
        plans = seed_plans()
        rule_sets = seed_rule_sets()
        outlines = seed_district_outlines()
        seed_spatial_rules()
        days = seed_calendar()
        self.stdout.write(
            self.style.SUCCESS(
                f"jurisdictions: {len(jurisdictions)}, land-use categories: {len(categories)}, "
                f"plans: {_count(plans)}, lease rule sets: {_count(rule_sets)}, "
                f"district outlines: {outlines}; "
                f"holiday calendar days added: {days}"
            )
        )


def _count(value):
    try:
        return len(value)
    except TypeError:
        return value
