"""The Monday review prepared ahead: whenever a new store version is published (an import, a
correction, a rule edit), a background thread of the dashboard's process computes what the
center opens first — the filter lists and the whole city's 营销周报 for the latest week, then
存销比, 价格 and 新品牌培育 as they open, in Chinese — into the shared view cache, so the first reader after an import is served
from it (a reader arriving while it is being computed waits for that computation instead of
repeating it). It costs a few seconds of the machine once per store version, which a reader
of another page in those seconds shares.

Off with MARKETPULSE_PREPARE=0 (the tests' own dashboards run without it).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from marketpulse import store, views

logger = logging.getLogger(__name__)

POLL_SECONDS = 30  # how often the thread looks for a new store version
THREAD_NAME = "marketpulse-prepare"
LANGS = ("zh",)  # the center reads in Chinese; each language is a view of its own

_started = False
_lock = threading.Lock()


def enabled() -> bool:
    return os.environ.get("MARKETPULSE_PREPARE", "1") != "0"


def watch(load: Callable, default_params: Callable[[list], dict | None]) -> None:
    """Start the thread once per process: `load` is shell.load (the view cache),
    `default_params(weeks)` the sidebar's parameters when nothing is chosen."""
    global _started
    if not enabled():
        return
    with _lock:
        if _started:
            return
        _started = True
    # the cache's calls note that no page run is theirs: true, and said every time
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: record.threadName != THREAD_NAME
    )
    threading.Thread(target=_loop, args=(load, default_params), name=THREAD_NAME, daemon=True).start()


def _loop(load: Callable, default_params: Callable[[list], dict | None]) -> None:
    prepared = None
    while True:
        try:
            version = store.store_version()
            if version not in (prepared, "missing"):
                started = time.perf_counter()
                prepare(load, default_params)
                prepared = version
                logger.info("prepared the city's 周报 for store %s in %.1f s", version, time.perf_counter() - started)
        except Exception:  # a store being replaced, a query failing: tried again at the next look
            logger.exception("preparing the city's 周报 failed")
        time.sleep(POLL_SECONDS)


def prepare(load: Callable, default_params: Callable[[list], dict | None]) -> list[tuple]:
    """Load what the center's first view needs through `load`; the (view, args) loaded."""
    done = [(views.reference, ())]
    ref = load(views.reference)
    params = default_params(ref.weeks)
    if params is None:  # an empty store: nothing to prepare
        return done
    new = views.new_specs(ref.specs, params["week_to"])
    spec = new["spec_code"].iloc[0] if len(new) else None  # the brand page opens on the newest spec
    for lang in LANGS:
        # the 周报 first; then the pages the review goes on to, as each opens with nothing chosen
        for view, args in (
            (views.weekly_review, (params["week_to"], params, store.CITY, lang)),
            (views.inventory, (params, store.CITY, "city", lang)),
            (views.prices, (params, store.CITY, "fisher", lang, "current", "city")),
            (views.new_spec_progress, (params, store.CITY, lang)),
            (views.brands, (params, store.CITY, spec, lang)),
        ):
            load(view, *args)
            done.append((view, args))
    return done
