from hypothesis import given
from hypothesis import strategies as st

from accounts.numbers import account_number_build, account_number_is_valid, routing_code_of


def test_known_number():
    number = account_number_build(bank_code="101", branch_code="0001", serial=1)
    assert number == "1010001000000012"
    assert routing_code_of(number) == "1010001"
    assert account_number_is_valid(number)


@given(st.integers(min_value=0, max_value=99_999_999), st.integers(min_value=0, max_value=9999))
def test_every_built_number_is_valid(serial, branch):
    assert account_number_is_valid(account_number_build(bank_code="101", branch_code=f"{branch:04d}", serial=serial))


@given(st.integers(min_value=0, max_value=99_999_999), st.integers(min_value=0, max_value=15), st.integers(1, 9))
def test_a_mistyped_digit_is_caught(serial, position, delta):
    number = account_number_build(bank_code="101", branch_code="0001", serial=serial)
    digit = (int(number[position]) + delta) % 10
    typo = number[:position] + str(digit) + number[position + 1 :]
    assert not account_number_is_valid(typo)


def test_malformed_numbers():
    for bad in ["", "123", "101000100000001x", "1010001000000012 ", "１０１０００１０００００００１２"]:
        assert not account_number_is_valid(bad)
