"""The one way to run a named query: `query` checks the level, product level and filters,
takes any day as its week's Monday, drops the shared parameters the query does not take
and runs it on the store. `lookup` runs the reference lists of queries/lookup/ the same way.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pandas as pd

from marketpulse import store
from marketpulse.metrics.calendar import week_of

HIERARCHY_LEVELS = ("city", "department", "territory", "cm", "retailer")
PRODUCT_LEVELS = ("brand", "price_class", "spec")
LEVELS = HIERARCHY_LEVELS + PRODUCT_LEVELS
PRODUCT_GROUPS = ("all", "price_class", "brand", "spec")  # the values of product_level
FILTERS = tuple(store.FILTER_DEFAULTS)
RETAILER_FILTERS = ("format", "tier_band", "area_type")
# What the pages pass to every query; a query that does not take one of these goes without it.
SHARED = ("week_from", "week_to", "level", "product_level", *FILTERS)


def choose(value, allowed: tuple[str, ...], what_zh: str, what_en: str) -> None:
    """Refuse `value` unless it is one of `allowed`, naming the choices in both languages."""
    if value not in allowed:
        raise ValueError(
            f"未知{what_zh} {value!r},可选:{', '.join(allowed)} / "
            f"Unknown {what_en} {value!r}; choose one of {', '.join(allowed)}"
        )


def refuse_filters(names: Iterable[str], allowed: tuple[str, ...] = FILTERS) -> None:
    """Refuse any of `names` that is not one of the `allowed` filters."""
    unknown = sorted(set(names) - set(allowed))
    if unknown:
        raise ValueError(
            f"未知的筛选条件:{', '.join(unknown)} / Unknown filter(s): {', '.join(unknown)}; "
            f"filters are {', '.join(allowed)}"
        )


def query(
    name: str,
    params: Mapping | None = None,
    scope: store.Scope = store.CITY,
    path: Path | str | None = None,
    *,
    levels: tuple[str, ...] = LEVELS,
    swap: store.Swap = (),
) -> pd.DataFrame:
    """Run named query `name` with `params` within `scope`; `levels` are the levels it offers;
    `swap` reads a base file's twin in its place (store.bind)."""
    params = dict(params or {})
    takes = store.query_params(name, swap)
    refuse_filters((k for k in params if k not in takes and k not in SHARED), FILTERS)
    if "level" in params:
        choose(params["level"], levels, "层级", "level")
    if "product_level" in params:
        choose(params["product_level"], PRODUCT_GROUPS, "产品层级", "product level")
    for key in ("week_from", "week_to"):
        if params.get(key) is not None:
            params[key] = week_of(params[key])
    return store.run(name, {k: v for k, v in params.items() if k in takes}, scope=scope, path=path, swap=swap)


def lookup(
    name: str, params: Mapping | None = None, scope: store.Scope = store.CITY, path: Path | str | None = None
) -> pd.DataFrame:
    """Run reference list queries/lookup/`name` (the weeks, the hierarchy, specs, bands, freshness ...)."""
    return query(f"lookup/{name}", params, scope, path)


def city_read(read: Callable, *args, **kwargs):
    """read(*args, **kwargs), kept per store version when it reads the whole city (store.CITY
    among its arguments), else read as is. The city's figures a 片区 or customer manager reads
    as its benchmark are the same for every scope and language: each is read once per store
    (the one at `path=`, else where pages read), and the city's own page reads them for
    everyone after it. Results are small (a level's weeks); each caller gets its own copy."""
    if not any(isinstance(a, store.Scope) and a.is_city for a in (*args, *kwargs.values())):
        return read(*args, **kwargs)
    path = kwargs.get("path")
    where, version = str(path or store.serving_path()), store.store_version(path)
    return copy.deepcopy(_city_reads(where, version, read, args, tuple(sorted(kwargs.items()))))


def forget_city_reads() -> None:
    """Drop what city_read keeps (the bench times each call as the first after an import)."""
    _city_reads.cache_clear()


@functools.lru_cache(maxsize=64)
def _city_reads(where: str, version: str, read: Callable, args: tuple, kwargs: tuple):
    return read(*args, **dict(kwargs))
