"""Every string the dashboard shows, in zh-CN and English: one table, one lookup.

`t(key, lang, **values)` formats the entry; `value(x, lang)` translates a data value that
has a fixed vocabulary (业态, 城网/农网, market states). Territory, manager, brand and spec
names are proper names and stay as the data has them.
"""

from __future__ import annotations

LANGS = ("zh", "en")
LANG_NAMES = {"zh": "中文", "en": "English"}

# key: (zh-CN, en)
TEXT: dict[str, tuple[str, str]] = {
    "app.title": ("市场脉搏", "MarketPulse"),
    "app.tagline": ("摸准市场的脉搏", "Feel the pulse of the market"),
    # pages
    "page.weekly": ("营销周报", "Weekly review"),
    "page.inventory": ("存销比监控", "Inventory cover"),
    "page.prices": ("价格指数", "Prices"),
    "page.brands": ("新品牌培育", "Brand cultivation"),
    "page.territory": ("片区趋势", "Territory trends"),
    "page.managers": ("客户经理", "Customer managers"),
    "page.supply": ("货源建议", "Supply"),
    "page.data": ("数据", "Data"),
    "nav.review": ("周度分析", "Weekly analysis"),
    "nav.people": ("市场与人员", "Markets and people"),
    "nav.plan": ("计划与数据", "Planning and data"),
    # sidebar
    "filter.heading": ("筛选条件", "Filters"),
    "filter.week_from": ("起始周", "From week"),
    "filter.week_to": ("截止周", "To week"),
    "filter.department": ("市场部", "Department"),
    "filter.territory": ("片区", "Territory"),
    "filter.cm": ("客户经理", "Customer manager"),
    "filter.brand": ("品牌", "Brand"),
    "filter.spec": ("规格", "Spec"),
    "filter.customer_group": ("客户分组(业态/档位/城农网)", "Customer group (format, tier, area)"),
    "filter.format": ("业态", "Format"),
    "filter.tier_band": ("档位段", "Tier band"),
    "filter.area_type": ("城网/农网", "Urban/rural"),
    "filter.all": ("全部", "All"),
    "filter.whole_city": ("全市", "Whole city"),
    "filter.band_label": ("档位 {band}", "tier {band}"),
    "filter.no_weeks": ("暂无数据周", "no weeks with data"),
    "filter.reset": ("清除筛选", "Clear filters"),
    # freshness and empty states
    "fresh.latest": ("数据截至 {week} 当周", "Data up to the week of {week}"),
    "fresh.imported": (",最近导入于 {at}", ", last import {at}"),
    "fresh.lagging": (";未报到最新周的片区:{items}", "; territories behind: {items}"),
    "fresh.none": ("数据库中还没有拜访数据,请在“数据”页导入文件。", "The store holds no visit data yet; import files on the Data page."),
    "empty.week": ("本周无数据", "No data for this week"),
    "empty.range": ("所选范围内无数据", "No data for the selected range"),
    "missing.section": ("此处将显示{what};当前数据库版本尚未提供该数据。", "This section will show {what}; this release does not provide it yet."),
    "store.created": ("已创建空数据库。请在“数据”页导入文件,或运行 `python -m marketpulse demo` 生成模拟数据。",
                      "An empty store was created. Import files on the Data page, or run `python -m marketpulse demo` for a simulated city."),
    # downloads and units
    "download.csv": ("下载 CSV", "Download CSV"),
    "download.xlsx": ("下载 Excel", "Download Excel"),
    "unit.points": ("个百分点", " pts"),
    "unit.qty": ("条", "cartons"),
    "unit.price": ("元/条", "CNY/carton"),
    "unit.weeks": ("周", "weeks"),
    "unit.index": ("", ""),
    "unit.pct": ("%", "%"),
    "axis.week": ("周(周一)", "Week (Monday)"),
    # KPI cards
    "kpi.wow": ("环比", "WoW"),
    "kpi.yoy": ("同期", "YoY"),
    "kpi.sales": ("销量", "Sales volume"),
    "kpi.avg_price": ("单条均价", "Avg. price per carton"),
    "kpi.ratio": ("存销比", "Weeks of cover"),
    "kpi.price_index": ("价格指数", "Price index"),
    "kpi.key_share": ("重点品牌比重", "Key-brand share"),
    "kpi.new_brand": ("新品牌铺货率", "New-brand distribution"),
    # market states
    "state.tight": ("紧俏", "Tight"),
    "state.balanced": ("平衡", "Balanced"),
    "state.loose": ("宽松", "Loose"),
    # weekly review
    "weekly.title": ("营销周报", "Weekly market review"),
    "weekly.lead": ("上周全貌:关键指标、预警与各片区市场状态。", "Last week at a glance: headline numbers, alerts and market state by territory."),
    "weekly.week": ("报告周:{week}(第 {iso} 周)", "Week of {week} (ISO week {iso})"),
    "weekly.kpis": ("关键指标", "Headline numbers"),
    "weekly.alerts": ("预警", "Alerts"),
    "weekly.alerts_from_state": ("以下为本周市场状态偏离“平衡”的规格 × 片区(按存销比监控点与价格指数阈值判定)。",
                                 "Spec × territory cells whose market state this week is not balanced (by the monitoring points and price-index thresholds)."),
    "weekly.no_alerts": ("本周无预警", "No alerts this week"),
    "weekly.state": ("市场状态矩阵", "Market-state matrix"),
    "weekly.state_title": ("市场状态:规格 × 片区", "Market state: spec × territory"),
    "weekly.state_hover": ("存销比 {ratio} 周 · 价格指数 {index}", "cover {ratio} wks · price index {index}"),
    "weekly.download": ("下载周报(Excel)", "Download the weekly report (Excel)"),
    "weekly.pick_week": ("报告周", "Report week"),
    "what.market_state": ("各规格 × 片区的市场状态(紧俏/平衡/宽松)", "the market state (tight/balanced/loose) of each spec × territory"),
    "what.alerts": ("预警清单", "the alert list"),
    "col.reason": ("原因", "Reason"),
    "col.severity": ("严重度", "Severity"),
    "col.since": ("始于", "Since"),
    "col.spec": ("规格", "Spec"),
    "col.brand": ("品牌", "Brand"),
    "col.territory": ("片区", "Territory"),
    "col.state": ("市场状态", "Market state"),
    "col.ratio": ("存销比(周)", "Cover (weeks)"),
    "col.price_index": ("价格指数", "Price index"),
    "col.score": ("状态评分", "State score"),
    "col.week": ("周", "Week"),
    "col.value": ("数值", "Value"),
    "col.threshold": ("阈值", "Threshold"),
    "col.kind": ("类型", "Kind"),
    "col.cm": ("客户经理", "Customer manager"),
    "col.retailer": ("零售户", "Retailer"),
    "col.name": ("名称", "Name"),
    "col.code": ("编码", "Code"),
    "reason.state": ("{state}:存销比 {ratio} 周,价格指数 {index}", "{state}: cover {ratio} weeks, price index {index}"),
    # data page
    "data.title": ("数据", "Data"),
    "data.lead": ("导入拜访、订单与基础资料文件;查看被隔离的行、各片区数据新鲜度与指标口径。",
                  "Import visit, order and reference files; see held-back rows, freshness per territory and what each number means."),
    "data.import": ("导入文件", "Import files"),
    "data.upload": ("选择 CSV 或 XLSX 文件(可多选)", "Choose CSV or XLSX files (several at once)"),
    "data.kind": ("文件类型", "File kind"),
    "data.kind_auto": ("自动识别", "Detect from headers"),
    "data.start": ("开始导入", "Import"),
    "data.progress": ("正在导入 {file}:{msg}", "Importing {file}: {msg}"),
    "data.done": ("导入完成", "Import finished"),
    "data.refused": ("文件未导入:{msg}", "File not imported: {msg}"),
    "data.history": ("导入记录", "Import history"),
    "data.quarantine": ("隔离区(被拦下的行及原因)", "Quarantine (rows held back, with reasons)"),
    "data.quarantine_empty": ("没有被拦下的行", "No rows were held back"),
    "data.freshness": ("各片区数据新鲜度", "Freshness per territory"),
    "data.glossary": ("指标口径", "Metric glossary"),
    "data.contents": ("数据库内容", "What the store holds"),
    "data.contract": ("导入文件的列", "Columns of the import files"),
    "data.latest_week": ("最近上报周", "Latest week reported"),
    "data.retailers": ("上报零售户数", "Retailers reporting"),
    "data.behind": ("落后周数", "Weeks behind"),
    "data.rows": ("行数", "Rows"),
    "data.table": ("表", "Table"),
    # glossary: term, definition
    "gloss.term": ("指标", "Metric"),
    "gloss.definition": ("口径", "Definition"),
    "gloss.sales": ("销量", "Sales volume"),
    "gloss.sales.def": ("零售户 × 规格在一周内的销量(条):拜访报告有销量时用报告值;否则按库存变化推算:上次库存 + 期间到货 − 本次库存,不为负;首次拜访未知,不计为 0。",
                        "Cartons sold by a retailer × spec in a week: the reported sales where given; otherwise previous stock + deliveries since − current stock, never negative; unknown (not zero) at a first visit."),
    "gloss.ratio": ("存销比", "Weeks of cover"),
    "gloss.ratio.def": ("期末库存 ÷ 近 4 周平均周销量,即库存够卖几周。销量为 0 时无定义,显示“—”。汇总为“和之比”,不是比值的平均。",
                        "Closing stock ÷ average weekly sales over the last 4 weeks: how many weeks the stock lasts. Undefined (shown “—”) when sales are zero. Aggregates are ratios of sums, not means of ratios."),
    "gloss.bands": ("存销比监控点", "Monitoring points"),
    "gloss.bands.def": ("按业态 × 档位段 × 城网/农网设定的上下限:低于下限为断货风险,高于上限为积压。由营销中心维护。",
                        "Low and high limits per format × tier band × urban/rural: below the low one is stock-out risk, above the high one is overstock. Maintained by the marketing center."),
    "gloss.price_index": ("价格指数(截面)", "Price index (cross-section)"),
    "gloss.price_index.def": ("按销量加权的实际零售价 ÷ 建议零售价 × 100。高于 100 为紧俏,低于约 95 为宽松(折价销售)。",
                              "Sales-weighted actual retail price ÷ suggested retail price × 100. Above 100 the spec is tight; below about 95 it is discounted (loose)."),
    "gloss.chained": ("价格指数(时序)", "Price index (over time)"),
    "gloss.chained.def": ("实际价格的周环比链式指数,起始周为 100,可选拉氏、帕氏、费雪(默认)、唐氏公式。",
                          "A week-on-week chained index of actual prices, 100 at the first week, by the Laspeyres, Paasche, Fisher (default) or Törnqvist formula."),
    "gloss.compliance": ("价格执行率", "Price compliance"),
    "gloss.compliance.def": ("实际零售价在建议零售价 ±2%(可设置)以内的价格观测所占比例。",
                             "Share of price observations within ±2% (configurable) of the suggested retail price."),
    "gloss.margin": ("零售毛利率", "Retail margin"),
    "gloss.margin.def": ("Σ(实际零售价 − 批发价)× 销量 ÷ Σ 实际零售价 × 销量;与价格指数、存销比一起判断市场状态。",
                         "Σ (actual retail − wholesale price) × sales ÷ Σ actual retail price × sales; read with the price index and cover to judge the market."),
    "gloss.state": ("市场状态", "Market state"),
    "gloss.state.def": ("每个规格 × 片区 × 周:存销比低且价格指数 ≥ 100 为紧俏;存销比高或价格指数 < 95 为宽松;其余为平衡。另有 0–100 的状态评分(权重可见、可改)用于排序。",
                        "Per spec × territory × week: low cover and price index ≥ 100 is tight; high cover or index < 95 is loose; otherwise balanced. A 0–100 state score (weights shown and editable) ranks the cells."),
    "gloss.distribution": ("铺货率", "Distribution"),
    "gloss.distribution.def": ("有库存或订货的零售户 ÷ 范围内活跃零售户。", "Retailers that stocked or ordered the spec ÷ active retailers in scope."),
    "gloss.sellthrough": ("动销率", "Sell-through"),
    "gloss.sellthrough.def": ("有销量的零售户 ÷ 有库存的零售户。", "Retailers with sales ÷ retailers that stocked it."),
    "gloss.repeat": ("重购率", "Repeat rate"),
    "gloss.repeat.def": ("累计:在 2 个及以上不同周订购的零售户 ÷ 订购过的零售户;周度:第 w−1 周和第 w 周都订购的 ÷ 第 w−1 周订购的。",
                         "Cumulative: retailers that ordered in 2 or more distinct weeks ÷ retailers that ordered; weekly: ordered in both w−1 and w ÷ ordered in w−1."),
    "gloss.per_store": ("单店周销", "Weekly sales per store"),
    "gloss.per_store.def": ("每个有库存零售户的周销量。", "Weekly sales per stocking retailer."),
    "gloss.key_share": ("重点品牌比重", "Key-brand share"),
    "gloss.key_share.def": ("重点品牌销量 ÷ 全部销量。", "Key-brand sales ÷ all sales."),
    "gloss.avg_price": ("单条均价", "Average price per carton"),
    "gloss.avg_price.def": ("按批发价计的销售额 ÷ 销量,反映销售结构提升。", "Sales value at wholesale price ÷ sales volume; tracks the upgrading of the sales structure."),
    "gloss.fill": ("订单满足率 / 履约率", "Order fill / fulfilment"),
    "gloss.fill.def": ("满足率:供货量 ÷ 需求量;履约率:足额供货的订单行 ÷ 全部订单行。", "Fill rate: supplied ÷ demanded quantity; fulfilment: order lines supplied in full ÷ all order lines."),
    "gloss.visits": ("拜访完成率", "Visit completion"),
    "gloss.visits.def": ("实际拜访 ÷ 计划拜访(每个在册零售户每周一次)。", "Visits made ÷ visits planned (each assigned, open retailer once a week)."),
    "gloss.copy": ("照搬照抄率", "Copy-suspect rate"),
    "gloss.copy.def": ("≥ 5 个规格的库存与上次拜访完全相同、而期间有销售或到货的拜访所占比例。",
                       "Share of visits whose stock counts equal the previous visit's on every spec (5 or more) although sales or deliveries happened in between."),
    "gloss.wow": ("环比 / 同期", "WoW / YoY"),
    "gloss.wow.def": ("环比:与上一周相比;同期:与去年同一 ISO 周相比。", "Week on week: against the week before; same period: against the same ISO week last year."),
    # weekly report workbook
    "report.title": ("营销周报 · {week} 当周(第 {iso} 周)", "Weekly market review · week of {week} (ISO week {iso})"),
    "report.metric": ("指标", "Metric"),
    "report.value": ("本周", "This week"),
    "report.unit": ("单位", "Unit"),
    "report.wow": ("环比", "Week on week"),
    "report.yoy": ("同期比", "Same period"),
    "report.change_unit": ("变化单位", "Change unit"),
    "report.light": ("信号", "Signal"),
    "report.note": ("说明", "Note"),
    "report.not_available": ("当前版本尚未提供该部分数据", "This release does not provide this section yet"),
    "report.about.kpis": ("环比、同期为变化幅度;信号按监控点判定(红/黄/绿)。", "Changes on last week and the same week last year; signal against the monitoring points (red/amber/green)."),
    "report.about.alerts": ("本周预警,按严重度排序。", "This week's alerts, most severe first."),
    "report.about.state": ("各规格 × 片区的市场状态:紧俏/平衡/宽松。", "Market state of each spec × territory: tight, balanced or loose."),
    "report.about.brands": ("新品牌与重点品牌的培育进度。", "Progress of new and key brands."),
    "report.about.scorecard": ("客户经理工作质量。", "Customer managers' work quality."),
    "rag.red": ("红", "Red"),
    "rag.amber": ("黄", "Amber"),
    "rag.green": ("绿", "Green"),
    # page headings and leads
    "inventory.title": ("存销比监控", "Inventory cover"),
    "inventory.lead": ("库存够卖几周:按层级逐级下钻,监控点区间内为正常。", "How many weeks the stock lasts, level by level, against the monitoring points."),
    "prices.title": ("价格指数", "Prices"),
    "prices.lead": ("实际零售价相对建议零售价的水平与走势,以及价格执行情况。", "Actual retail prices against the suggested prices: level, trend and compliance."),
    "brands.title": ("新品牌培育", "Brand cultivation"),
    "brands.lead": ("新品与重点品牌的铺货、动销与重购进度,各片区与全市对比。", "Distribution, sell-through and repeat buying of new and key brands, territories against the city."),
    "territory.title": ("片区趋势", "Territory trends"),
    "territory.lead": ("本片区与全市、与去年同期对比。", "This territory against the city and the same period last year."),
    "managers.title": ("客户经理", "Customer managers"),
    "managers.lead": ("客户经理工作质量记分卡与单人明细。", "The customer-manager scorecard and one manager's detail."),
    "supply.title": ("货源建议", "Supply"),
    "supply.lead": ("下周各规格 × 市场部的需求预测与投放建议。", "Next week's demand forecast and supply advice per spec × department."),
    "page.building": ("本页正在建设中。", "This page is being built."),
}

