"""Serializer building blocks shared by every app's API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bankingsystem.money import MONEY_MAX, parse_decimal_string


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know: a typo ("ammount") must not be silently ignored."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - {name for name, field in self.fields.items() if not field.read_only})
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown}, code="unknown_field")
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^-?\d{1,16}(\.\d+)?$", "example": "1250.50"})
class MoneyField(serializers.Field):
    """A money amount as a decimal string ("1250.50"); integers are accepted too.

    The sign and scale are kept as sent, so the service can refuse "-5" or "0.001" with
    its own stable codes; anything that is not a plain finite decimal is refused here.
    """

    default_error_messages = {
        "invalid": 'Send the amount as a decimal string such as "1250.50".',
        "too_large": "The amount is too large.",
    }

    def to_internal_value(self, data: Any) -> Decimal:
        amount = parse_decimal_string(data)
        if amount is None:
            self.fail("invalid")
        assert amount is not None
        if abs(amount) > MONEY_MAX:
            self.fail("too_large")
        return amount

    def to_representation(self, value: Decimal) -> str:
        return f"{value:.2f}"


@extend_schema_field(OpenApiTypes.STR)
class AccountNumberField(serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_length", 16)
        kwargs.setdefault("max_length", 16)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        from accounts.numbers import account_number_is_valid

        value = super().to_internal_value(data)
        if not account_number_is_valid(value):
            raise serializers.ValidationError("Not a valid account number (check digit mismatch).", code="invalid")
        return value
