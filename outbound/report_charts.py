"""Chart geometry for the printable report: bars, axis ticks and labels as numbers, drawn as
inline SVG by the template (templates/report_charts.html). No plotting library: a print
page needs two simple bar charts, and SVG stays sharp in print and in the PDF."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Sequence

WIDTH, HEIGHT = 680, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 12, 36


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: float | None
    series: int          # 0, 1, ...: the template picks the colour and the legend
    label: str           # what the bar stands for (tooltip)


@dataclass(frozen=True)
class Tick:
    y: float
    value: float


@dataclass(frozen=True)
class XLabel:
    x: float
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: float
    top: float
    plot_width: float
    plot_height: float
    bars: list[Bar]
    ticks: list[Tick]
    labels: list[XLabel]

    @property
    def baseline(self) -> float:
        return self.top + self.plot_height


def nice_step(maximum: float, ticks: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving at most `ticks` steps to maximum."""
    if maximum <= 0:
        return 1
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return max(factor * power, 1)
    return 10 * power  # pragma: no cover


def _frame(top_value: float, step: float) -> tuple[float, float, list[Tick]]:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = int(round(top_value / step))
    ticks = [Tick(y=TOP + plot_h - plot_h * (i * step) / top_value, value=i * step) for i in range(count + 1)]
    return plot_w, plot_h, ticks


def day_chart(series: Sequence[tuple[date, int]]) -> Chart:
    """Incidents per day; at most about 16 date labels, whatever the period's length."""
    peak = max((count for _, count in series), default=0)
    step = nice_step(peak)
    top_value = max(step * math.ceil(peak / step), step)
    plot_w, plot_h, ticks = _frame(top_value, step)
    slot = plot_w / max(len(series), 1)
    every = max(1, math.ceil(len(series) / 16))
    bars, labels = [], []
    for i, (day, count) in enumerate(series):
        height = plot_h * count / top_value
        x = LEFT + i * slot
        bars.append(Bar(x + slot * 0.15, TOP + plot_h - height, slot * 0.7, height, count, 0,
                        day.isoformat()))
        if i % every == 0:
            labels.append(XLabel(x + slot / 2, f"{day:%d/%m}"))
    return Chart(WIDTH, HEIGHT, LEFT, TOP, plot_w, plot_h, bars, ticks, labels)


def percent_chart(groups: Sequence[tuple[str, Sequence[float | None]]]) -> Chart:
    """Grouped bars on a 0-100 % scale, e.g. response and resolution compliance per priority.
    A value of None (nothing judged yet) draws no bar."""
    plot_w, plot_h, ticks = _frame(100.0, 20.0)
    slot = plot_w / max(len(groups), 1)
    bars, labels = [], []
    for i, (name, values) in enumerate(groups):
        width = slot * 0.7 / max(len(values), 1)
        for j, value in enumerate(values):
            height = plot_h * (value or 0) / 100
            bars.append(Bar(LEFT + i * slot + slot * 0.15 + j * width, TOP + plot_h - height,
                            width * 0.9, height, value, j, name))
        labels.append(XLabel(LEFT + i * slot + slot / 2, name))
    return Chart(WIDTH, HEIGHT, LEFT, TOP, plot_w, plot_h, bars, ticks, labels)
