"""The plan template (计划导入模板): one row per plan figure, category, ring, ratio, milestone
or district target, as .xlsx or .csv (UTF-8). Documented on the import page and in the template's
"说明" sheet.

Columns (Chinese header, or the English key in brackets):
  类型 (section): 总量 | 类别 | 圈层 | 比例 | 节点 | 分区
  代码 (code): 总量 rows: total 总量, city 市级, district 区级, net_reduction 净减量,
               net_reduction_green_belt 二绿减量; 类别/比例: the line's code; 圈层: ring code;
               分区: the category code, empty for the district's total
  名称 (name), 上级代码 (parent), 区代码 (district),
  下限（公顷）(min_ha), 上限（公顷）(max_ha): a single target has both equal (or only 下限),
  比例（%）(pct): ring share, ratio threshold or milestone cumulative %,
  允许偏差（百分点）(tolerance_pct), 日期 (date, YYYY-MM-DD), 计入的用地类型 (land_use, codes
  separated by 、 or ,), 条件 (condition: kfa | rail_or_kfa | stock), 基数用地类型 (base_category),
  比较 (comparison: gte | gt), 依据 (citation), 说明 (note),
  下级为其中项 (of_which: 是 when the category's children are "of which" lines that need not
  fill it, R2), 责任主体 (responsibility: 市级 | 区级, R5). A file without these two columns
  keeps what the plan's lines had.
Rows are read in order: a category's parent comes before it. Rules R1–R6, R10.
"""

import datetime
import os
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from landsupply.uploads import check_spreadsheet, csv_rows
from landsupply.validators import date_in_range

COLUMNS = [
    ("section", "类型"),
    ("code", "代码"),
    ("name", "名称"),
    ("parent", "上级代码"),
    ("district", "区代码"),
    ("min_ha", "下限（公顷）"),
    ("max_ha", "上限（公顷）"),
    ("pct", "比例（%）"),
    ("tolerance_pct", "允许偏差（百分点）"),
    ("date", "日期"),
    ("land_use", "计入的用地类型"),
    ("condition", "条件"),
    ("base_category", "基数用地类型"),
    ("comparison", "比较"),
    ("citation", "依据"),
    ("note", "说明"),
    ("of_which", "下级为其中项"),
    ("responsibility", "责任主体"),
]
LABEL = dict(COLUMNS)
YES = {"是", "yes", "y", "1", "true"}
RESPONSIBILITY = {"市级": "city", "区级": "district", "city": "city", "district": "district"}
RESPONSIBILITY_LABEL = {"city": "市级", "district": "区级"}
SECTIONS = {
    "总量": "plan",
    "类别": "category",
    "圈层": "ring",
    "比例": "ratio",
    "节点": "milestone",
    "分区": "allocation",
}
SECTION_NAME = {v: k for k, v in SECTIONS.items()}
PLAN_FIELDS = {
    "total": ("total_min_ha", "total_max_ha"),
    "city": ("city_target_min_ha", "city_target_max_ha"),
    "district": ("district_target_min_ha", "district_target_max_ha"),
    "net_reduction": ("net_reduction_ha", None),
    "net_reduction_green_belt": ("net_reduction_green_belt_ha", None),
}


