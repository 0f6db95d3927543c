"""The month's charts, drawn on the server as SVG with pygal (a maintained charting library):
no JavaScript (pygal's tooltip script, which it would fetch from the internet, is switched
off), no font file (the browser draws the Chinese labels with its own fonts), small enough
for a phone, and an ``<img>`` on the figures page."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence

import pygal
from pygal.style import Style

# pygal appends an old-style import hook to sys.meta_path (for its map plugins, unused here),
# which makes every later import in the process warn (ImportWarning: find_spec() not found).
# The desk draws no maps: take the hook out again.
sys.meta_path[:] = [
    finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"
]

FONTS = "'Noto Sans CJK SC', 'Noto Sans SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', sans-serif"
STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#222",
    foreground_strong="#111",
    foreground_subtle="#666",
    font_family=FONTS,
    label_font_family=FONTS,
    major_label_font_family=FONTS,
    title_font_family=FONTS,
    legend_font_family=FONTS,
    value_font_family=FONTS,
    title_font_size=18,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    value_font_size=13,
    colors=("#2f6db5", "#d9822b", "#3a9d5d", "#b03a48", "#7a5cb8", "#888888"),
)
SCRIPT = re.compile(rb"<script\b.*?</script>", re.S)


def _render(chart: pygal.graph.graph.Graph) -> bytes:
    """The SVG without pygal's inline configuration script (nothing runs in the desk)."""
    return SCRIPT.sub(b"", bytes(chart.render()))


GRADE_COLOURS = {"红": "#c62828", "黄": "#f2b705", "蓝": "#1e63b5"}


def _config(chart: pygal.graph.graph.Graph) -> None:
    chart.js = []  # no script: it would be fetched from a CDN, and the desk runs offline
    chart.disable_xml_declaration = False
    chart.print_values = True
    chart.width, chart.height = 640, 400


def bars(title: str, labels: Sequence[str], values: Sequence[int], *, horizontal: bool) -> bytes:
    """A bar chart (horizontal for long labels: categories, stations)."""
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = kind(style=STYLE, show_legend=False, title=title)
    _config(chart)
    chart.height = max(320, 36 * len(labels) + 120) if horizontal else 400
    chart.x_labels = list(labels)
    chart.add(title, list(values))
    return _render(chart)


def line(title: str, labels: Sequence[str], series: dict[str, Sequence[int]]) -> bytes:
    """Figures by month, one line per figure."""
    chart = pygal.Line(style=STYLE, title=title, x_label_rotation=30, legend_at_bottom=True)
    _config(chart)
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, list(values))
    return _render(chart)


def pie(title: str, slices: dict[str, int]) -> bytes:
    """Cases in hand by colour (红/黄/蓝), each slice in its own colour."""
    colours = tuple(GRADE_COLOURS.get(name, "#888888") for name in slices)
    style = Style(**{**STYLE.__dict__, "colors": colours}) if colours else STYLE
    chart = pygal.Pie(style=style, title=title, inner_radius=0.4, legend_at_bottom=True)
    _config(chart)
    for name, value in slices.items():
        chart.add(name, value)
    return _render(chart)
