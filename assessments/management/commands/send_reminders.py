"""manage.py send_reminders: run the daily reminder sweep once, exactly as the beat task.

stdout carries the report alone (JSON with --format json); anything the sweep itself prints —
the e-mails of Django's console backend, the development default — goes to stderr.
"""

import contextlib
import datetime
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from assessments import services
from landsupply.validators import DATE_MAX, DATE_MIN, date_in_range


class Command(BaseCommand):
    help = "Send the table-C deadline reminders due today (each at most once) and print them."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="YYYY-MM-DD (default: today in Asia/Shanghai)")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(
                    f"--today 须为 YYYY-MM-DD：{options['today']}", returncode=2
                ) from exc
            if not date_in_range(today):
                raise CommandError(
                    f"--today 须在 {DATE_MIN} 至 {DATE_MAX} 之间：{options['today']}", returncode=2
                )
        with contextlib.redirect_stdout(sys.stderr):
            sent = services.reminder_sweep(today=today)
        if options["format"] == "json":
            self.stdout.write(json.dumps({"sent": sent}, ensure_ascii=False, indent=2))
            return
        if not sent:
            self.stdout.write("没有需要发送的提醒（nothing sent）。")
            return
        for item in sent:
            lead = "逾期" if item["lead_days"] == 0 else f"提前 {item['lead_days']} 天"
            resumed = "  （中断后重发）" if item["resumed"] else ""
            self.stdout.write(
                f"{item['contract']}  {item['kind']}  截止 {item['due_date']}  {lead}  → {', '.join(item['recipients'])}{resumed}"
            )
        self.stdout.write(f"共发送 {len(sent)} 条提醒。")
