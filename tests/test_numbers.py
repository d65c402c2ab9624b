"""Number, unit, operator and interval parsing (property tests with hypothesis)."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from pipeline.audit.compare import meets, quotient, sum_interval
from pipeline.audit.slips import find_slip
from pipeline.extract.common import cn_to_int, parse_value
from pipeline.numbers import parse_number, split_operator

amounts = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)


@given(amounts)
def test_money_round_trip_keeps_value_and_decimals(x):
    text = f"{x:.2f}万元"
    n = parse_number(text)
    assert n.value == x and n.decimals == 2 and n.unit == "万元"
    lo, hi = n.interval()
    assert hi - lo == Decimal("0.01") or n.exact


@given(st.integers(min_value=0, max_value=10**10))
def test_yuan_converts_exactly_to_wan_yuan(yuan):
    grouped = f"{yuan:,}.00元"
    n = parse_number(grouped)
    assert n.unit == "万元"
    assert n.value == Decimal(yuan) / 10000
    assert n.decimals == 6  # 2 decimals in 元 are 6 in 万元


def test_yi_yuan_and_percent():
    n = parse_number("1.5亿元")
    assert (n.value, n.decimals) == (Decimal("15000.0"), -3)
    p = parse_number("100.005%")
    assert (p.value, p.decimals, p.unit) == (Decimal("100.005"), 3, "%")
    assert p.interval() == (Decimal("100.0045"), Decimal("100.0055"))


def test_counts_are_exact_and_zero_is_zero():
    assert parse_number("397人").exact
    assert parse_number("0万元").exact
    assert not parse_number("3.5人").exact


@given(st.sampled_from([
    (">=", ">="), ("≥", ">="), ("不低于", ">="), ("不少于", ">="), ("达到", ">="),
    ("<=", "<="), ("≤", "<="), ("不高于", "<="), ("不超过", "<="), (">", ">"), ("超过", ">"),
    ("高于", ">"), ("<", "<"), ("低于", "<"), ("不满", "<"), ("=", "="),
]), st.integers(min_value=0, max_value=100000), st.sampled_from(["人", "%", "家", "万元"]))
def test_prefix_operators(pair, value, unit):
    word, op = pair
    got_op, n, text = parse_value(f"{word}{value}{unit}")
    assert got_op == op and n.value == Decimal(value) and text is None


def test_suffix_operators_and_qualitative():
    assert split_operator("5家以上") == (">=", "5家")
    assert split_operator("控制在90万元以内") == ("<=", "90万元")
    assert split_operator("3%以下") == ("<=", "3%")
    assert parse_value("效果明显") == (None, None, "效果明显")
    assert parse_value("806人")[0] is None


def test_chinese_numerals():
    assert cn_to_int("二十一") == 21
    assert cn_to_int("十二") == 12
    assert cn_to_int("一百零五") == 105
    assert cn_to_int("abc") is None
    op, n, _ = parse_value("二十一个")
    assert n.value == 21 and n.unit == "个"


def test_standard_numerals_read_as_cn2an_reads_them():
    """cn_to_int reads standard numerals itself (cn2an is slow to load); every one of them,
    1 to 9999, gives what cn2an gives, and other spellings still go to cn2an."""
    import cn2an

    from pipeline.extract.common import cn_numeral, standard_numeral

    for n in range(1, 10000):
        text = cn_numeral(n)
        assert standard_numeral(text) == n == cn2an.cn2an(text, "smart"), text
    for text, value in (("一十二", 12), ("一百一", 110), ("一〇五", 105), ("两百", 200), ("十万", 100000), ("零", 0)):
        assert cn_to_int(text) == value
    for text in ("一十二", "一百一", "一〇五", "零", "十万", "百", "二二"):
        assert standard_numeral(text) is None
    for text in ("零", "〇"):  # read without cn2an too
        assert cn_to_int(text) == cn2an.cn2an(text, "smart") == 0


def test_interval_rule_examples_from_spec():
    a, b, total = parse_number("257.14万元"), parse_number("3664.71万元"), parse_number("3921.85万元")
    assert meets(total.interval(), sum_interval([(a, 1), (b, 1)]))
    assert meets(parse_number("3921.86万元").interval(), sum_interval([(a, 1), (b, 1)]))
    assert not meets(parse_number("3921.87万元").interval(), sum_interval([(a, 1), (b, 1)]))
    num, den = parse_number("257.14万元"), parse_number("260.00万元")
    assert meets(parse_number("98.90%").interval(), quotient(num, den).interval)
    assert meets(parse_number("99%").interval(), quotient(num, den).interval)
    assert not meets(parse_number("98.5%").interval(), quotient(parse_number("3921.85万元"), parse_number("4010.00万元")).interval)


@given(st.decimals(min_value=1, max_value=999, places=2), st.integers(min_value=0, max_value=4))
def test_slip_finds_inserted_zero(x, pos):
    digits = f"{x:.2f}"
    pos = min(pos, len(digits))
    typo = digits[:pos] + "0" + digits[pos:]
    if typo.startswith("0") and not typo.startswith("0."):
        return
    fits = lambda v, d: v == x  # noqa: E731
    got = find_slip(typo, fits)
    assert got is not None and Decimal(got[0]) == x
