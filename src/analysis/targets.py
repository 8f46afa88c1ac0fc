"""From the Chinese wording of a plan target to a structured target.

A plan states a target in a sentence ("“十四五”期间完成职业技能培训 500 万人次",
"城镇调查失业率稳定在 5.5% 以内", "每年 3600 人以上", "[5500]"). The evaluation
needs four facts from it: what kind of target it is (a floor every year, a total over
the period, a level by a year, a statement without a number, or a figure another
authority sets), the comparison, the value in base units and the year.

The parser is pure and never raises. Wording it does not understand comes back as
``unparsed`` with the reason, never as a guess: ``make data`` lists those rows and the
tests fail if a target in the two source documents is unparsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analysis.cn_numbers import COUNT_UNITS, Quantity, find_quantities, is_year, normalize, split_unit

#: The kinds of target the parser gives (``target_kind``), declared once: with a figure, judged
#: from the data; without one, assessed like tasks; and what could not be read.
QUANTITATIVE_KINDS: tuple[str, ...] = ("annual", "cumulative", "level")
ASSESSED_KINDS: tuple[str, ...] = ("qualitative", "external")
TARGET_KINDS: tuple[str, ...] = (*QUANTITATIVE_KINDS, *ASSESSED_KINDS, "unparsed")
#: Comparators of a target; the engine codes them by position in this tuple.
COMPARATORS: tuple[str, ...] = (">=", ">", "<=", "<", "=", "≈")


@dataclass(frozen=True)
class ParsedTarget:
    """One target as the evaluation engine needs it.

    ``target_value`` is in base units (16 万 → 160000; a percentage stays a number with
    unit "%"). ``notes`` lists every reading the parser had to make that the wording does
    not state outright, so a reviewer can see it.
    """

    target_kind: str
    comparator: str | None = None
    target_value: float | None = None
    target_year: int | None = None
    unit: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


# Targets whose figure another authority sets: the plan names no number of its own.
_EXTERNAL = re.compile(
    r"(市政府|市、区|市区|上级|国家|本市|全市|区政府|省|市里|市局)[^,，。;；]{0,6}(下达|设定|规定|确定|核定|分解)"
    r"|设定指标|下达的指标|规定的标准|下达的目标|完成.{0,4}下达|达到国家(标准|要求)"
)

# Statements without a figure, in the vocabulary plans use.
_QUALITATIVE = (
    "应保尽保",
    "应纳尽纳",
    "应享尽享",
    "合理增长",
    "基本同步",
    "同步提高",
    "同步增长",
    "逐步提高",
    "稳步提高",
    "稳步提升",
    "持续提升",
    "持续提高",
    "不断提高",
    "不断提升",
    "全覆盖",
    "明显改善",
    "显著提升",
    "有效遏制",
    "基本消除",
    "稳中有升",
    "保持稳定",
    "总体稳定",
    "稳中有进",
    "逐步提升",
    "进一步提高",
    "进一步提升",
    "稳定增长",
    "持续增长",
    "只增不减",
    "基本实现",
    "全面实现",
    "合理区间",
    "视情提出",
    "全国平均",
    "全国前列",
    "全市前列",
)
# A growth compared with another indicator's ("高于国内生产总值增长"): a statement, not a figure.
_RELATIVE = re.compile(r"(高于|不低于|快于|略高于|同步于)(国内生产总值|GDP|地区生产总值|经济|居民收入)增长")
# A change by an amount ("提高 1 岁", "下降 2 个百分点") rather than a level to reach: not read.
# A percentage after the verb ("增长 6%", "降低 13.5%") is a rate, which is a level.
_CHANGE = re.compile(r"(提高|提升|增加|增长|下降|降低|减少)了?\d+(?:\.\d+)?(?![\d.%])")

# "Kept at zero": a target value of 0 to hold every year.
_ZERO = re.compile(r"动态(为零|清零|归零)|保持为零|零发生|实现清零|(为|归)零$")

# Comparators, in the order they must be tried: explicit signs, then negated or compound
# words (不低于 before 低于, 达到或超过 before 超过), then the rest.
_COMPARATOR_RULES: tuple[tuple[str, str], ...] = (
    (r"≥|>=", ">="),
    (r"≤|<=", "<="),
    (r">", ">"),
    (r"<", "<"),
    (r"达到\(?或超过\)?|不低于|不少于|不小于|至少|及以上|以上|以上水平", ">="),
    (r"不超过|不高于|不大于|以内|以下|之内|内$", "<="),
    (r"左右|上下|约|大约|大体", "≈"),
    (r"超过|高于|大于|多于|突破|超", ">"),
    (r"低于|少于|小于", "<"),
    (r"力求达到|力争达到|力争|达到|提高到|提升到|提高至|提升至|增加到|增加至|增长到|达|完成|实现|新增|确保", ">="),
    (r"控制在", "<="),  # 控制在 X (without 以内) is still a cap
    (r"稳定在|保持在|维持在", "≈"),
)

# Words that make a count a flow over the period (summed), not a stock.
_FLOW_NAME = re.compile(r"新增|培训|培养|扶持|帮扶|实现就业|再就业|就业人数|创业|完成|安置|招聘|发放|援助|人次|岗位")
# Words that make a figure a stock or rate at a point in time.
_STOCK_NAME = re.compile(r"累计|总量|规模|年末|期末|数量$|保有|覆盖|比例|比重|率|年限|水平|标准")
_PERIOD_WORDS = re.compile(r"期间|五年|“十[一二三四五六七八九]五”|十[一二三四五六七八九]五时期|累计")
_ANNUAL_WORDS = re.compile(r"每年|年均|逐年|每一年|年度不低于")
_HOLD_WORDS = re.compile(r"保持|稳定在|维持")
_YEAR_MARK = re.compile(r"(?P<pre>由|从|较)?(?P<year>(?:19|20)\d\d)年(?:底|末)?(?P<of>的)?")
_REACH = re.compile(r"达到|提高到|提升到|提高至|提升至|增加到|增加至|增长到")
_REACH_BEFORE = re.compile(r"(达到|提高到|提升到|提高至|提升至|增加到|增加至|增长到|达|到)$")
#: How far before a figure _REACH_BEFORE looks (its longest word is three characters): a bounded
#: window keeps the parser linear in its input, where searching the whole prefix was quadratic.
_REACH_WINDOW = 8
_BRACKETED = re.compile(r"\[(\d+(?:,\d{3})*(?:\.\d+)?)\]")
#: "每万名从业人员中", "每千人": a ratio to a population; the figure after it is per that many.
_PER = re.compile(r"每(?P<per>十万|万|千|百)(?:名|人|个|户)?[^,，。;；\d]{0,24}$")
#: Measure words after a count that state it without a comparison ("首席技师120名").
MEASURE_WORDS = frozenset({"名", "个", "家", "所", "项", "套", "户"})


def parse_target(
    text: str,
    *,
    name: str = "",
    unit: str | None = None,
    context: str = "",
    period: tuple[int, int] | None = None,
) -> ParsedTarget:
    """Read one target's wording.

    ``text`` is the target cell or clause, verbatim. ``name`` is the indicator's name (it
    tells a flow such as 新增就业岗位 from a stock such as 累计入驻企业数量); ``unit`` is the
    table's unit cell ("万人" scales a bare number); ``context`` is the table heading or
    the sentence's preamble ("目标值（2030年）", "“十四五”期间"); ``period`` is the plan's
    (first year, last year), which a target without a year of its own runs to.

    Never raises: anything unexpected becomes ``unparsed`` with the reason in ``notes``.
    """
    try:
        return _parse(text, name=name, unit=unit, context=context, period=period)
    except Exception as exc:
        return ParsedTarget("unparsed", notes=(f"parser error: {type(exc).__name__}",))


def _parse(text: str, *, name: str, unit: str | None, context: str, period: tuple[int, int] | None) -> ParsedTarget:
    """``parse`` without the safety net: wording-only targets first, then the figure that is the
    target, its unit, its comparator and its kind."""
    body = normalize(text if isinstance(text, str) else "")
    ctx = normalize(context if isinstance(context, str) else "")
    nm = normalize(name if isinstance(name, str) else "")
    end_year = period[1] if period else None
    if not body:
        return ParsedTarget("unparsed", notes=("empty target text",))

    stated_year = _stated_year(body) or _stated_year(ctx)
    year = stated_year or end_year
    table_mult, table_unit = split_unit(unit)
    notes: list[str] = []

    set_elsewhere = _set_elsewhere(body, year, table_unit)
    if set_elsewhere is not None:
        return set_elsewhere

    cumulative_bracket = bool(re.search(r"\[[^\]]*\d[^\]]*\]", body))
    # "[3000]万人": the bracket marks a five-year total; the unit after it still belongs to it
    body = _BRACKETED.sub(r"\1", body)
    quantities = [q for q in find_quantities(body) if not is_year(q, body)]

    if not quantities:
        if any(word in body for word in _QUALITATIVE) or _RELATIVE.search(body):
            return ParsedTarget("qualitative", None, None, year, None)
        return ParsedTarget("unparsed", notes=("no figure and no known qualitative wording",))

    last = quantities[-1].start
    if _CHANGE.search(body) and not _REACH_BEFORE.search(body[max(0, last - _REACH_WINDOW) : last]):
        return ParsedTarget("unparsed", notes=("a change by an amount (提高/下降 X), not a level to reach",))

    q = _pick_quantity(body, quantities)
    if q is None:
        return ParsedTarget("unparsed", notes=(f"{len(quantities)} figures and none marked as the target",))

    value, value_unit = _value_in_unit(body, q, table_mult, table_unit, notes)
    comparator = _comparator(body, q)
    stated = comparator is not None
    if comparator is None:
        comparator = ">="
        notes.append("no comparison stated: read as 达到 (>=)")

    kind = _kind(
        body,
        ctx,
        nm,
        value_unit,
        comparator,
        stated_year,
        cumulative_bracket,
        notes,
        measure_word=not stated and value_unit in MEASURE_WORDS and body[q.end :].strip("。；;，,") == "",
    )
    if kind == "unparsed":
        return ParsedTarget("unparsed", notes=tuple(notes))
    return ParsedTarget(kind, comparator, float(value), year, value_unit, tuple(notes))


def _set_elsewhere(body: str, year: int | None, table_unit: str | None) -> ParsedTarget | None:
    """A target whose wording alone says what it is, before any figure is read: a figure another
    authority sets (控制在市政府下达的指标数内), or 动态为零 (zero throughout)."""
    if _EXTERNAL.search(body):
        bound = "<=" if re.search(r"控制在|以内|不超过|内$", body) else ">="
        return ParsedTarget("external", bound, None, year, table_unit, ("figure set by another authority",))
    if _ZERO.search(body):
        return ParsedTarget("annual", "=", 0.0, year, table_unit, ("动态为零: held at zero throughout",))
    return None


def _value_in_unit(
    body: str, q: Quantity, table_mult: float, table_unit: str | None, notes: list[str]
) -> tuple[float, str | None]:
    """The target figure and its unit: a bare number takes the table's unit and scale; a
    figure per N persons is a ratio, said in ``notes``."""
    value_unit = q.unit
    value = q.value
    if value_unit is None or (value_unit == "年" and table_unit not in (None, "年")):
        # A bare number takes the table's unit and scale ("5500" under 万人 → 55,000,000 人).
        value_unit = table_unit
        if q.multiplier == 1.0:
            value *= table_mult
    if value_unit == "个百分点":
        value_unit = "百分点"
    per = _PER.search(body[: q.start])
    if per and value_unit:
        # "每万名从业人员中高技能人才 N 人": a ratio to 10,000 of a population, not a count
        value_unit = f"{value_unit}/{per.group('per')}人"
        notes.append(f"每{per.group('per')}…: a ratio per {per.group('per')} persons, not a count")
    return value, value_unit


def _stated_year(text: str) -> int | None:
    """The year a target is due ("到 2025 年"); a base year ("由 2020 年的 85%") is not one."""
    years = [int(m.group("year")) for m in _YEAR_MARK.finditer(text) if not (m.group("pre") or m.group("of"))]
    return max(years) if years else None


def _pick_quantity(body: str, quantities: list[Quantity]) -> Quantity | None:
    """The target figure: the only one, or the one after a verb of reaching ("由 X 提高到 Y")."""
    if len(quantities) == 1:
        return quantities[0]
    reached = [q for q in quantities if _REACH_BEFORE.search(body[max(0, q.start - _REACH_WINDOW) : q.start])]
    return reached[-1] if len(reached) == 1 else None


def _comparator(body: str, q: Quantity) -> str | None:
    """The comparison word nearest the figure, tried in the order of ``_COMPARATOR_RULES``."""
    stripped = re.sub(r"[\[\]]", "", body)
    for pattern, comparator in _COMPARATOR_RULES:
        if re.search(pattern, stripped):
            return comparator
    return None


def _kind(
    body: str,
    ctx: str,
    name: str,
    unit: str | None,
    comparator: str,
    stated_year: int | None,
    bracket: bool,
    notes: list[str],
    measure_word: bool = False,
) -> str:
    """annual, cumulative or level, from the wording first and the indicator's nature second."""
    own_words = body.replace(name, "") if name else body
    if bracket:
        notes.append("[ ] marks a cumulative value over the plan period")
        return "cumulative"
    if _ANNUAL_WORDS.search(own_words + ctx):
        return "annual"
    if "累计" in own_words:
        return "cumulative"
    is_count = unit in COUNT_UNITS
    stock = bool(_STOCK_NAME.search(name)) and not name.startswith("新增")
    flow = bool(_FLOW_NAME.search(name + own_words)) and not stock
    if is_count and flow:
        if not _PERIOD_WORDS.search(ctx + own_words):
            notes.append("a flow with no year of its own: a total over the plan period")
        return "cumulative"
    if stated_year is not None:
        return "level"
    if _HOLD_WORDS.search(own_words):
        notes.append("to hold (保持/稳定/维持) with no year: every year")
        return "annual"
    if comparator in ("<=", "<", "≈"):
        notes.append("a ceiling or band with no year: to hold every year")
        return "annual"
    if is_count and not stock and not _REACH.search(own_words):
        if measure_word:
            notes.append(
                f"a count with its measure word ({unit}) and no comparison: a level to reach by the plan's end"
            )
            return "level"
        notes.append(f"a count ({unit}) with no sign of flow or stock")
        return "unparsed"
    return "level"