# Data values with a fixed vocabulary, shown translated in English.
VALUES: dict[str, str] = {
    "城网": "Urban", "农网": "Rural",
    "食杂店": "Grocery", "便利店": "Convenience store", "超市": "Supermarket", "烟酒店": "Tobacco & liquor shop",
    "商场": "Department store", "娱乐服务类": "Entertainment venue", "其他": "Other",
    "一类": "Class 1", "二类": "Class 2", "三类": "Class 3", "四类": "Class 4", "五类": "Class 5",
    "全市": "Whole city",
}


def t(key: str, lang: str = "zh", **values) -> str:
    """The entry `key` in `lang`, formatted with `values`."""
    zh, en = TEXT[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def value(x, lang: str = "zh"):
    """A data value with a fixed vocabulary, in `lang`; other values unchanged."""
    if lang == "en" and isinstance(x, str):
        return VALUES.get(x, x)
    return x


def state(code: str | None, lang: str = "zh") -> str:
    return t(f"state.{code}", lang) if code in ("tight", "balanced", "loose") else "—"


GLOSSARY = ("sales", "ratio", "bands", "price_index", "chained", "compliance", "margin", "state",
            "distribution", "sellthrough", "repeat", "per_store", "key_share", "avg_price", "fill",
            "visits", "copy", "wow")
