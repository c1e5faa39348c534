"""Account numbers: 16 digits = bank code (3) + branch code (4) + serial (8) + Luhn check (1).

The first seven digits are the routing code, so any node can tell from a number alone
which bank and branch hold the account (in the spirit of India's IFSC).
"""

from __future__ import annotations

SERIAL_DIGITS = 8
NUMBER_LENGTH = 16


def luhn_check_digit(digits: str) -> str:
    total = 0
    # Walking right to left, double every other digit starting with the rightmost payload digit.
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def account_number_build(*, bank_code: str, branch_code: str, serial: int) -> str:
    payload = f"{bank_code}{branch_code}{serial:0{SERIAL_DIGITS}d}"
    return payload + luhn_check_digit(payload)


def account_number_is_valid(number: str) -> bool:
    return (
        len(number) == NUMBER_LENGTH
        and number.isdigit()
        and number.isascii()
        and luhn_check_digit(number[:-1]) == number[-1]
    )


def routing_code_of(number: str) -> str:
    return number[:7]
