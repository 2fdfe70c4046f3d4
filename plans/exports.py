"""The plan execution report as .xlsx (Chinese headers), from plans.selectors.plan_progress.

Same scope as the overview page: district staff get their district; city staff the whole plan
or ?district=CODE of the plan's jurisdiction. ?plan=ID picks the plan (default: the latest the
user may see).
"""

from django.http import Http404
from django.utils.translation import gettext as _

from landsupply.access import staff_required
from landsupply.exports import Sheet, xlsx_response
from parcels.selectors import district_list_for_user
from plans import selectors
from plans.models import AnnualPlan


def _yes_no(value):
    return "" if value is None else ("达标" if value else "未达标")


@staff_required
def plan_report_export(request):
    try:
        if request.GET.get("plan"):
            plan = selectors.plan_get_for_user(user=request.user, pk=int(request.GET["plan"]))
        else:
            plan = selectors.plan_default_for_user(user=request.user)
    except (ValueError, AnnualPlan.DoesNotExist):
        plan = None
    if plan is None:
        raise Http404(_("没有这个计划，或您无权查看。"))
    district = None
    if request.user.is_district_staff:
        district = request.user.district
    elif request.GET.get("district"):
        district = (
            district_list_for_user(user=request.user)
            .filter(code=request.GET["district"], jurisdiction_id=plan.jurisdiction_id)
            .first()
        )
        if district is None:
            raise Http404(_("没有这个区，或您无权查看。"))
    progress = selectors.plan_progress(plan=plan, district=district)
    total = progress["total"]
    sheets = [
        (
            "用地类型",
            ["代码", "用地类型", "层级", "目标下限（公顷）", "目标上限（公顷）", "计划面积（公顷）",
             "已供应（公顷）", "完成率（%）", "完成率依据"],
            [["合计", "合计", 0, total["target_min_ha"], total["target_max_ha"], total["planned_ha"],
              total["supplied_ha"], total["completion_pct"], total["completion_basis"]]]
            + [[c["code"], "　" * c["depth"] + c["name"], c["depth"], c["target_min_ha"],
                c["target_max_ha"], c["planned_ha"], c["supplied_ha"], c["completion_pct"],
                c["completion_basis"]] for c in progress["categories"]],
        ),
        (
            "圈层",
            ["代码", "圈层", "目标占比（%）", "容差（%）", "计划面积（公顷）", "已供应（公顷）",
             "计划占比（%）", "供应占比（%）", "计划是否达标", "供应是否达标"],
            [[g["code"], g["name"], g["target_pct"], g["tolerance_pct"], g["planned_ha"],
              g["supplied_ha"], g["planned_share_pct"], g["supplied_share_pct"],
              _yes_no(g["planned_on_target"]), _yes_no(g["supplied_on_target"])]
             for g in progress["rings"]],
        ),
        (
            "政策比例",
            ["代码", "指标", "要求", "阈值（%）", "计划（%）", "已供应（%）", "计划是否达标",
             "供应是否达标", "依据"],
            [[r["code"], r["name"], r["comparison_symbol"], r["threshold_pct"], r["planned_pct"],
              r["supplied_pct"], _yes_no(r["planned_met"]), _yes_no(r["supplied_met"]),
              r["citation"]] for r in progress["ratios"]],
        ),
        (
            "季度节点",
            ["截止日期", "要求累计完成（%）", "已供应（公顷）", "实际累计完成（%）", "状态"],
            [[m["due_on"], m["required_pct"], m["supplied_ha"], m["reached_pct"],
              {"met": "已完成", "missed": "未完成", "upcoming": "未到期"}.get(m["status"], m["status"])]
             for m in progress["milestones"]],
        ),
        (
            "各区",
            ["代码", "区", "目标下限（公顷）", "目标上限（公顷）", "计划面积（公顷）", "已供应（公顷）",
             "完成率（%）", "完成率依据"],
            [[d["code"], d["name"], d["target_min_ha"], d["target_max_ha"], d["planned_ha"],
              d["supplied_ha"], d["completion_pct"], d["completion_basis"]]
             for d in progress["districts"]],
        ),
    ]  # fmt: skip
    name = f"{progress['plan']['name']}-执行情况"
    if district:
        name += f"-{district.name}"
    return xlsx_response(
        [Sheet(title, headers, rows) for title, headers, rows in sheets],
        f"{name}-{progress['scope']['as_of'].isoformat()}.xlsx",
    )
