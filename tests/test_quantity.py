"""kubelint.k8s.quantity parses quantities as k8s.io/apimachinery/pkg/api/resource does."""

from __future__ import annotations

from fractions import Fraction

import pytest

from kubelint.k8s.quantity import parse_quantity


@pytest.mark.parametrize(
    "text, value",
    [
        ("0", 0),
        ("0n", 0),
        ("0Mi", 0),
        ("1n", Fraction(1, 10**9)),
        ("1u", Fraction(1, 10**6)),
        ("1m", Fraction(1, 1000)),
        ("500m", Fraction(1, 2)),
        ("1", 1),
        ("1k", 1000),
        ("1M", 10**6),
        ("1G", 10**9),
        ("1T", 10**12),
        ("1P", 10**15),
        ("1E", 10**18),
        ("1Ki", 1024),
        ("1Mi", 2**20),
        ("1Gi", 2**30),
        ("1Ti", 2**40),
        ("1Pi", 2**50),
        ("1Ei", 2**60),
        ("1.5Gi", 3 * 2**29),
        ("0.1m", Fraction(1, 10**4)),
        ("1e3", 1000),
        ("1E6", 10**6),
        ("1e-3", Fraction(1, 1000)),
        ("2.5e+2", 250),
        (".5", Fraction(1, 2)),
        ("5.", 5),
        ("+1", 1),
        ("-1", -1),
        ("-500m", Fraction(-1, 2)),
        ("007", 7),
        (" 2Gi ", 2 * 2**30),  # UnmarshalJSON trims surrounding white space
        (2, 2),
        (0.5, Fraction(1, 2)),
        (1e-07, Fraction(1, 10**7)),
    ],
)
def test_valid(text, value):
    assert parse_quantity(text) == value


def test_rounds_up_to_nano_units():
    # inf.RoundUp to scale 9: non-zero values never round to zero.
    assert parse_quantity("0.1n") == Fraction(1, 10**9)
    assert parse_quantity("1.0000000001") == Fraction(1000000001, 10**9)
    assert parse_quantity("-0.0000000001") == Fraction(-1, 10**9)


def test_binary_values_are_capped_at_int64():
    assert parse_quantity("9Ei") == 2**63 - 1
    assert parse_quantity("10E") == 10**19  # decimal values are not capped


def test_scanner_leniencies():
    # parseQuantityString returns zero for a bare sign and accepts a bare suffix.
    assert parse_quantity("-") == 0
    assert parse_quantity("Gi") == 0
    assert parse_quantity("m") == 0


@pytest.mark.parametrize(
    "text",
    ["", "1 Gi", "1GB", "1gi", "1Mb", "1x", "1i", "1.1.1", "1+1", "1e", "1e+", "1E-", "1Ki2", "abc", "0x10", "1,5",
     True, None, [], float("inf")],
)
def test_invalid(text):
    with pytest.raises(ValueError):
        parse_quantity(text)


def test_messages_say_what_is_wrong():
    with pytest.raises(ValueError, match="white space"):
        parse_quantity("1 Gi")
    with pytest.raises(ValueError, match='unknown suffix "GB"'):
        parse_quantity("1GB")


def test_comparison_across_units():
    assert parse_quantity("64Mi") > parse_quantity("64M")
    assert parse_quantity("1Gi") == parse_quantity("1024Mi")
    assert parse_quantity("1500m") == parse_quantity("1.5")
