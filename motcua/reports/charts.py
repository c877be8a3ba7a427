"""Charts as inline SVG, drawn on the server: no script, readable without JavaScript, printable.

Public API
----------
- `horizontal_bars(bars, *, title, maximum=None, unit="") -> str` — one bar per `(label, value)`;
  `value` may be None (drawn as "—", e.g. a rate with nothing resolved).
- `grouped_columns(categories, series, *, title) -> str` — for each category one column per
  series, `series` = `[(name, [value per category])]`, with a legend (this month vs last).

Every text is escaped; each chart has `role="img"`, a `<title>` and an `aria-label`, and each
bar its own `<title>` with the exact number.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

PALETTE = ("#1f5fa8", "#9bbbe0", "#c0392b", "#27ae60")
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    text = f"{value:.0f}" if unit == "%" or float(value).is_integer() else f"{value:.1f}"
    return f"{text}{unit}"


def horizontal_bars(bars: Sequence[tuple[str, float | None]], *, title: str,
                    maximum: float | None = None, unit: str = "") -> str:
    label_width, bar_width, row_height, top = 260, 320, 26, 8
    width = label_width + bar_width + 70
    height = top + row_height * max(len(bars), 1) + 8
    largest = maximum or max((v for _, v in bars if v is not None), default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'viewBox="0 0 {width} {height}" width="100%" aria-label="{escape(title)}" {FONT}>',
             f"<title>{escape(title)}</title>"]
    for index, (label, value) in enumerate(bars):
        y = top + index * row_height
        shown = label if len(label) <= 42 else label[:41] + "…"
        length = 0 if value is None else max(value / largest * bar_width, 1 if value else 0)
        parts.append(f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end">'
                     f"<title>{escape(label)}</title>{escape(shown)}</text>")
        parts.append(f'<rect x="{label_width}" y="{y + 4}" width="{length:.1f}" height="16" '
                     f'fill="{PALETTE[0]}"><title>{escape(label)}: {_number(value, unit)}</title></rect>')
        parts.append(f'<text x="{label_width + length + 6:.1f}" y="{y + 16}">'
                     f"{_number(value, unit)}</text>")
    if not bars:
        parts.append(f'<text x="{label_width}" y="{top + 16}">—</text>')
    parts.append("</svg>")
    return "".join(parts)


def grouped_columns(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *,
                    title: str) -> str:
    chart_height, top, left, group_width = 180, 28, 40, 110
    column_width = max((group_width - 20) // max(len(series), 1), 8)
    width = left + group_width * max(len(categories), 1) + 10
    height = top + chart_height + 40
    largest = max((v for _, values in series for v in values), default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'viewBox="0 0 {width} {height}" width="100%" aria-label="{escape(title)}" {FONT}>',
             f"<title>{escape(title)}</title>"]
    for index, (name, _) in enumerate(series):  # legend
        x = left + index * 150
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{PALETTE[index % len(PALETTE)]}"/>'
                     f'<text x="{x + 18}" y="16">{escape(name)}</text>')
    baseline = top + chart_height
    parts.append(f'<line x1="{left}" y1="{baseline}" x2="{width - 10}" y2="{baseline}" stroke="#555"/>')
    for c_index, category in enumerate(categories):
        x0 = left + c_index * group_width + 10
        for s_index, (name, values) in enumerate(series):
            value = values[c_index]
            bar = value / largest * (chart_height - 16)
            x = x0 + s_index * column_width
            parts.append(f'<rect x="{x}" y="{baseline - bar:.1f}" width="{column_width - 4}" '
                         f'height="{bar:.1f}" fill="{PALETTE[s_index % len(PALETTE)]}">'
                         f"<title>{escape(name)} — {escape(category)}: {_number(value, '')}</title></rect>")
            parts.append(f'<text x="{x + (column_width - 4) / 2:.1f}" y="{baseline - bar - 4:.1f}" '
                         f'text-anchor="middle" font-size="11">{_number(value, "")}</text>')
        parts.append(f'<text x="{x0 + (group_width - 20) / 2:.1f}" y="{baseline + 16}" '
                     f'text-anchor="middle">{escape(category)}</text>')
    parts.append("</svg>")
    return "".join(parts)
