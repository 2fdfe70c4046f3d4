"""plan_report: print a plan's category tree, ring shares, policy ratios and milestones."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from landsupply.jsonable import json_default
from landsupply.models import District
from plans.models import AnnualPlan
from plans.selectors import plan_progress

STATUS_TEXT = {"met": "达成", "missed": "未达成", "upcoming": "未到期"}


def _ha(value):
    return "—" if value is None else f"{value:.4f}".rstrip("0").rstrip(".")


def _pct(value):
    return "—" if value is None else f"{value}%"


def _yes_no(value):
    return "—" if value is None else ("是" if value else "否")


class Command(BaseCommand):
    help = "打印年度供地计划执行情况：类别指标树、圈层占比、政策比例与季度节点（R1–R6）。"

    def add_arguments(self, parser):
        parser.add_argument("--jurisdiction", required=True, help="辖区代码，如 beijing")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--district", help="区代码；只统计该区")
        parser.add_argument("--as-of", type=datetime.date.fromisoformat, help="统计日期 YYYY-MM-DD")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, **options):
        try:
            plan = AnnualPlan.objects.select_related("jurisdiction").get(
                jurisdiction__code=options["jurisdiction"], year=options["year"]
            )
        except AnnualPlan.DoesNotExist as exc:
            raise CommandError(
                f"没有 {options['jurisdiction']} {options['year']} 年度的供地计划"
                "（先运行 manage.py seed_plans）。"
            ) from exc
        district = None
        if options["district"]:
            district = District.objects.filter(
                code=options["district"], jurisdiction=plan.jurisdiction
            ).first()
            if district is None:
                raise CommandError(f"{plan.jurisdiction} 没有代码为 {options['district']} 的区。")
        report = plan_progress(plan=plan, district=district, as_of=options["as_of"])
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(report, default=json_default, ensure_ascii=False, indent=2)
            )
            return
        self._text(report)

    def _text(self, r):
        out = self.stdout.write
        p, t = r["plan"], r["total"]
        scope = r["scope"]["district_name"] or "全辖区"
        out(f"{p['name']}（{scope}，截至 {r['scope']['as_of']:%Y-%m-%d}，第{p['version']}版）")
        out(
            f"供应总量 目标 {_ha(t['target_min_ha'])}–{_ha(t['target_max_ha'])} 公顷；"
            f"计划 {_ha(t['planned_ha'])}；已供应 {_ha(t['supplied_ha'])}；"
            f"完成率 {_pct(t['completion_pct'])}"
        )
        if p["city_target_min_ha"] is not None or p["net_reduction_ha"] is not None:
            out(
                f"责任分工（R5）：市级 {_ha(p['city_target_min_ha'])}–{_ha(p['city_target_max_ha'])}"
                f" 公顷；各区 {_ha(p['district_target_min_ha'])}–{_ha(p['district_target_max_ha'])}"
                f" 公顷；净减量 {_ha(p['net_reduction_ha'])} 公顷"
                f"（其中二绿地区 {_ha(p['net_reduction_green_belt_ha'])} 公顷）"
            )
        out("")
        out("类别指标（R2，公顷）")
        out(
            f"{'代码':<26}{'名称':<22}{'目标下限':>10}{'目标上限':>10}{'计划':>12}{'已供应':>12}{'完成率':>9}"
        )
        for c in r["categories"]:
            name = "  " * c["depth"] + c["name"]
            out(
                f"{c['code']:<26}{name:<22}{_ha(c['target_min_ha']):>10}{_ha(c['target_max_ha']):>10}"
                f"{_ha(c['planned_ha']):>12}{_ha(c['supplied_ha']):>12}{_pct(c['completion_pct']):>9}"
            )
        if r["rings"]:
            out("")
            out("圈层占比（R3）")
            for g in r["rings"]:
                out(
                    f"{g['code']:<10}{g['name']:<16} 目标 约{g['target_pct']}%（±{g['tolerance_pct']}）"
                    f" 计划 {_pct(g['planned_share_pct'])} 已供应 {_pct(g['supplied_share_pct'])}"
                    f" 达标 {_yes_no(g['supplied_on_target'])}"
                )
        if r["ratios"]:
            out("")
            out("政策比例（R4）")
            for q in r["ratios"]:
                out(
                    f"{q['code']:<22}{q['name']} {q['comparison_symbol']}{q['threshold_pct']}%"
                    f" 计划 {_pct(q['planned_pct'])} 已供应 {_pct(q['supplied_pct'])}"
                    f" 达标 {_yes_no(q['supplied_met'])}  [{q['citation']}]"
                )
        out("")
        out("季度节点（R6）")
        if not r["milestones"]:
            out("本计划未设季度节点")
        for m in r["milestones"]:
            out(
                f"{m['due_on']:%Y-%m-%d} 累计 ≥{m['required_pct']}%  实际 {_pct(m['reached_pct'])}"
                f"  {STATUS_TEXT[m['status']]}"
            )
