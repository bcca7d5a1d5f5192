"""ECMA-262 number semantics (JSON.parse, parseFloat, String(), toFixed, toExponential) as jsonld.js applies them.

Input numbers follow JSON.parse (one IEEE double each); RDF literals use jsonld.js's number forms
(JSON-LD 1.1 API §8.3 steps 9-10: xsd:double in canonical form, xsd:integer via toFixed(0)).
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from credentials.jsonld.errors import JsonLdProcessingError

# Doubles represent every integer below 2**53 exactly; beyond that JavaScript (JSON.parse) rounds.
_SAFE_INTEGER = 2**53


def _js_number(value: int | float) -> int | float:
    """ECMA-262 JSON.parse number semantics: one IEEE double per number, so 3.0 is 3 and 2**60+1 rounds."""
    if isinstance(value, int):
        if -_SAFE_INTEGER < value < _SAFE_INTEGER:
            return value
        try:
            value = float(value)
        except OverflowError as exc:
            raise JsonLdProcessingError("a number in the document is too large for a double") from exc
    if not math.isfinite(value):
        raise JsonLdProcessingError("the document contains a non-finite number (NaN or Infinity)")
    if value.is_integer() and -_SAFE_INTEGER < value < _SAFE_INTEGER:
        return int(value)
    return value


# ECMA-262 StrWhiteSpaceChar, which parseFloat skips.
_JS_WHITESPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_JS_FLOAT_PREFIX = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_EXACT = Context(prec=1200, rounding=ROUND_HALF_UP)
_SIXTEEN_DIGITS = Decimal("1.000000000000000")


def _js_parse_float(text: str) -> float:
    """ECMA-262 parseFloat: the longest decimal prefix after leading white space, else NaN."""
    match = _JS_FLOAT_PREFIX.match(text.lstrip(_JS_WHITESPACE))
    if match is None:
        return math.nan
    number = match.group()
    if number.endswith("Infinity"):
        return -math.inf if number.startswith("-") else math.inf
    return float(number)


def _js_is_double(value: Any) -> bool:
    """jsonld.js types.isDouble: a number whose JavaScript String() has a '.', or whose magnitude >= 1e21."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if abs(value) >= 1e21:
        return True
    if isinstance(value, int) or value.is_integer():
        return False
    # String() uses fixed notation down to 1e-6 and exponent notation (e.g. "1e-7": no '.') below it.
    return abs(value) >= 1e-6 or "." in repr(value)


def _js_to_fixed0(value: int | float) -> str:
    """ECMA-262 Number.prototype.toFixed(0): round half up on the magnitude; -1e-7 gives "-0"."""
    if isinstance(value, int):
        return str(value)
    magnitude = Decimal(abs(value)).to_integral_value(rounding=ROUND_HALF_UP, context=_EXACT)
    return f"{'-' if value < 0 else ''}{magnitude}"


def _canonical_double(value: float) -> str:
    """jsonld.js xsd:double form: toExponential(15), trailing zeros cut to one digit, 'e+' -> 'E'."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0.0E0"
    exact = Decimal(abs(value))
    exponent = exact.adjusted()
    mantissa = exact.scaleb(-exponent, context=_EXACT).quantize(_SIXTEEN_DIGITS, context=_EXACT)
    if mantissa >= 10:  # 9.9999999999999999 rounds up to 10.000...
        mantissa, exponent = _SIXTEEN_DIGITS, exponent + 1
    whole, fraction = f"{mantissa:f}".split(".")
    return f"{'-' if value < 0 else ''}{whole}.{fraction.rstrip('0') or '0'}E{exponent}"


def _js_float(value: Any) -> float:
    # jsonld.js parseFloat(value) for a value typed xsd:double that is not already a double.
    if isinstance(value, int | float):
        return float(value)
    return _js_parse_float(str(value))
