"""Kubernetes resource quantities, parsed the way the API server parses them.

This follows `ParseQuantity` and the suffix table of
k8s.io/apimachinery/pkg/api/resource (quantity.go, suffix.go):

    <quantity>        ::= <signedNumber><suffix>
    <signedNumber>    ::= <number> | <sign><number>
    <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
    <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
    <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
    <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
    <decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber>

including the scanner's leniencies (a bare sign or suffix is zero, `1.` is
one) and its rounding: a non-zero value is rounded away from zero to a whole
nano unit, and a binary-suffixed value is capped at 2^63-1.  The JSON decoder
trims surrounding white space before parsing (`Quantity.UnmarshalJSON`).
"""

from __future__ import annotations

import math
from fractions import Fraction

__all__ = ["QUANTITY_PATTERN", "parse_quantity", "syntax_error"]

# The pattern of io.k8s.apimachinery.pkg.api.resource.Quantity in the bundled
# schemas (scripts/gen_schemas.py writes it there): what the schema stage
# accepts as a quantity string.
QUANTITY_PATTERN = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE])?$"

# Characters the scanner accepts in a suffix before an optional signed exponent.
_SUFFIX_CHARS = frozenset("eEinumkKMGTP")
_DECIMAL_SI = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY_SI = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_MAX_INT64 = 2**63 - 1
_NANO = Fraction(1, 10**9)
# Decimal exponents beyond this change no comparison a manifest can make;
# clamping keeps `1e2000000000` from building a two-billion-digit integer.
_EXPONENT_CLAMP = 400


def syntax_error(value: str) -> str | None:
    """Why ParseQuantity refuses `value`, or None."""
    try:
        parse_quantity(value)
    except ValueError as e:
        return str(e)
    return None


def _is_digit(c: str) -> bool:
    return "0" <= c <= "9"


def _text(value: object) -> str:
    """The text the API server would parse for a YAML scalar."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a quantity")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a quantity")
        # JSON renders a float the way Python's repr does (1e-07, 0.5, 1e+21).
        return repr(value)
    if isinstance(value, str):
        # Go's strings.TrimSpace: Unicode white space.
        return value.strip()
    raise ValueError(f"{type(value).__name__} is not a quantity")


def _split(text: str) -> tuple[bool, str, str, str]:
    """(positive, numerator digits, fraction digits, suffix), as
    parseQuantityString scans them."""
    positive = True
    pos, end = 0, len(text)
    if text[0] in "+-":
        positive = text[0] == "+"
        pos = 1
    while pos < end and text[pos] == "0":
        pos += 1
    if pos >= end:
        return positive, "0", "", ""
    start = pos
    while pos < end and _is_digit(text[pos]):
        pos += 1
    num = text[start:pos] or "0"
    if pos >= end:
        return positive, num, "", ""
    denom = ""
    if text[pos] == ".":
        pos += 1
        start = pos
        while pos < end and _is_digit(text[pos]):
            pos += 1
        denom = text[start:pos]
        if pos >= end:
            return positive, num, denom, ""
    suffix_start = pos
    while pos < end and text[pos] in _SUFFIX_CHARS:
        pos += 1
    if pos < end and text[pos] in "+-":
        pos += 1
    while pos < end and _is_digit(text[pos]):
        pos += 1
    if pos < end:
        rest = text[suffix_start:]
        if any(c.isspace() for c in rest):
            raise ValueError("contains white space between the number and the suffix")
        if rest[0] in "0123456789.+-":
            raise ValueError("the number part is malformed")
        raise ValueError(_unknown_suffix(rest))
    return positive, num, denom, text[suffix_start:]


def _unknown_suffix(suffix: str) -> str:
    return (
        f'unknown suffix "{suffix}"; use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei '
        "or an exponent such as e3"
    )


def _go_parse_int64(text: str) -> int:
    """strconv.ParseInt(text, 10, 64): an optional sign and ASCII digits."""
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits or not all(_is_digit(c) for c in digits):
        raise ValueError
    value = int(text)
    if not -(2**63) <= value <= _MAX_INT64:
        raise ValueError
    return value


def _exponent(suffix: str) -> tuple[int, int]:
    """(base, exponent) of a suffix, as quantitySuffixer.interpret reads it."""
    if suffix in _DECIMAL_SI:
        return 10, _DECIMAL_SI[suffix]
    if suffix in _BINARY_SI:
        return 2, _BINARY_SI[suffix]
    if len(suffix) > 1 and suffix[0] in "eE":
        try:
            exponent = _go_parse_int64(suffix[1:])
        except ValueError:
            pass
        else:
            # interpret() converts the parsed int64 with int32(parsed).
            exponent = (exponent + 2**31) % 2**32 - 2**31
            return 10, max(-_EXPONENT_CLAMP, min(_EXPONENT_CLAMP, exponent))
    raise ValueError(_unknown_suffix(suffix))


def parse_quantity(value: object) -> Fraction:
    """The exact value of a Kubernetes quantity (`"500m"` is 1/2), or
    ValueError with the reason the API server would refuse it.

    Accepts what a manifest holds: a string, or an int or float that YAML
    produced (`cpu: 2`, `cpu: 0.5`).
    """
    text = _text(value)
    if not text:
        raise ValueError("an empty string is not a quantity")
    if text == "0":
        return Fraction(0)
    positive, num, denom, suffix = _split(text)
    base, exponent = _exponent(suffix)
    amount = Fraction(int(num + denom), 10 ** len(denom))
    amount *= Fraction(base) ** exponent
    # Non-zero values are rounded up (away from zero) to a whole nano unit.
    if amount and amount.denominator != 1:
        amount = Fraction(math.ceil(amount / _NANO)) * _NANO
    if base == 2 and amount > _MAX_INT64:
        amount = Fraction(_MAX_INT64)
    return amount if positive else -amount
