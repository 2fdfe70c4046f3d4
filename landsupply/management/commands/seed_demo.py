from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.demo import seed_demo_contracts
from boundaries.demo import seed_demo_boundaries
from landsupply.seed import DEMO_PASSWORD, seed_demo_users
from parcels.demo import seed_demo_parcels


class Command(BaseCommand):
    help = (
        "Add the demo data (labelled 演示): one user of each role, a demo parcel ledger for 2024, "
        "demo lease-then-transfer contracts and demo boundaries. Run seed_plans first. "
        "Idempotent. Refuses to run with DEBUG off (production) unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="run even with DEBUG off (a demonstration server; never a production one)",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off, so this looks like a production server: seed_demo would add demo "
                f"users whose password ({DEMO_PASSWORD}) is public. Nothing was changed. Use "
                "--force only on a demonstration server."
            )
        users = seed_demo_users()
        parcels = seed_demo_parcels()
        contracts = seed_demo_contracts()
        boundaries = seed_demo_boundaries()
        self.stdout.write(
            self.style.SUCCESS(
                f"demo users: {', '.join(u.username for u in users)} (password {DEMO_PASSWORD}); "
                f"demo parcels created: {parcels}; demo contracts: {_count(contracts)}; "
                f"demo boundaries: {boundaries}"
            )
        )


def _count(value):
    try:
        return len(value)
    except TypeError:
        return value
