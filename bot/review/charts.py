"""The monthly chart: incidents per unit (chat) and category, and the daily trend.

Matplotlib with the Agg backend (no display on a server). Chinese labels need a CJK font; we
pick the first Noto/Source Han/WenQuanYi font present and otherwise fall back to the English
labels so the chart never shows tofu boxes.
"""

from __future__ import annotations

import io
import warnings
from collections import Counter
from typing import Any

import matplotlib

matplotlib.use("Agg")

import json

from matplotlib import font_manager
from matplotlib.figure import Figure

_CJK_CANDIDATES = (
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Noto Serif CJK TC",
    "Source Han Sans TW",
    "WenQuanYi Zen Hei",
    "AR PL UMing TW",
)

CATEGORY_LABELS = {
    "zh-TW": {
        "personal_data": "個人資料",
        "whistleblower": "檢舉人",
        "raid": "搜索行動",
        "procurement": "採購機密",
        "classified": "機密文書",
        "credentials": "帳號密碼",
    },
    "en": {
        "personal_data": "personal data",
        "whistleblower": "whistleblower",
        "raid": "raid",
        "procurement": "procurement",
        "classified": "classified",
        "credentials": "credentials",
    },
}
TEXT = {
    "zh-TW": {
        "title": "{month} 事件統計（共 {n} 件）",
        "units": "各單位／類別事件數",
        "trend": "每日事件趨勢",
        "count": "件數",
        "day": "日期",
    },
    "en": {
        "title": "Incidents {month} (total {n})",
        "units": "Incidents per unit and category",
        "trend": "Daily trend",
        "count": "count",
        "day": "day",
    },
}


# File names of the candidates, for fonts installed after matplotlib built its font cache.
_CJK_FILE_HINTS = ("notosanscjk", "notoserifcjk", "sourcehansans", "wqy-zenhei", "uming")
_rescanned = False


def cjk_font() -> str | None:
    """Name of an installed CJK font family, or None.

    Matplotlib lists the system's fonts once, in a cache file (~/.cache/matplotlib), and never
    looks again: a CJK font installed after that (`apt install fonts-noto-cjk` after the first
    run) would stay invisible and every chart would fall back to English with boxes for the
    chat titles. So when no candidate is listed, the system font files are searched once and
    any CJK ones added."""
    global _rescanned
    names = {f.name for f in font_manager.fontManager.ttflist}
    found = next((c for c in _CJK_CANDIDATES if c in names), None)
    if found is not None or _rescanned:
        return found
    _rescanned = True
    for path in font_manager.findSystemFonts():
        if any(hint in path.lower().rsplit("/", 1)[-1] for hint in _CJK_FILE_HINTS):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((c for c in _CJK_CANDIDATES if c in names), None)


def render_month_chart(rows: list[dict[str, Any]], month: str, locale: str = "zh-TW") -> bytes:
    """PNG bytes: stacked bars per chat by category, and incidents per day of the month."""
    font = cjk_font()
    if font is None:
        locale = "en"  # no glyphs for Chinese: English rather than empty boxes
    t = TEXT[locale]
    labels = CATEGORY_LABELS[locale]
    per_unit: dict[str, Counter[str]] = {}
    per_day: Counter[str] = Counter()
    for r in rows:
        unit = str(r.get("chat_title") or r.get("chat_id"))
        cats = json.loads(r.get("categories") or "[]") or ["personal_data"]
        for c in cats:
            per_unit.setdefault(unit, Counter())[c] += 1
        per_day[str(r.get("sent_at", ""))[:10]] += 1

    fig = Figure(figsize=(10, 7.5), dpi=100)
    rc = {"font.family": [font, "DejaVu Sans"]} if font else {}
    with matplotlib.rc_context(rc):
        ax1, ax2 = fig.subplots(2, 1, gridspec_kw={"height_ratios": [3, 2]})
        fig.suptitle(t["title"].format(month=month, n=len(rows)), fontsize=14)
        units = sorted(per_unit, key=lambda u: -sum(per_unit[u].values()))[:12]
        bottoms = [0] * len(units)
        for cat, label in labels.items():
            vals = [per_unit[u][cat] for u in units]
            if any(vals):
                ax1.barh(units, vals, left=bottoms, label=label)
                bottoms = [b + v for b, v in zip(bottoms, vals, strict=True)]
        ax1.invert_yaxis()
        ax1.set_title(t["units"])
        ax1.set_xlabel(t["count"])
        if units:
            # Room on the right so the legend never covers the longest bars.
            ax1.set_xlim(0, max(bottoms) * 1.3 if max(bottoms) else 1)
            ax1.legend(loc="lower right", fontsize=9)
        days = sorted(per_day)
        ax2.plot([d[8:] for d in days], [per_day[d] for d in days], marker="o")
        ax2.set_title(t["trend"])
        ax2.set_xlabel(t["day"])
        ax2.set_ylabel(t["count"])
        buf = io.BytesIO()
        with warnings.catch_warnings():
            # Without a CJK font, unit names (chat titles) still have Chinese glyphs; they show as
            # boxes, which is the accepted fallback — one warning per glyph would only be noise.
            warnings.filterwarnings("ignore", message="Glyph .* missing from font")
            fig.tight_layout()
            fig.savefig(buf, format="png")
    return buf.getvalue()
