"""Numbers as Chinese documents write them.

Plans write "16 万", "1.8 万人次", "24.06 亿元", "超 236 亿元", "80 余个", "两大",
"全国第一". Both the target parser and the observation reader need the same
reading of a quantity, so it lives here once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Scale words, longest first so that "万亿" wins over "亿".
MULTIPLIERS: dict[str, float] = {"万亿": 1e12, "亿": 1e8, "億": 1e8, "万": 1e4, "萬": 1e4, "千": 1e3, "百": 1e2}

#: Units that may follow a number, longest first. "万人次" is read as 万 + 人次.
UNITS: tuple[str, ...] = (
    "个百分点",
    "百分点",
    "元/月",
    "人次",
    "家次",
    "平方米",
    "小时",
    "平方公里",
    "公里",
    "公斤",
    "千克",
    "%",
    "人",
    "个",
    "家",
    "套",
    "户",
    "年",
    "岁",
    "元",
    "次",
    "项",
    "所",
    "天",
    "倍",
    "名",
    "吨",
    "斤",
    "米",
)

#: Units that measure a count or amount (summable over years), as opposed to rates and levels.
COUNT_UNITS = frozenset({"人", "人次", "个", "家", "家次", "套", "户", "次", "项", "所", "元", "名"})

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}

_NUMBER = re.compile(
    r"(?P<number>\d+(?:,\d{3})*(?:\.\d+)?)"
    r"(?P<mult>万亿|亿|億|万|萬|千)?"
    r"(?P<unit>" + "|".join(re.escape(u) for u in UNITS) + r")?"
)


def normalize(text: str) -> str:
    """Fold full-width characters (＜, ５, ％, （）) to ASCII and drop all whitespace.

    PDF extraction leaves spaces around numbers ("50 万个"); they carry no meaning.
    """
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class Quantity:
    """A number read from text, in base units (16 万 → 160000)."""

    value: float
    unit: str | None
    multiplier: float
    start: int
    end: int
    as_written: str


def split_unit(unit: str | None) -> tuple[float, str | None]:
    """Split a table's unit cell such as "万人" into (10000, "人"); "—" means no unit."""
    if not isinstance(unit, str):  # None, or NaN from a frame
        return 1.0, None
    unit = normalize(unit)
    if unit in {"", "—", "-", "——", "/"}:
        return 1.0, None
    for word, factor in MULTIPLIERS.items():
        if unit.startswith(word):
            return factor, unit[len(word) :] or None
    return 1.0, unit


def find_quantities(text: str) -> list[Quantity]:
    """Every Arabic-digit quantity in already-normalized ``text``, with its scale and unit."""
    found = []
    for m in _NUMBER.finditer(text):
        mult = MULTIPLIERS[m.group("mult")] if m.group("mult") else 1.0
        number = float(m.group("number").replace(",", ""))
        # Round away binary noise: 71.26 万 is 712600, not 712599.9999999999.
        found.append(Quantity(round(number * mult, 6), m.group("unit"), mult, m.start(), m.end(), m.group(0)))
    return found


def chinese_numeral(text: str) -> int | None:
    """Read a small Chinese numeral (一 … 九十九, 两); None if ``text`` is not one."""
    if not text or any(ch not in _CN_DIGITS for ch in text):
        return None
    if "十" not in text:
        return _CN_DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if "十" in ones:
        return None
    t = _CN_DIGITS.get(tens, 0) if tens else 1
    o = _CN_DIGITS.get(ones, 0) if ones else 0
    if (tens and tens not in _CN_DIGITS) or (ones and ones not in _CN_DIGITS):
        return None
    return t * 10 + o


def is_year(q: Quantity, text: str) -> bool:
    """A four-digit 19xx/20xx followed by 年 (or 年底/年末) is a year, not a quantity."""
    return q.unit == "年" and q.multiplier == 1.0 and 1900 <= q.value <= 2100 and float(q.value).is_integer()


@dataclass(frozen=True)
class Figure:
    """An achieved figure as a document reports it ("71.26 万", "超 236 亿元", "完成")."""

    value: float | None
    comparator: str
    unit: str | None
    status: str | None
    note: str | None
    as_of_year: int | None


_TRAILING_NOTE = re.compile(r"^(?P<main>.*?)[(（](?P<note>[^()（）]*)[)）]$")
_AS_OF = re.compile(r"截至(?P<year>(?:19|20)\d\d)年(底|末)")
_CN_COUNT = re.compile(r"(?:全国|全市|全区)?第?(?P<num>[零〇一二两三四五六七八九十]+)(?:个|大|名|家|项|所|位)?")


def read_figure(text: str) -> Figure:
    """Read an achieved figure; a statement with no figure comes back as ``status``.

    A trailing note in brackets is split off ("151291 (截至 2023 年底, …)"), and "截至
    YYYY 年底" in it sets ``as_of_year``, so a figure that stops early is not read as the
    whole period's.
    """
    raw = (text or "").strip()
    m = _TRAILING_NOTE.match(raw)
    main, note = (m.group("main").strip(), m.group("note").strip()) if m else (raw, None)
    norm = normalize(main)
    as_of = _AS_OF.search(normalize(note or ""))
    as_of_year = int(as_of.group("year")) if as_of else None
    quantities = [q for q in find_quantities(norm) if not is_year(q, norm)]
    if quantities:
        q = quantities[0]
        before, after = norm[: q.start], norm[q.end :]
        comparator = "="
        if re.search(r"(超过|超|逾|突破)$", before) or re.match(r"(余|多)", after):
            comparator = ">"
        elif re.match(r"(以上|及以上)", after):
            comparator = ">="
        elif re.search(r"(近|接近)$", before):
            comparator = "<"
        elif re.search(r"(约|大约)$", before) or "左右" in after:
            comparator = "≈"
        return Figure(q.value, comparator, q.unit, None, note, as_of_year)
    if re.fullmatch(r"动态(为零|清零|归零)|为零|零", norm):
        return Figure(0.0, "=", None, None, note, as_of_year)
    cn = _CN_COUNT.fullmatch(norm)
    if cn:
        number = chinese_numeral(cn.group("num"))
        if number is not None:
            return Figure(float(number), "=", None, None, note, as_of_year)
    return Figure(None, "=", None, main or raw or None, note, as_of_year)


def numbers_in(text: str) -> set[float]:
    """Every number written in ``text``, as floats: decimals whole ("71.26"), each run of
    digits too ("2026.04" → 2026.04, 2026, 4), thousands separators read ("622,000").

    Whitespace separates numbers here (unlike ``normalize``), so two table cells such as
    "3000" and "4856" on one line never run together into one number.
    """
    text = unicodedata.normalize("NFKC", text or "")
    found = {float(n.replace(",", "")) for n in re.findall(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", text)}
    found |= {float(n) for n in re.findall(r"\d+\.\d+", text)}
    found |= {float(n) for n in re.findall(r"\d+", text)}
    return found
