"""Inline SVG charts for the director's dashboard (pure functions: data in, SVG text out).

No script, no external files: each chart is an ``<svg role="img">`` with a ``<title>`` and a
``<desc>`` that reads out every value, so a screen reader gets the numbers too; it scales to
the width of its container (viewBox), so it fits a 375 px phone.
"""
import zlib

from markupsafe import Markup, escape

GOOD, BAD, NEUTRAL, TARGET, INK, MUTED = "#2e7d32", "#c62828", "#1565c0", "#6a1b9a", "#222", \
    "#666"
WIDTH = 300
LABEL_W = 64
VALUE_W = 44
ROW_H = 22


def _fmt(value, percent):
    if value is None:
        return "—"
    if percent:
        return f"{value * 100:.1f}%".replace(".0%", "%")
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _svg(width, height, title, desc, body, css_class):
    uid = zlib.crc32(f"{title}|{desc}".encode())
    return Markup(
        f'<svg class="{css_class}" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="t{uid} d{uid}" xmlns="http://www.w3.org/2000/svg" '
        f'preserveAspectRatio="xMinYMin meet">'
        f'<title id="t{uid}">{escape(title)}</title><desc id="d{uid}">{escape(desc)}</desc>'
        f'{body}</svg>')


def bar_chart(rows, title, target=None, percent=True, no_data="no data", target_label=""):
    """Horizontal bars, one per ``(label, value)``; ``value`` is a rate in [0, 1] when
    ``percent`` (scale 0–100%), else a count (scale 0–max). With ``target`` a dashed line marks
    it and bars below it are red, the others green. ``None`` values show ``no_data``."""
    rows = list(rows)
    scale_max = 1.0 if percent else max([v for _, v in rows if v is not None] + [1])
    plot_w = WIDTH - LABEL_W - VALUE_W
    top = 18 if target is not None else 4
    height = top + ROW_H * max(len(rows), 1) + 4
    parts = []
    for i, (label, value) in enumerate(rows):
        y = top + i * ROW_H
        parts.append(f'<text x="{LABEL_W - 6}" y="{y + 16}" text-anchor="end" font-size="12" '
                     f'fill="{INK}">{escape(label)}</text>')
        parts.append(f'<rect x="{LABEL_W}" y="{y + 4}" width="{plot_w}" height="{ROW_H - 8}" '
                     f'fill="#eee"/>')
        if value is None:
            parts.append(f'<text x="{LABEL_W + 4}" y="{y + 16}" font-size="11" '
                         f'fill="{MUTED}">{escape(no_data)}</text>')
            continue
        w = max(0.0, min(1.0, value / scale_max)) * plot_w
        colour = NEUTRAL if target is None else (GOOD if value >= target else BAD)
        parts.append(f'<rect class="bar" x="{LABEL_W}" y="{y + 4}" width="{w:.1f}" '
                     f'height="{ROW_H - 8}" fill="{colour}" data-value="{value}"/>')
        parts.append(f'<text x="{LABEL_W + plot_w + 4}" y="{y + 16}" font-size="12" '
                     f'fill="{INK}">{_fmt(value, percent)}</text>')
    if target is not None:
        x = LABEL_W + min(1.0, target / scale_max) * plot_w
        parts.append(f'<line x1="{x:.1f}" y1="{top - 2}" x2="{x:.1f}" y2="{height - 2}" '
                     f'stroke="{TARGET}" stroke-width="2" stroke-dasharray="4 3"/>')
        parts.append(f'<text x="{min(x, LABEL_W + plot_w - 2):.1f}" y="12" font-size="11" '
                     f'text-anchor="end" fill="{TARGET}">{escape(target_label)}</text>')
    desc = "; ".join(f"{label}: {_fmt(v, percent) if v is not None else no_data}"
                     for label, v in rows) or no_data
    return _svg(WIDTH, height, title, desc, "".join(parts), "chart chart-bars")


def column_chart(values, labels, title, every=3):
    """Vertical columns (e.g. 24 hours), a label under every ``every``-th column."""
    values = list(values)
    n = max(len(values), 1)
    height, bottom, left = 150, 20, 24
    plot_h = height - bottom - 14
    col_w = (WIDTH - left) / n
    top = max(values + [1])
    parts = [f'<line x1="{left}" y1="{height - bottom}" x2="{WIDTH}" y2="{height - bottom}" '
             f'stroke="{MUTED}"/>',
             f'<text x="{left - 4}" y="18" font-size="10" text-anchor="end" '
             f'fill="{MUTED}">{top}</text>']
    for i, v in enumerate(values):
        h = v / top * plot_h
        x = left + i * col_w
        if v:
            parts.append(f'<rect class="bar" x="{x + 1:.1f}" y="{height - bottom - h:.1f}" '
                         f'width="{max(col_w - 2, 1):.1f}" height="{h:.1f}" fill="{NEUTRAL}" '
                         f'data-value="{v}"/>')
        if i % every == 0:
            parts.append(f'<text x="{x + col_w / 2:.1f}" y="{height - 6}" font-size="10" '
                         f'text-anchor="middle" fill="{INK}">{escape(labels[i])}</text>')
    desc = "; ".join(f"{labels[i]}: {v}" for i, v in enumerate(values) if v) or "0"
    return _svg(WIDTH, height, title, desc, "".join(parts), "chart chart-columns")
