"""The chart of a report: a PNG drawn with matplotlib's Agg backend, in the report's language.

Chinese needs a font with its characters; `scripts/install-fonts.sh` (run by `make install`)
installs one. Without one, ``draw`` returns None and the report goes out as text alone: a
chart whose characters are empty boxes tells nobody anything. Matplotlib is imported when
the first chart is drawn (it costs memory a bot that never reports need not pay), and each
chart is drawn on a figure of its own, never pyplot's global one, and let go after use.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

log = logging.getLogger(__name__)

# Fonts with Chinese characters, the best for each script first. Noto CJK is Debian's
# fonts-noto-cjk; the others are what other systems often have.
SIMPLIFIED = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei",
              "WenQuanYi Micro Hei", "Droid Sans Fallback", "Noto Sans CJK TC",
              "Noto Sans CJK HK", "Noto Sans CJK JP", "Noto Serif CJK SC")
TRADITIONAL = ("Noto Sans CJK TC", "Noto Sans CJK HK", "Source Han Sans TC",
               "Source Han Sans TW", *SIMPLIFIED)
LATIN = "DejaVu Sans"  # matplotlib's own font, always there
SAMPLE = "网格社区街道報告"  # characters every chart in Chinese needs
COLOURS = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3")
# Charts are drawn in worker threads; matplotlib shares its fonts between them, so one at a time.
_DRAWING = threading.Lock()


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


@dataclass(frozen=True)
class Chart:
    """What to draw, already in the report's language."""

    title: str
    labels: Sequence[str]  # one per period, oldest first
    series: Sequence[Series]
    y_label: str = ""


def _has_glyphs(path: str, text: str) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        charmap = FT2Font(path).get_charmap()
    except (OSError, RuntimeError):
        return False
    return all(ord(char) in charmap for char in text)


@cache
def cjk_families() -> dict[str, str]:
    """The installed font families with Chinese characters, by name, with their file. Looked
    up once; matplotlib's list is read first, then the system's fonts (a font installed after
    matplotlib made its list is not in it)."""
    from matplotlib import font_manager

    wanted = set(TRADITIONAL)
    found = {f.name: f.fname for f in font_manager.fontManager.ttflist if f.name in wanted}
    if not found:
        for path in font_manager.findSystemFonts():
            lowered = path.lower()
            if any(hint in lowered for hint in ("cjk", "sourcehan", "wqy", "droidsansfallback")):
                font_manager.fontManager.addfont(path)
        found = {f.name: f.fname for f in font_manager.fontManager.ttflist if f.name in wanted}
    found = {name: path for name, path in found.items() if _has_glyphs(path, SAMPLE)}
    if not found:
        log.warning("no font with Chinese characters is installed: reports are sent without "
                    "their chart (install one, e.g. Debian's fonts-noto-cjk; see README)")
    return found


def families(locale: str) -> list[str] | None:
    """The fonts to draw in, in order of preference (a character missing from the first is
    taken from the next); None when Chinese cannot be drawn."""
    installed = cjk_families()
    preferred = TRADITIONAL if locale == "zh_Hant" else SIMPLIFIED
    cjk = next((name for name in preferred if name in installed), None)
    if cjk is None:
        return None
    return [LATIN, cjk] if locale == "en" else [cjk, LATIN]


def _latin_only(chart: Chart) -> bool:
    texts = [chart.title, chart.y_label, *chart.labels, *(s.name for s in chart.series)]
    return all(ord(char) < 0x250 or char in "–—‘’“”…" for text in texts for char in text)


def draw(chart: Chart, locale: str) -> bytes | None:
    """The chart as a PNG, or None when its characters cannot be drawn."""
    with _DRAWING:
        return _draw(chart, locale)


def _draw(chart: Chart, locale: str) -> bytes | None:
    fonts = families(locale)
    if fonts is None:
        if not _latin_only(chart):
            return None
        fonts = [LATIN]
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    text = FontProperties(family=fonts, size=11)
    figure = Figure(figsize=(8, 4.5), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    try:
        axes = figure.add_subplot()
        positions = list(range(len(chart.labels)))
        # Bars side by side, so that series with equal values stay visible.
        width = 0.8 / max(len(chart.series), 1)
        for index, series in enumerate(chart.series):
            offset = (index - (len(chart.series) - 1) / 2) * width
            axes.bar([p + offset for p in positions], list(series.values), width=width,
                     color=COLOURS[index % len(COLOURS)], label=series.name)
        axes.set_xticks(positions, list(chart.labels), fontproperties=text)
        axes.set_title(chart.title, fontproperties=FontProperties(family=fonts, size=14))
        axes.set_ylabel(chart.y_label, fontproperties=text)
        axes.set_ylim(bottom=0)
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.grid(axis="y", alpha=0.3)
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(prop=text, frameon=False, loc="upper left", ncols=len(chart.series))
        axes.margins(y=0.15)
        png = io.BytesIO()
        figure.savefig(png, format="png")
        return png.getvalue()
    finally:
        figure.clear()
