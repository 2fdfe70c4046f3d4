"""The parcel ledger (台账) as a django-import-export resource, with Chinese column headers.

One resource serves three uses: the export of the filtered parcel list, the ledger import's
cell validation (parcels.imports runs each Field's clean() over every row and writes in bulk),
and django-import-export's own import_data() path (the benchmark's comparison).

Parcels are matched by (district, code), never by database id. Every widget raises ValueError
with a message in plain Chinese; CellError names the column when it is not the field's own.
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from import_export import fields, resources, widgets

from landsupply.models import District
from landsupply.validators import DATE_MAX, DATE_MIN, date_in_range
from parcels.models import LandSource, LandUseCategory, Parcel, SupplyMethod
from parcels.units import AreaUnit, max_hectares, parse_unit, to_hectares


class ColumnNote(str):
    """A column note: a plain str holding the Chinese text, translated whenever it is turned
    into text with str() (the upload page, the template's notes sheet). Unlike gettext_lazy it
    is a real str; landsupply.exports writes it as str(note), translated."""

    def __str__(self):
        return _(str.__str__(self))


# Column headers of the ledger, in template order. (header, attribute, required, note)
# The note is shown on the upload page and in the template's 说明 sheet.
LEDGER_COLUMNS = [
    (
        "地块编号",
        "code",
        True,
        ColumnNote(gettext_noop("区内唯一；已存在的编号将更新该地块，不存在则新增")),
    ),
    ("地块名称", "name", True, ""),
    (
        "区",
        "district",
        True,
        ColumnNote(
            gettext_noop("区名称或代码，如 海淀区 或 haidian；区级用户只能填本区（可留空）")
        ),
    ),
    ("坐落", "location", False, ""),
    (
        "用地类型",
        "category",
        True,
        ColumnNote(gettext_noop("名称或代码，如 工业用地 或 industrial")),
    ),
    ("面积", "area_ha", True, ColumnNote(gettext_noop("大于 0 的数字"))),
    (
        "面积单位",
        None,
        True,
        ColumnNote(gettext_noop("公顷、平方米 或 亩（1 公顷 = 10000 平方米 = 15 亩）")),
    ),
    ("存量/新增", "land_source", False, ColumnNote(gettext_noop("存量 或 新增；空白按新增"))),
    (
        "供应方式",
        "supply_method",
        False,
        ColumnNote(
            gettext_noop("划拨、招标、拍卖、挂牌、协议、先租后让、长期租赁、弹性年期；空白按挂牌")
        ),
    ),
    ("计划年度", "plan_year", True, ColumnNote(gettext_noop("如 2024"))),
    ("计划季度", "planned_quarter", True, ColumnNote(gettext_noop("1–4，也可写 Q2 或 第二季度"))),
    ("重点功能区", "in_key_function_area", False, ColumnNote(gettext_noop("是 或 否；空白按否"))),
    ("重点功能区名称", "key_function_area_name", False, ""),
    ("轨道站点周边", "near_rail", False, ColumnNote(gettext_noop("是 或 否；空白按否"))),
    (
        "状态",
        "status",
        False,
        ColumnNote(gettext_noop("计划供应、已供应 或 已调出；空白按计划供应")),
    ),
    (
        "供应日期",
        "supplied_on",
        False,
        ColumnNote(gettext_noop("已供应时必填；2024-06-30、2024/6/30 或 2024年6月30日")),
    ),
    ("合同编号", "contract_number", False, ""),
    (
        "成交价（元）",
        "transaction_price",
        False,
        ColumnNote(gettext_noop("元，不小于 0，可带千分位逗号")),
    ),
    ("受让人", "awardee", False, ""),
]
HEADERS = [header for header, *_ in LEDGER_COLUMNS]
UNIT_HEADER = "面积单位"

# Other spellings of headers seen in ledgers, mapped to ours.
HEADER_ALIASES = {
    "宗地编号": "地块编号",
    "地块代码": "地块编号",
    "所在区": "区",
    "区县": "区",
    "行政区": "区",
    "土地用途": "用地类型",
    "用地性质": "用地类型",
    "存量新增": "存量/新增",
    "存量/新增建设用地": "存量/新增",
    "成交价(元)": "成交价（元）",
    "成交价": "成交价（元）",
    "受让人/承租人": "受让人",
}

YES = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
NO = {"否", "n", "no", "false", "0", "×", "无", ""}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d")
# The common spellings of _DATE_FORMATS read without strptime (a tenth of its cost per row);
# anything else, or an impossible date, goes through strptime as before.
_NUMERIC_DATE = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


class CellError(ValueError):
    """A cell value that cannot be used; `column` names the header when it is not the field's."""

    def __init__(self, message, *, column=None):
        super().__init__(message)
        self.column = column


def cell_blank(value) -> bool:
    """Return whether a cell is empty (None, or text of only white space): cell_text(value) == ""
    without building the text."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return False


def cell_text(value) -> str:
    """Return a cell as stripped text; whole numbers read as floats lose their '.0'."""
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class TextWidget(widgets.CharWidget):
    """Text up to max_length characters, without control characters (tab and line breaks are
    allowed): a NUL cannot be stored in PostgreSQL, and .xlsx cannot hold the others."""

    cell_only = True

    def __init__(self, max_length, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if len(text) > self.max_length:
            raise CellError(
                _("超过 %(max)s 个字（%(length)s 个字）")
                % {"max": self.max_length, "length": len(text)}
            )
        if CONTROL_CHARACTERS.search(text):
            raise CellError(_("含有不可见的控制字符（如 NUL），请删除后重新导入"))
        return text


class LookupWidget(widgets.ForeignKeyWidget):
    """Finds a row by its name or code among `queryset`, loaded once per file.

    Raises CellError("未知的…") for a value not in the queryset.
    """

    cell_only = True  # the table is loaded once, so a name gives the same row all along

    def __init__(self, model, *, queryset=None, noun):
        super().__init__(model, field="name")
        self.queryset = queryset
        self.noun = noun
        self._by_key = None

    def get_queryset(self, value, row, *args, **kwargs):
        return self.queryset if self.queryset is not None else self.model.objects.all()

    def lookup_table(self) -> dict:
        if self._by_key is None:
            self._by_key = {}
            for obj in self.get_queryset(None, None):
                self._by_key[obj.code] = obj
                self._by_key[obj.code.lower()] = obj
                self._by_key[obj.name] = obj
        return self._by_key

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        table = self.lookup_table()
        obj = table.get(text) or table.get(text.lower())
        if obj is None:
            raise CellError(_("未知的%(noun)s「%(text)s」") % {"noun": self.noun, "text": text})
        return obj


class DistrictWidget(LookupWidget):
    """A district the uploader may act in; `fixed` is the only district allowed (and the default
    for a blank cell) when the import is limited to one district. Every district is loaded once
    per file, so a row naming another or an unknown district costs no query."""

    def __init__(self, *, queryset=None, fixed=None):
        super().__init__(District, queryset=queryset, noun=gettext_lazy("区"))
        self.fixed = fixed
        self._every = None

    def any_district(self, text: str):
        """Return the district, of any jurisdiction, named or coded `text`, else None."""
        if self._every is None:
            self._every = {}
            for district in District.objects.all():
                self._every.setdefault(district.code.lower(), district)
                self._every.setdefault(district.name, district)
        return self._every.get(text) or self._every.get(text.lower())

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return self.fixed
        try:
            district = super().clean(value, row=row, **kwargs)
        except CellError:
            known = self.any_district(text)
            if known is not None and self.fixed is not None:
                raise CellError(
                    _(
                        "无权导入「%(district)s」的地块：本次导入只限「%(fixed)s」，"
                        "不能新增或修改其他区的地块"
                    )
                    % {"district": known.name, "fixed": self.fixed.name}
                ) from None
            if known is not None:
                raise CellError(
                    _("无权导入「%(district)s」的地块，只能导入本人所辖区的地块")
                    % {"district": known.name}
                ) from None
            raise
        if self.fixed is not None and district.pk != self.fixed.pk:
            raise CellError(
                _("本次导入只限「%(fixed)s」，此行为「%(district)s」，不能新增或修改其他区的地块")
                % {"fixed": self.fixed.name, "district": district.name}
            )
        return district

    def render(self, value, obj=None, **kwargs):
        return value.name if value is not None else ""


class CategoryWidget(LookupWidget):
    def __init__(self):
        super().__init__(LandUseCategory, noun=gettext_lazy("用地类型"))

    def render(self, value, obj=None, **kwargs):
        return value.name if value is not None else ""


class ChoiceWidget(widgets.Widget):
    """A TextChoices value given by its Chinese label (or a listed short form, or the value)."""

    cell_only = True

    def __init__(self, choices, *, noun, default, aliases=None):
        super().__init__()
        self.noun = noun
        self.default = default
        self.labels = dict(choices.choices)
        with translation.override(settings.LANGUAGE_CODE):  # ledgers are filled in in Chinese
            self.by_text = {str(label): value for value, label in choices.choices}
        self.by_text.update({str(label): value for value, label in choices.choices})
        self.by_text.update({value: value for value in choices.values})
        self.by_text.update(aliases or {})

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return self.default
        if text not in self.by_text:
            allowed = "、".join(str(label) for label in self.labels.values())
            raise CellError(
                _("%(noun)s「%(text)s」无法识别（可填：%(allowed)s）")
                % {"noun": self.noun, "text": text, "allowed": allowed}
            )
        return self.by_text[text]

    def render(self, value, obj=None, **kwargs):
        return str(self.labels.get(value, value or ""))


class YesNoWidget(widgets.BooleanWidget):
    cell_only = True

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = cell_text(value).lower()
        if text in YES:
            return True
        if text in NO:
            return False
        raise CellError(_("应填写「是」或「否」，此处为「%(text)s」") % {"text": text})

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class LedgerDateWidget(widgets.DateWidget):
    """Dates as 2024-06-30, 2024/6/30, 2024年6月30日, or a spreadsheet date cell, within
    landsupply.validators.DATE_MIN … DATE_MAX."""

    cell_only = True

    @staticmethod
    def in_range(day: date) -> date:
        if not date_in_range(day):
            raise CellError(
                _("日期 %(date)s 超出范围（%(min)s 至 %(max)s）")
                % {
                    "date": day.isoformat(),
                    "min": DATE_MIN.isoformat(),
                    "max": DATE_MAX.isoformat(),
                }
            )
        return day

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime):
            return self.in_range(value.date())
        if isinstance(value, date):
            return self.in_range(value)
        text = cell_text(value)
        if not text:
            return None
        match = _NUMERIC_DATE.fullmatch(text)
        if match:
            try:
                day = date(int(match[1]), int(match[3]), int(match[4]))
            except ValueError:
                pass
            else:
                return self.in_range(day)
        for fmt in _DATE_FORMATS:
            try:
                day = datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
            except ValueError:
                continue
            return self.in_range(day)
        raise CellError(
            _("日期无法识别「%(text)s」（可写 2024-06-30、2024/6/30 或 2024年6月30日）")
            % {"text": text}
        )

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class YearWidget(widgets.IntegerWidget):
    cell_only = True

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        if not text.isdigit() or not 2000 <= int(text) <= 2100:
            raise CellError(
                _("计划年度应为 2000–2100 之间的年份，此处为「%(text)s」") % {"text": text}
            )
        return int(text)


class QuarterWidget(widgets.IntegerWidget):
    cell_only = True

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        match = re.fullmatch(r"(?:[Qq]|第)?([1-4一二三四])(?:季度)?", text)
        if not match:
            raise CellError(
                _("计划季度应为 1–4（或 Q1–Q4、第一季度…），此处为「%(text)s」") % {"text": text}
            )
        digit = match.group(1)
        return _CN_DIGITS.get(digit) or int(digit)


class MoneyWidget(widgets.DecimalWidget):
    """Yuan, two places; thousands separators allowed; never negative."""

    cell_only = True

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value).replace(",", "").replace("，", "")
        if not text:
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise CellError(_("金额不是数字「%(text)s」") % {"text": text}) from None
        if not amount.is_finite() or amount < 0:
            raise CellError(_("金额不能为负数（%(text)s）") % {"text": text})
        if amount >= Decimal("1e14"):
            raise CellError(_("金额过大（%(text)s 元）") % {"text": text})
        return amount.quantize(Decimal("0.01"))


class LedgerField(fields.Field):
    """A Field that may be required: a blank cell raises CellError('此项必填').

    `cell_only` is whether clean(row) depends on the field's own cell alone (its widget says
    so with cell_only = True: the result for a value, of one type, is the same in every row of a
    file), so the import may reuse the value cleaned for an equal cell earlier in the file.
    """

    def __init__(self, *args, required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.required = required

    @property
    def cell_only(self) -> bool:
        return getattr(self.widget, "cell_only", False)

    def clean(self, row, **kwargs):
        value = self.widget.clean(row.get(self.column_name), row=row, **kwargs)
        if self.required and (value is None or value == ""):
            raise CellError(_("此项必填，不能为空"))
        return value


class AreaField(LedgerField):
    """面积 with its unit from 面积单位, returned in hectares (Decimal, 4 places)."""

    cell_only = False  # reads two cells

    def clean(self, row, **kwargs):
        amount = cell_text(row.get(self.column_name))
        if not amount:
            raise CellError(_("面积为空"))
        try:
            number = Decimal(amount.replace(",", ""))
        except InvalidOperation:
            raise CellError(_("面积不是数字「%(text)s」") % {"text": amount}) from None
        if not number.is_finite():
            raise CellError(_("面积不是数字「%(text)s」") % {"text": amount})
        if number < 0:
            raise CellError(_("面积不能为负数（%(text)s）") % {"text": amount})
        unit_text = cell_text(row.get(UNIT_HEADER, ""))
        if not unit_text:
            raise CellError(
                _("面积单位为空，无法确定面积（可填：公顷、平方米、亩）"), column=UNIT_HEADER
            )
        try:
            unit = parse_unit(unit_text)
        except ValueError:
            raise CellError(
                _("面积单位不明确「%(unit)s」（可填：公顷、平方米、亩）") % {"unit": unit_text},
                column=UNIT_HEADER,
            ) from None
        try:
            hectares = to_hectares(number, unit)
        except InvalidOperation:  # more digits than a Decimal context holds: far too large
            hectares = None
        if hectares is None or hectares > max_hectares():
            raise CellError(
                _("面积过大（%(amount)s %(unit)s），上限 %(max)s 公顷")
                % {"amount": amount, "unit": unit_text, "max": max_hectares()}
            )
        if hectares <= 0:
            raise CellError(
                _("面积必须大于 0（%(amount)s %(unit)s 折合 %(hectares)s 公顷）")
                % {"amount": amount, "unit": unit_text, "hectares": hectares}
            )
        return hectares


class ParcelResource(resources.ModelResource):
    """The ledger's columns. `districts` limits the 区 column to the uploader's districts;
    `district` fixes every row to one district (a row naming another one is an error)."""

    code = LedgerField("code", "地块编号", TextWidget(64), required=True)
    name = LedgerField("name", "地块名称", TextWidget(200), required=True)
    district = LedgerField("district", "区", DistrictWidget(), required=True)
    location = LedgerField("location", "坐落", TextWidget(200))
    category = LedgerField("category", "用地类型", CategoryWidget(), required=True)
    area_ha = AreaField(
        "area_ha", "面积", widgets.DecimalWidget(coerce_to_string=False), required=True
    )
    area_unit = fields.Field(
        column_name=UNIT_HEADER, readonly=True, dehydrate_method="dehydrate_area_unit"
    )
    land_source = LedgerField(
        "land_source",
        "存量/新增",
        ChoiceWidget(
            LandSource,
            noun=gettext_lazy("存量/新增"),
            default=LandSource.NEW,
            aliases={"新增": "new", "存量": "stock"},
        ),
    )
    supply_method = LedgerField(
        "supply_method",
        "供应方式",
        ChoiceWidget(SupplyMethod, noun=gettext_lazy("供应方式"), default=SupplyMethod.LISTING),
    )
    plan_year = LedgerField(
        "plan_year", "计划年度", YearWidget(coerce_to_string=False), required=True
    )
    planned_quarter = LedgerField(
        "planned_quarter", "计划季度", QuarterWidget(coerce_to_string=False), required=True
    )
    in_key_function_area = LedgerField("in_key_function_area", "重点功能区", YesNoWidget())
    key_function_area_name = LedgerField(
        "key_function_area_name", "重点功能区名称", TextWidget(100)
    )
    near_rail = LedgerField("near_rail", "轨道站点周边", YesNoWidget())
    status = LedgerField(
        "status",
        "状态",
        ChoiceWidget(
            Parcel.Status,
            noun=gettext_lazy("状态"),
            default=Parcel.Status.PLANNED,
            aliases={
                "计划": "planned",
                "未供应": "planned",
                "供应": "supplied",
                "调出": "withdrawn",
            },
        ),
    )
    supplied_on = LedgerField("supplied_on", "供应日期", LedgerDateWidget())
    contract_number = LedgerField("contract_number", "合同编号", TextWidget(64))
    transaction_price = LedgerField(
        "transaction_price", "成交价（元）", MoneyWidget(coerce_to_string=False)
    )
    awardee = LedgerField("awardee", "受让人", TextWidget(200))

    class Meta:
        model = Parcel
        import_id_fields = ("district", "code")
        fields = tuple(attr or "area_unit" for _h, attr, *_ in LEDGER_COLUMNS)
        export_order = fields

    def __init__(self, *, districts=None, district=None, **kwargs):
        super().__init__(**kwargs)
        self.fields["district"].widget.queryset = districts
        self.fields["district"].widget.fixed = district

    def dehydrate_area_unit(self, parcel):
        return str(AreaUnit.HECTARE.label)

    def before_save_instance(self, instance, row, **kwargs):
        problem = row_problem(status=instance.status, supplied_on=instance.supplied_on)
        if problem:
            raise ValueError(problem[1])


def row_problem(*, status, supplied_on):
    """Return (column, message) if the row breaks a rule spanning columns, else None."""
    if status == Parcel.Status.SUPPLIED and supplied_on is None:
        return ("供应日期", _("状态为已供应时必须填写供应日期"))
    return None
