"""Write a simulated city as the files a marketing center would import.

The files follow the import contract and vary the way real exports do: English headers in
some, Chinese in others, one reference file and one month of visits saved as GB18030 (as
Chinese Excel saves them), one with a byte-order mark, one month with 2025/9/1 dates.
Facts are split by calendar month: visits_YYYY-MM.csv and orders_YYYY-MM.csv. specs.csv holds
the prices the window began with; the planted 调价 is a later price list with a 生效日期
column, specs_price_change.csv, imported after it. Likewise retailers.csv holds the 片区 the
window began with, and retailers_redraw.csv the planted redraw's moves with their 生效日期.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from marketpulse.simulate import geo, prices, redraw
from marketpulse.simulate.city import City, Progress, simulate

# contract headers: English name → Chinese name
TERRITORY = {
    "department_code": "市场部编码",
    "department_name": "市场部",
    "territory_code": "片区编码",
    "territory_name": "片区",
    "area_type": "城乡类型",
}
CUSTOMER_MANAGER = {"cm_code": "客户经理编码", "cm_name": "客户经理", "territory_code": "片区编码"}
RETAILER = {
    "license_no": "许可证号",
    "retailer_name": "零售户名称",
    "format": "业态",
    "tier": "档位",
    "territory_code": "片区编码",
    "cm_code": "客户经理编码",
    "area_type": "城乡类型",
    "opened_on": "开业日期",
    "closed_on": "停业日期",
    "longitude": "经度",
    "latitude": "纬度",
    "coord_system": "坐标系",
}
RETAILER_REDRAW = {**RETAILER, "effective_date": "生效日期"}
SPEC = {
    "spec_code": "卷烟编码",
    "spec_name": "卷烟名称",
    "brand": "品牌",
    "price_class": "价类",
    "wholesale_price": "批发价",
    "suggested_retail_price": "建议零售价",
    "is_key_brand": "重点品牌",
    "launch_date": "上市日期",
}
SPEC_PRICE_CHANGE = {**SPEC, "effective_date": "生效日期"}
VISIT = {
    "visit_date": "拜访日期",
    "cm_code": "客户经理编码",
    "license_no": "许可证号",
    "spec_code": "卷烟编码",
    "stock_qty": "库存",
    "retail_price": "实际零售价",
    "on_shelf": "是否上柜",
    "sales_qty": "销量",
    "notes": "备注",
}
ORDER = {
    "order_date": "订货日期",
    "license_no": "许可证号",
    "spec_code": "卷烟编码",
    "demand_qty": "需求量",
    "supplied_qty": "供货量",
}


def write_files(
    directory: Path | str,
    scale: str = "town",
    seed: int = 7,
    weeks: int | None = None,
    end_week: date | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Simulate a city and write its import files into `directory`; returns rows per file."""
    tell = progress or (lambda f, m: None)
    city = simulate(scale, seed=seed, weeks=weeks, end_week=end_week, progress=tell)  # reports up to 0.5
    return _write_city(city, directory, progress=lambda f, m: tell(0.5 + 0.5 * f, m))


