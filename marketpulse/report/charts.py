"""Vector charts drawn straight onto a 周报 PDF page (fpdf2): grouped bars and lines on an axis
from zero, an optional shaded band (the 存销比 monitoring band), tick labels in the metric's
unit (numbers.show), Chinese labels in the embedded font."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from fpdf import FPDF

from marketpulse import numbers

GRID, AXIS_TEXT, BAND = (225, 225, 225), (90, 90, 90), (222, 240, 222)
PALETTE = ((31, 95, 168), (157, 180, 207), (230, 126, 34), (192, 57, 43))
MARK = (230, 126, 34)  # a target's tick stands out from the bars


@dataclass
class Plot:
    """One chart: categories along the bottom, bar and line series over them."""

    title: str
    categories: Sequence[str]
    bars: dict[str, Sequence[float | None]] = field(default_factory=dict)
    lines: dict[str, Sequence[float | None]] = field(default_factory=dict)
    marks: dict[str, Sequence[float | None]] = field(default_factory=dict)  # a tick across each slot (a target)
    unit: str = ""  # numbers.DIGITS key of the values
    band: tuple[float, float] | None = None  # shaded from low to high, labelled by the legend
    band_label: str = ""
    labels: bool = False  # each bar's value above it
    top: float | None = None  # the axis' top (else from the data)


def nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 × 10^k) giving about `ticks` intervals over `span`."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def draw(pdf: FPDF, plot: Plot, x: float, y: float, w: float, h: float, font: str, lang: str) -> None:
    """Draw `plot` in the box (x, y, w, h), in mm."""
    every = (*plot.bars.values(), *plot.lines.values(), *plot.marks.values())
    values = [v for s in every for v in s if numbers.value_of(v) is not None]
    high = max([*values, *(plot.band or ()), 0.0]) * 1.08
    step = nice_step(plot.top or high or 1.0)
    top = plot.top or step * math.ceil((high or 1.0) / step)
    pdf.set_font(font, "B", 9)
    pdf.set_text_color(30, 30, 30)
    pdf.set_xy(x, y)
    pdf.cell(w, 5, plot.title)
    left, bottom, right, upper = x + 14, y + h - 13, x + w - 2, y + 8
    scale = lambda v: bottom - (bottom - upper) * (v / top)  # noqa: E731
    pdf.set_font(font, "", 6.5)
    pdf.set_text_color(*AXIS_TEXT)
    if plot.band:
        pdf.set_fill_color(*BAND)
        pdf.rect(
            left, scale(min(plot.band[1], top)), right - left, scale(plot.band[0]) - scale(min(plot.band[1], top)), "F"
        )
    tick = 0.0
    while tick <= top + 1e-9:
        pdf.set_draw_color(*GRID)
        pdf.set_line_width(0.15)
        pdf.line(left, scale(tick), right, scale(tick))
        pdf.set_xy(x, scale(tick) - 1.5)
        pdf.cell(left - x - 1, 3, _tick(tick, step, plot.unit, lang), align="R")
        tick += step
    n = max(1, len(plot.categories))
    slot = (right - left) / n
    _bars(pdf, plot, left, slot, scale, bottom, lang)
    _lines(pdf, plot, left, slot, scale)
    _marks(pdf, plot, left, slot, scale)
    pdf.set_draw_color(*AXIS_TEXT)
    pdf.set_line_width(0.25)
    pdf.line(left, bottom, right, bottom)
    _categories(pdf, plot.categories, left, slot, bottom)
    _legend(pdf, plot, x + 14, y + h - 4)


def _bars(pdf: FPDF, plot: Plot, left: float, slot: float, scale, bottom: float, lang: str) -> None:
    k = len(plot.bars)
    if not k:
        return
    width = slot * 0.7 / k
    for s, series in enumerate(plot.bars.values()):
        pdf.set_fill_color(*PALETTE[s % len(PALETTE)])
        for i, v in enumerate(series):
            v = numbers.value_of(v)
            if v is None:
                continue
            bx = left + i * slot + slot * 0.15 + s * width
            pdf.rect(bx, scale(v), width, bottom - scale(v), "F")
            if plot.labels:
                pdf.set_xy(bx - 3, scale(v) - 3.2)
                pdf.cell(width + 6, 3, numbers.show(v, plot.unit, lang, with_unit=False), align="C")


def _lines(pdf: FPDF, plot: Plot, left: float, slot: float, scale) -> None:
    for s, series in enumerate(plot.lines.values(), start=len(plot.bars)):
        colour = PALETTE[s % len(PALETTE)]
        points = [
            (left + (i + 0.5) * slot, scale(v)) for i, v in enumerate(map(numbers.value_of, series)) if v is not None
        ]
        pdf.set_draw_color(*colour)
        pdf.set_fill_color(*colour)
        pdf.set_line_width(0.6)
        if len(points) > 1:
            pdf.polyline(points)
        for px, py in points:
            pdf.circle(px, py, 0.7, "F")


def _marks(pdf: FPDF, plot: Plot, left: float, slot: float, scale) -> None:
    for series in plot.marks.values():
        pdf.set_draw_color(*MARK)
        pdf.set_line_width(0.9)
        for i, v in enumerate(map(numbers.value_of, series)):
            if v is not None:
                pdf.line(left + i * slot + slot * 0.08, scale(v), left + (i + 1) * slot - slot * 0.08, scale(v))


def _tick(value: float, step: float, unit: str, lang: str) -> str:
    """An axis label: whole steps without decimals, totals in 万, else the unit's precision."""
    if unit not in ("qty", "money", "count") and float(step).is_integer():
        return numbers.fmt(value, 0)
    return numbers.show(value, unit, lang, with_unit=False)


def _categories(pdf: FPDF, categories: Sequence[str], left: float, slot: float, bottom: float) -> None:
    """Category names under their slots; turned when they are wider than the slot."""
    widest = max((pdf.get_string_width(str(c)) for c in categories), default=0)
    for i, name in enumerate(categories):
        cx = left + (i + 0.5) * slot
        if widest <= slot - 0.5:
            pdf.set_xy(cx - slot / 2, bottom + 0.8)
            pdf.cell(slot, 3, str(name), align="C")
        else:
            with pdf.rotation(35, cx, bottom + 1.5):
                pdf.set_xy(cx - pdf.get_string_width(str(name)), bottom + 0.5)
                pdf.cell(pdf.get_string_width(str(name)) + 0.5, 3, str(name))


def _legend(pdf: FPDF, plot: Plot, x: float, y: float) -> None:
    entries = [(name, PALETTE[i % len(PALETTE)], "bar") for i, name in enumerate(plot.bars)]
    entries += [(name, PALETTE[i % len(PALETTE)], "line") for i, name in enumerate(plot.lines, start=len(plot.bars))]
    entries += [(name, MARK, "line") for name in plot.marks]
    if plot.band:
        entries.append((plot.band_label, BAND, "bar"))
    pdf.set_text_color(60, 60, 60)
    for name, colour, kind in entries:
        pdf.set_fill_color(*colour)
        pdf.set_draw_color(*colour)
        if kind == "bar":
            pdf.rect(x, y + 0.6, 3, 2.2, "F")
        else:
            pdf.set_line_width(0.6)
            pdf.line(x, y + 1.7, x + 3, y + 1.7)
        pdf.set_xy(x + 3.8, y)
        pdf.cell(pdf.get_string_width(name) + 1, 3.4, name)
        x += pdf.get_string_width(name) + 9
