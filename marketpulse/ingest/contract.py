"""The import contract as data: file kinds, their columns (English and Chinese headers)
and the reasons a row can be held back.

This is the one place that says what an import file looks like. The import path reads it,
the Data page shows it as "expected columns", and the demo writer uses the same headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

# Value types a column can have; each has one parser in ingest/checks.py.
#   text       trimmed text
#   qty        quantity in 条, decimal(12, 2), must be ≥ 0
#   price      price in 元/条, decimal(10, 2), must be > 0
#   tier       档位, whole number 1–30
#   date       a date (2025-09-01, 2025/9/1, 2025年9月1日, 20250901, Excel serial or date cell)
#   fact_date  a date of a visit or order: also not in the future and not before 2000
#   bool       是/否, 1/0, true/false, Y/N, yes/no
#   area_type  城网 or 农网


@dataclass(frozen=True)
class Column:
    name: str  # English header, and the store column it fills
    zh: str  # Chinese header
    type: str = "text"
    required: bool = True  # the header must be present and the value filled
    ref: str | None = None  # reference table the value must exist in
    aliases: tuple[str, ...] = ()  # other headers seen in real exports

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.name


@dataclass(frozen=True)
class Kind:
    name: str
    zh: str
    en: str
    table: str  # store table the rows go to
    key: tuple[str, ...]  # one row per key, in the file and in the store
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    def headers(self, lang: str = "en") -> list[str]:
        """Header row of a file of this kind, as the demo writer and templates use it."""
        return [c.label(lang) for c in self.columns]

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


def _c(name, zh, type="text", required=True, ref=None, aliases=()):
    return Column(name, zh, type, required, ref, tuple(aliases))


# Other headers of the optional 生效日期 column of retailers and specs: from when the row's
# assignment or prices hold (see ingest/history.py).
EFFECTIVE_ALIASES = ("生效时间", "执行日期", "valid_from", "effective_from")

# In dependency order: a file may refer only to kinds above it.
KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        # also creates or updates the departments
        Kind(
            "territories",
            "片区资料",
            "territories",
            "territory",
            ("territory_code",),
            (
                _c("department_code", "市场部编码", aliases=("市场部代码", "部门编码")),
                # the name may be left blank for a 市场部 the store already knows
                _c("department_name", "市场部", aliases=("市场部名称", "部门名称")),
                _c("territory_code", "片区编码", aliases=("片区代码",)),
                _c("territory_name", "片区", aliases=("片区名称",)),
                _c("area_type", "城乡类型", "area_type", aliases=("城网农网", "城网/农网", "市场类型")),
            ),
        ),
        Kind(
            "customer_managers",
            "客户经理资料",
            "customer managers",
            "customer_manager",
            ("cm_code",),
            (
                _c("cm_code", "客户经理编码", aliases=("客户经理代码", "客户经理工号")),
                _c("cm_name", "客户经理", aliases=("客户经理姓名", "客户经理名称")),
                _c("territory_code", "片区编码", ref="territory", aliases=("片区代码",)),
            ),
        ),
        # a change of format, tier, territory or customer manager keeps history: the old
        # assignment ends on the effective date (生效日期), by default the import week's Monday
        Kind(
            "retailers",
            "零售户资料",
            "retailers",
            "retailer",
            ("license_no",),
            (
                _c("license_no", "许可证号", aliases=("许可证号码", "专卖许可证号", "零售户许可证号", "license")),
                _c("retailer_name", "零售户名称", aliases=("零售户", "客户名称", "店名")),
                _c("format", "业态", aliases=("经营业态",)),
                _c("tier", "档位", "tier", aliases=("客户档位",)),
                _c("territory_code", "片区编码", ref="territory", aliases=("片区代码",)),
                _c("cm_code", "客户经理编码", ref="customer_manager", aliases=("客户经理代码", "客户经理工号")),
                _c("area_type", "城乡类型", "area_type", False, aliases=("城网农网", "城网/农网", "市场类型")),
                _c("opened_on", "开业日期", "date", False, aliases=("开业时间",)),
                _c("closed_on", "停业日期", "date", False, aliases=("停业时间", "歇业日期")),
                # the shop's position for the map, kept as given: WGS-84 (GPS) unless 坐标系 says
                # GCJ-02 (高德, 腾讯) or BD-09 (百度); the map converts those, and skips what does not parse
                _c("longitude", "经度", required=False, aliases=("lng", "lon", "东经")),
                _c("latitude", "纬度", required=False, aliases=("lat", "北纬")),
                _c("coord_system", "坐标系", required=False, aliases=("坐标系统", "坐标类型", "crs")),
                # from when the row holds (a move filed late); blank or absent: the import week's Monday
                _c("effective_date", "生效日期", "date", False, aliases=EFFECTIVE_ALIASES + ("变更日期", "调整日期")),
            ),
        ),
        Kind(
            "specs",
            "卷烟规格资料",
            "specs",
            "spec",
            ("spec_code",),
            (
                _c("spec_code", "卷烟编码", aliases=("规格编码", "卷烟规格编码", "商品编码")),
                _c("spec_name", "卷烟名称", aliases=("规格名称", "卷烟规格", "商品名称")),
                _c("brand", "品牌", aliases=("品牌名称",)),
                _c("price_class", "价类", aliases=("价格类别",)),
                _c("wholesale_price", "批发价", "price", aliases=("批发价格",)),
                _c("suggested_retail_price", "建议零售价", "price", aliases=("建议零售价格", "零售指导价")),
                _c("is_key_brand", "重点品牌", "bool", aliases=("是否重点品牌",)),
                _c("launch_date", "上市日期", "date", aliases=("上市时间",)),
                # from when the prices hold (调价); blank or absent: the import week's Monday
                _c(
                    "effective_date",
                    "生效日期",
                    "date",
                    False,
                    aliases=EFFECTIVE_ALIASES + ("调价日期", "价格生效日期"),
                ),
            ),
        ),
        # a corrected row (same visit date, licence number and spec) replaces the earlier one
        Kind(
            "visits",
            "拜访记录",
            "visit reports",
            "visit_line",
            ("visit_date", "license_no", "spec_code"),
            (
                _c("visit_date", "拜访日期", "fact_date", aliases=("走访日期", "拜访时间")),
                _c("cm_code", "客户经理编码", ref="customer_manager", aliases=("客户经理代码", "客户经理工号")),
                _c("license_no", "许可证号", ref="retailer", aliases=("许可证号码", "专卖许可证号", "零售户许可证号")),
                _c("spec_code", "卷烟编码", ref="spec", aliases=("规格编码", "卷烟规格编码", "商品编码")),
                _c("stock_qty", "库存", "qty", aliases=("库存量", "库存数量")),
                _c("retail_price", "实际零售价", "price", False, aliases=("零售价", "实际零售价格")),
                _c("on_shelf", "是否上柜", "bool", False, aliases=("上柜",)),
                _c("sales_qty", "销量", "qty", False, aliases=("销售量", "销售数量")),
                _c("notes", "备注", required=False, aliases=("说明",)),
            ),
        ),
        # supplied may not exceed demanded; a corrected row (same order date, licence number
        # and spec) replaces the earlier one
        Kind(
            "orders",
            "订单",
            "orders",
            "order_line",
            ("order_date", "license_no", "spec_code"),
            (
                _c("order_date", "订货日期", "fact_date", aliases=("订单日期", "订购日期")),
                _c("license_no", "许可证号", ref="retailer", aliases=("许可证号码", "专卖许可证号", "零售户许可证号")),
                _c("spec_code", "卷烟编码", ref="spec", aliases=("规格编码", "卷烟规格编码", "商品编码")),
                _c("demand_qty", "需求量", "qty", aliases=("需求数量", "订购需求")),
                _c("supplied_qty", "供货量", "qty", aliases=("供货数量", "满足量")),
            ),
        ),
    )
}

KIND_NAMES = tuple(KINDS)

REF_TABLES = {
    "territory": ("territory_code", "片区", "territory"),
    "customer_manager": ("cm_code", "客户经理", "customer manager"),
    "retailer": ("license_no", "零售户", "retailer"),
    "spec": ("spec_code", "卷烟规格", "spec"),
}

# reason_code → (Chinese, English) text for the summary; {zh} / {en} is the column.
REASONS: dict[str, tuple[str, str]] = {
    "missing_value": ("缺少必填值:{zh}", "Required value missing: {en}"),
    "not_a_number": ("不是有效数字(或超出范围):{zh}", "Not a number (or out of range): {en}"),
    "ambiguous_number": (
        "数字有歧义(逗号不是千位分隔):{zh}",
        "Ambiguous number (a comma that is no thousands separator): {en}",
    ),
    "too_many_decimals": (
        "小数位数超过本列保留的 2 位(不做四舍五入):{zh}",
        "More decimals than the column keeps (2; nothing is rounded): {en}",
    ),
    "implausible_quantity": (
        "数量超出合理范围(可在规则中调整):{zh}",
        "Implausible quantity (a rule sets the bound): {en}",
    ),
    "field_count": ("字段个数与表头不符(未按位置猜测)", "Field count differs from the header's (nothing was shifted)"),
    "date_invalid": ("日期无法识别或不合理:{zh}", "Unreadable or implausible date: {en}"),
    "date_in_future": ("日期在未来:{zh}", "Date in the future: {en}"),
    "bool_invalid": ("应填 是/否:{zh}", "Expected yes/no: {en}"),
    "negative_quantity": ("数量不能为负:{zh}", "Negative quantity: {en}"),
    "price_not_positive": ("价格必须大于 0:{zh}", "Price must be above 0: {en}"),
    "price_out_of_range": ("价格偏离建议零售价过远:{zh}", "Price far from the suggested retail price: {en}"),
    "wholesale_above_retail": ("批发价高于建议零售价", "Wholesale price above the suggested retail price"),
    "tier_out_of_range": ("档位应为 1–30 的整数", "Tier must be a whole number from 1 to 30"),
    "area_type_invalid": ("城乡类型应为 城网 或 农网", "Area type must be 城网 (urban) or 农网 (rural)"),
    "closed_before_opened": ("停业日期早于开业日期", "Closed before it opened"),
    "supplied_over_demand": ("供货量大于需求量", "Supplied more than demanded"),
    "unknown_territory": ("未知片区:片区编码不在片区资料中", "Unknown territory: code not in the territory list"),
    "unknown_customer_manager": (
        "未知客户经理:客户经理编码不在客户经理资料中",
        "Unknown customer manager: code not in the customer manager list",
    ),
    "unknown_retailer": (
        "未知零售户:许可证号不在零售户资料中",
        "Unknown retailer: licence number not in the retailer list",
    ),
    "unknown_spec": ("未知卷烟规格:卷烟编码不在规格资料中", "Unknown spec: code not in the spec list"),
    "unknown_department": (
        "未知市场部:新市场部须填写市场部名称",
        "Unknown department: a new department needs its name",
    ),
    "duplicate_in_file": ("文件内重复(保留第一行)", "Duplicate within the file (the first row is kept)"),
}

REF_REASON = {
    "territory": "unknown_territory",
    "customer_manager": "unknown_customer_manager",
    "retailer": "unknown_retailer",
    "spec": "unknown_spec",
}


def reason_text(code: str, column: Column | None = None) -> tuple[str, str]:
    zh, en = REASONS[code]
    return (
        zh.format(zh=column.zh if column else ""),
        en.format(en=column.name if column else ""),
    )


# ── headers ───────────────────────────────────────────────────────────────────

_UNIT = re.compile(r"[（(][^()（）]*[)）]$")


def normalize_header(text: object) -> str:
    """Header text as compared: no BOM, case, spaces, underscores, trailing unit "(条)"."""
    s = str(text or "").replace("\ufeff", "").strip().lower()
    s = s.rstrip("?？*").strip()
    s = _UNIT.sub("", s).strip() or s
    return re.sub(r"[\s_\-]+", "", s)


def match_headers(headers: list[str], kind: Kind) -> tuple[dict[str, int], list[str]]:
    """Columns of `kind` found among `headers` (name → position), and names seen twice."""
    found: dict[str, int] = {}
    twice = []
    names = {c.name for c in kind.columns}
    wanted = {}
    for col in kind.columns:
        for name in (col.name, col.zh, *col.aliases):
            wanted[normalize_header(name)] = col.name
    for pos, header in enumerate(headers):
        name = wanted.get(normalize_header(header))
        if name in names:
            if name in found:
                twice.append(name)
            else:
                found[name] = pos
    return found, twice


def detect_kind(headers: list[str]) -> Kind | None:
    """The kind whose required columns are all present, preferring the most columns matched."""
    best, best_score = None, -1
    for kind in KINDS.values():
        found, _ = match_headers(headers, kind)
        if all(c.name in found for c in kind.required):
            score = len(found) - 0.01 * len(kind.columns)  # tie: the narrower kind
            if score > best_score:
                best, best_score = kind, score
    return best


def expected_columns(kind: Kind | str, lang: str = "zh") -> str:
    """One line: the kind and its columns, optional ones marked with "?"."""
    kind = KINDS[kind] if isinstance(kind, str) else kind
    if lang == "zh":
        cols = "、".join(f"{c.zh}/{c.name}{'' if c.required else '?'}" for c in kind.columns)
        return f"{kind.zh}({kind.name}):{cols}"
    cols = ", ".join(f"{c.name}/{c.zh}{'' if c.required else '?'}" for c in kind.columns)
    return f"{kind.en} ({kind.name}): {cols}"


def expected_table(lang: str = "zh") -> pd.DataFrame:
    """The contract as a frame (kind, column, Chinese header, English header, required, type)."""
    rows = [
        {
            "kind": kind.name,
            "kind_label": kind.label(lang),
            "column_zh": col.zh,
            "column_en": col.name,
            "required": col.required,
            "type": col.type,
        }
        for kind in KINDS.values()
        for col in kind.columns
    ]
    return pd.DataFrame(rows)
