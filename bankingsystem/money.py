"""Money is exact: `Decimal` with an ISO 4217 currency beside it, never float.

The ledger stores two decimal places (NUMERIC(18, 2)); a currency's own minor unit may be
coarser (JPY has none), never finer, so only currencies with at most two are offered.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

# ISO 4217 minor units of the currencies the bank keeps accounts in.
CURRENCY_EXPONENTS: dict[str, int] = {
    "INR": 2,
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "AED": 2,
    "SGD": 2,
    "JPY": 0,
}
CURRENCY_CHOICES = [(code, code) for code in CURRENCY_EXPONENTS]

MONEY_MAX_DIGITS = 18
MONEY_DECIMAL_PLACES = 2
# The largest magnitude a NUMERIC(18, 2) holds; anything larger is refused at the edge.
MONEY_MAX = Decimal(10) ** (MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES) - Decimal("0.01")
ZERO = Decimal("0.00")


def minor_unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-CURRENCY_EXPONENTS[currency])


def decimal_places(amount: Decimal) -> int:
    exponent = amount.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def parse_decimal_string(raw: object) -> Decimal | None:
    """A plain decimal string ("1250.50") or an integer; None for anything else.

    Refuses what `Decimal()` would accept but a money amount must not be: NaN, Infinity,
    exponents ("1e3"), floats (already inexact), booleans, whitespace.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Decimal(raw)
    if not isinstance(raw, str) or not raw or len(raw) > 40:
        return None
    body = raw[1:] if raw[0] in "+-" else raw
    integer, _, fraction = body.partition(".")
    if not integer.isdigit() or not integer.isascii() or (fraction and not (fraction.isdigit() and fraction.isascii())):
        return None
    if "." in body and not fraction:
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


def money_amount_parse(raw: object) -> Decimal | None:
    """What MoneyField takes as an amount (a plain decimal string or an integer, at most
    MONEY_MAX either way); None for whatever it refuses, where the caller needs no reason."""
    amount = parse_decimal_string(raw)
    return amount if amount is not None and abs(amount) <= MONEY_MAX else None