def read_rows(upload) -> list[dict]:
    """Return the rows of an uploaded .xlsx or .csv as [{key: text, "_row": sheet row}], header
    matched by Chinese label or English key. The file is read only after it passed the upload
    checks of a plan (landsupply.uploads: size, zip limits, sheet range; openpyxl pads every
    row to the sheet's width, so the range must be bounded first). Raises ValidationError
    (UploadRejected naming the limit) for a file that breaks a limit or cannot be read, or a
    header without the 类型 column."""
    name = os.path.basename(getattr(upload, "name", "") or "plan")
    info = check_spreadsheet(upload, name=name, kind="plan")
    handle = getattr(upload, "file", upload)
    handle.seek(0)
    try:
        if info.format == "xlsx":
            from openpyxl import load_workbook

            sheet = load_workbook(handle, read_only=True, data_only=True).worksheets[0]
            table = [
                ["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)
            ]
        else:
            table = list(csv_rows(handle, info.encoding, name=name))
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 — any parse failure is the user's file
        raise ValidationError(
            _("无法读取文件（请使用模板的 .xlsx 或 UTF-8 .csv）：%(error)s") % {"error": exc}
        ) from exc
    if not table:
        raise ValidationError(_("文件是空的。"))
    by_label = {label: key for key, label in COLUMNS} | {key: key for key, _ in COLUMNS}
    header = [by_label.get(str(h).strip()) for h in table[0]]
    if "section" not in header:
        raise ValidationError(_("第 1 行须为表头，且包含“类型”列（见模板）。"))
    rows = []
    for number, values in enumerate(table[1:], start=2):
        row = {"_row": number}
        for key, value in zip(header, values, strict=False):
            if key:
                row[key] = value.strip() if isinstance(value, str) else value
        if any(row.get(k) not in (None, "") for k, _ in COLUMNS):
            rows.append(row)
    return rows


def _decimal(row, key, errors):
    value = row.get(key)
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
        if not number.is_finite():
            raise InvalidOperation
        return number
    except InvalidOperation:
        errors.append(
            _("第 %(row)s 行「%(column)s」：%(value)s 不是数字。")
            % {"row": row["_row"], "column": LABEL[key], "value": value}
        )
        return None


def _date(row, key, errors):
    value = row.get(key)
    try:
        if isinstance(value, datetime.datetime):
            day = value.date()
        elif isinstance(value, datetime.date):
            day = value
        else:
            day = datetime.date.fromisoformat(str(value))
        if not date_in_range(day):
            raise ValueError
        return day
    except ValueError:
        errors.append(
            _("第 %(row)s 行「%(column)s」：%(value)s 不是 1900–2100 年间的日期（YYYY-MM-DD）。")
            % {"row": row["_row"], "column": LABEL[key], "value": value}
        )
        return None


def _text(row, key):
    value = row.get(key)
    return "" if value is None else str(value).strip()


def rows_to_spec(rows: list[dict]) -> dict:
    """Return the plan spec (shape of selectors.plan_spec, rows carrying "_row") read from the
    template rows. Raises ValidationError listing every cell that cannot be read, by row and
    column; the checks of the figures themselves are services.plan_set_targets's."""
    errors: list[str] = []
    spec = {
        "plan": {},
        "categories": [],
        "rings": [],
        "ratios": [],
        "milestones": [],
        "allocations": [],
    }
    for row in rows:
        n = row["_row"]
        section = SECTIONS.get(_text(row, "section"), _text(row, "section"))
        low, high = _decimal(row, "min_ha", errors), _decimal(row, "max_ha", errors)
        if high is None:
            high = low
        if section == "plan":
            fields = PLAN_FIELDS.get(_text(row, "code"))
            if fields is None:
                errors.append(
                    _("第 %(row)s 行「代码」：总量行的代码须为 %(codes)s。")
                    % {"row": n, "codes": "、".join(PLAN_FIELDS)}
                )
                continue
            spec["plan"][fields[0]] = low
            if fields[1]:
                spec["plan"][fields[1]] = high
        elif section == "category":
            land_use = _text(row, "land_use").replace("，", "、").replace(",", "、")
            category = {
                "_row": n,
                "code": _text(row, "code"),
                "name": _text(row, "name"),
                "parent": _text(row, "parent") or None,
                "target_min_ha": low,
                "target_max_ha": high,
                "land_use": sorted(x.strip() for x in land_use.split("、") if x.strip()),
                "note": _text(row, "note"),
            }
            if "of_which" in row:
                category["children_partition"] = _text(row, "of_which").lower() not in YES
            if "responsibility" in row:
                value = _text(row, "responsibility")
                if value and value not in RESPONSIBILITY:
                    errors.append(
                        _("第 %(row)s 行「%(column)s」：%(value)s 须为 市级 或 区级。")
                        % {"row": n, "column": LABEL["responsibility"], "value": value}
                    )
                category["responsibility"] = RESPONSIBILITY.get(value, "")
            spec["categories"].append(category)
        elif section == "ring":
            tolerance = _decimal(row, "tolerance_pct", errors)
            spec["rings"].append(
                {
                    "_row": n,
                    "ring": _text(row, "code"),
                    "share_pct": _decimal(row, "pct", errors),
                    "tolerance_pct": tolerance if tolerance is not None else Decimal("5.00"),
                }
            )
        elif section == "ratio":
            spec["ratios"].append(
                {
                    "_row": n,
                    "code": _text(row, "code"),
                    "name": _text(row, "name"),
                    "condition": _text(row, "condition"),
                    "base_category": _text(row, "base_category") or None,
                    "comparison": _text(row, "comparison") or "gte",
                    "threshold_pct": _decimal(row, "pct", errors),
                    "citation": _text(row, "citation"),
                }
            )
        elif section == "milestone":
            spec["milestones"].append(
                {
                    "_row": n,
                    "due_on": _date(row, "date", errors),
                    "cumulative_pct": _decimal(row, "pct", errors),
                }
            )
        elif section == "allocation":
            spec["allocations"].append(
                {
                    "_row": n,
                    "district": _text(row, "district"),
                    "category": _text(row, "code") or None,
                    "target_min_ha": low,
                    "target_max_ha": high,
                    "net_reduction_ha": None,
                }
            )
        else:
            errors.append(
                _("第 %(row)s 行「类型」：%(value)s 不是 %(sections)s 之一。")
                % {
                    "row": n,
                    "value": _text(row, "section") or _("（空）"),
                    "sections": "、".join(SECTIONS),
                }
            )
    if errors:
        raise ValidationError(errors)
    return spec


def spec_to_rows(spec: dict) -> list[list]:
    """Return the template rows (header first) of a plan spec: the inverse of rows_to_spec."""
    out = [[label for _, label in COLUMNS]]

    def line(**values):
        return [values.get(key, "") for key, _ in COLUMNS]

    def num(v):
        if v is None:
            return ""
        return format(v.normalize(), "f") if isinstance(v, Decimal) else str(v)

    for code, (low, high) in PLAN_FIELDS.items():
        value = spec["plan"].get(low)
        if value is not None:
            out.append(
                line(
                    section="总量",
                    code=code,
                    min_ha=num(value),
                    max_ha=num(spec["plan"].get(high)) if high else "",
                )
            )
    for c in spec["categories"]:
        out.append(
            line(
                section="类别",
                code=c["code"],
                name=c["name"],
                parent=c["parent"] or "",
                min_ha=num(c["target_min_ha"]),
                max_ha=num(c["target_max_ha"]),
                land_use="、".join(c["land_use"]),
                note=c["note"],
                of_which="" if c.get("children_partition", True) else "是",
                responsibility=RESPONSIBILITY_LABEL.get(c.get("responsibility") or "", ""),
            )
        )
    for r in spec["rings"]:
        out.append(
            line(
                section="圈层",
                code=r["ring"],
                pct=num(r["share_pct"]),
                tolerance_pct=num(r["tolerance_pct"]),
            )
        )
    for q in spec["ratios"]:
        out.append(
            line(
                section="比例",
                code=q["code"],
                name=q["name"],
                condition=q["condition"],
                base_category=q["base_category"] or "",
                comparison=q["comparison"],
                pct=num(q["threshold_pct"]),
                citation=q["citation"],
            )
        )
    for m in spec["milestones"]:
        out.append(line(section="节点", date=m["due_on"].isoformat(), pct=num(m["cumulative_pct"])))
    for a in spec["allocations"]:
        out.append(
            line(
                section="分区",
                district=a["district"],
                code=a["category"] or "",
                min_ha=num(a["target_min_ha"]),
                max_ha=num(a["target_max_ha"]),
            )
        )
    return out