def _write_city(city: City, directory: Path | str, progress: Progress | None = None) -> dict[str, int]:
    """Write the reference files, then visits and orders month by month; returns rows per file."""
    tell = progress or (lambda f, m: None)
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    con = duckdb.connect(":memory:")
    try:
        initial, changes = prices.price_lists(city.spec, city.spec_price)
        spec, change = (
            f.assign(is_key_brand=f["is_key_brand"].map({True: "是", False: "否"})) for f in (initial, changes)
        )
        placed = geo.with_positions(city.retailer, city.territory, city.seed)
        retailers_before, retailers_moved = redraw.before(placed, city.moves)
        reference = [
            ("territories.csv", city.territory.merge(city.department, on="department_code"), TERRITORY, "en", "utf-8"),
            ("customer_managers.csv", city.customer_manager, CUSTOMER_MANAGER, "zh", "gb18030"),
            ("retailers.csv", retailers_before, RETAILER, "zh", "utf-8-sig"),
            ("retailers_redraw.csv", retailers_moved, RETAILER_REDRAW, "zh", "utf-8"),
            ("specs.csv", spec, SPEC, "en", "utf-8"),
            ("specs_price_change.csv", change, SPEC_PRICE_CHANGE, "zh", "utf-8"),
        ]
        for name, frame, headers, lang, encoding in reference:
            shown = frame[list(headers)]
            if lang == "zh":
                shown = shown.rename(columns=headers)
            shown.to_csv(out / name, index=False, encoding=encoding)
            written[name] = len(shown)
        tell(0.05, "资料文件 / reference files")

        con.register("retailer_key", city.retailer[["license_no", "cm_code"]].reset_index(names="r"))
        con.register("spec_key", city.spec[["spec_code"]].reset_index(names="s"))
        con.register("note_key", pd.DataFrame({"note": range(len(city.notes)), "text": list(city.notes)}))
        con.register("visits", city.visits)
        con.register("orders", city.orders)
        start = city.start
        con.execute(
            """
            create table visit_file as
            select
                $start::date + (v.w * 7 + v.day)::integer as visit_date,
                rk.cm_code, rk.license_no, sk.spec_code,
                v.stock as stock_qty,
                nullif(v.price, 0) as retail_price,
                v.on_shelf,
                case when v.sales >= 0 then v.sales end as sales_qty,
                nk.text as notes,
            from visits as v
            join retailer_key as rk using (r)
            join spec_key as sk using (s)
            left join note_key as nk using (note)
            """,
            {"start": start},
        )
        redraw.name_old_managers(con, city.moves, "visit_file")  # visits before the redraw: the old manager
        con.execute(
            """
            create table order_file as
            select
                $start::date + (o.w * 7 + o.day)::integer as order_date,
                rk.license_no, sk.spec_code, o.demand as demand_qty, o.supplied as supplied_qty,
            from orders as o
            join retailer_key as rk using (r)
            join spec_key as sk using (s)
            """,
            {"start": start},
        )
        months = [
            m
            for (m,) in con.execute(
                "select distinct strftime(visit_date, '%Y-%m') from visit_file order by 1"
            ).fetchall()
        ]
        zh_months = months[1::2]
        gb_month = zh_months[0] if zh_months else None
        slash_month = months[2] if len(months) > 2 else None
        for i, month in enumerate(months):
            lang = "zh" if month in zh_months else "en"
            written[f"visits_{month}.csv"] = _copy_month(
                con,
                out / f"visits_{month}.csv",
                "visit_file",
                "visit_date",
                VISIT,
                month,
                lang,
                encoding="gb18030" if month == gb_month else "utf-8",
                dateformat="%Y/%-m/%-d" if month == slash_month else "%Y-%m-%d",
            )
            written[f"orders_{month}.csv"] = _copy_month(
                con,
                out / f"orders_{month}.csv",
                "order_file",
                "order_date",
                ORDER,
                month,
                "zh",
                encoding="utf-8",
                dateformat="%Y-%m-%d",
            )
            tell(0.05 + 0.95 * (i + 1) / len(months), f"写出 {month} / writing {month}")
    finally:
        con.close()
    return written


def _copy_month(
    con, path: Path, table: str, date_column: str, headers: dict, month: str, lang: str, encoding: str, dateformat: str
) -> int:
    assert len(month) == 7 and month[4] == "-" and month.replace("-", "").isdigit()
    columns = []
    for name, zh in headers.items():
        expr = name
        if name == "on_shelf":
            expr = "case when on_shelf then '是' else '否' end" if lang == "zh" else "on_shelf::varchar"
        columns.append(f'{expr} as "{zh if lang == "zh" else name}"')
    target = path if encoding == "utf-8" else path.with_suffix(".utf8.tmp")
    count = con.execute(
        f"select count(*) from {table} where strftime({date_column}, '%Y-%m') = $m", {"m": month}
    ).fetchone()[0]
    con.execute(
        f"""
        copy (
            select {", ".join(columns)} from {table}
            where strftime({date_column}, '%Y-%m') = '{month}'
            order by {date_column}, license_no, spec_code
        ) to '{str(target).replace("'", "''")}' (header, dateformat '{dateformat}')
        """
    )
    if target != path:
        with open(target, encoding="utf-8") as src, open(path, "w", encoding=encoding, newline="") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
        os.unlink(target)
    return count
