"""Step-up verification: large transfers and account changes need a fresh OTP or the PIN."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import Account
from customers.models import TransactionPin
from customers.services import pin_set
from customers.tests.factories import TEST_PASSWORD
from customers.tests.helpers import in_threads, otp_enrol, signed_in_client, totp_code
from transactions.models import Journal

TRANSFERS = "/api/v1/transfers/"


@pytest.fixture
def rich_account(account):
    Account.objects.filter(pk=account.pk).update(balance=Decimal("200000.00"))
    from transactions.services import deposit_create

    deposit_create(account=account, amount=Decimal("199000.00"))
    account.refresh_from_db()
    return account


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.STEP_UP_TRANSFER_AMOUNT = Decimal("50000.00")


def transfer(client, source, destination, amount: str, **headers):  # type: ignore[no-untyped-def]
    body = {"source_account": source.number, "destination_account": destination.number, "amount": amount}
    return client.post(TRANSFERS, body, **headers)


def test_small_transfers_need_no_step_up(api, account, other_account):
    assert transfer(api, account, other_account, "49999.99").status_code in {201, 422}
    assert transfer(api, account, other_account, "100.00").status_code == 201


def test_large_transfer_without_any_second_factor_is_refused(api, rich_account, other_account):
    response = transfer(api, rich_account, other_account, "50000.00")
    assert response.status_code == 403
    assert response.json()["code"] == "step_up_setup_required"
    assert not Journal.objects.filter(kind="transfer").exists()


def test_large_transfer_with_pin(api, customer, rich_account, other_account):
    pin_set(user=customer.user, pin="4826")
    asked = transfer(api, rich_account, other_account, "60000.00")
    assert asked.status_code == 403
    body = asked.json()
    assert (body["code"], body["methods"], body["action"]) == ("step_up_required", ["pin"], "transfer")
    assert body["headers"]["pin"] == "X-Transaction-PIN"
    wrong = transfer(api, rich_account, other_account, "60000.00", HTTP_X_TRANSACTION_PIN="1111")
    assert wrong.status_code == 403
    assert wrong.json()["code"] == "pin_invalid"
    assert not Journal.objects.filter(kind="transfer").exists()
    ok = transfer(api, rich_account, other_account, "60000.00", HTTP_X_TRANSACTION_PIN="4826")
    assert ok.status_code == 201, ok.json()


def test_large_transfer_with_otp_and_no_reuse_of_the_code(customer, rich_account, other_account):
    device, _ = otp_enrol(customer.user)
    client, _ = signed_in_client("asha", device, offset=-1)
    asked = transfer(client, rich_account, other_account, "75000.00")
    assert asked.json()["code"] == "step_up_required"
    assert asked.json()["methods"] == ["otp"]
    pin_only = transfer(client, rich_account, other_account, "75000.00", HTTP_X_TRANSACTION_PIN="4826")
    assert pin_only.json()["code"] == "step_up_required"  # OTP users must use the OTP
    code = totp_code(device)
    assert transfer(client, rich_account, other_account, "75000.00", HTTP_X_OTP=code).status_code == 201
    replay = transfer(client, rich_account, other_account, "75000.00", HTTP_X_OTP=code)
    assert replay.status_code == 403
    assert replay.json()["code"] == "step_up_invalid"
    assert Journal.objects.filter(kind="transfer").count() == 1


def test_idempotent_replay_needs_no_new_code(customer, rich_account, other_account):
    device, _ = otp_enrol(customer.user)
    client, _ = signed_in_client("asha", device, offset=-1)
    key = {"HTTP_IDEMPOTENCY_KEY": "big-1"}
    first = transfer(client, rich_account, other_account, "75000.00", HTTP_X_OTP=totp_code(device), **key)
    assert first.status_code == 201
    again = transfer(client, rich_account, other_account, "75000.00", **key)
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Journal.objects.filter(kind="transfer").count() == 1


def test_bad_amount_is_400_without_using_a_code(customer, rich_account, other_account):
    device, _ = otp_enrol(customer.user)
    client, _ = signed_in_client("asha", device, offset=-1)
    code = totp_code(device)
    assert transfer(client, rich_account, other_account, "1e9", HTTP_X_OTP=code).status_code == 400
    assert transfer(client, rich_account, other_account, "60000", HTTP_X_OTP=code).status_code == 201


@pytest.mark.django_db(transaction=True)
def test_one_code_two_concurrent_large_transfers_moves_money_once(branch, savings_type):
    from accounts.tests.factories import account_create
    from customers.tests.factories import CustomerFactory

    owner = CustomerFactory(user__username="kiran")
    payee = CustomerFactory(user__username="lata")
    source = account_create(owner=owner, account_type=savings_type, branch=branch, balance=Decimal("500000.00"))
    destination = account_create(owner=payee, account_type=savings_type, branch=branch)
    device, _ = otp_enrol(owner.user)
    client, _ = signed_in_client("kiran", device, offset=-1)
    code = totp_code(device)

    results = in_threads(2, lambda: transfer(client, source, destination, "60000.00", HTTP_X_OTP=code))
    statuses = sorted(r.status_code for r in results)
    assert statuses == [201, 403], [r.json() for r in results]
    assert Journal.objects.filter(kind="transfer").count() == 1
    destination.refresh_from_db()
    assert destination.balance == Decimal("60000.00")


def test_contact_change_needs_password_and_step_up(customer, api):
    pin_set(user=customer.user, pin="4826")
    asked = api.post("/api/v1/auth/contact/", {"email": "asha@new.example", "password": TEST_PASSWORD})
    assert asked.json()["code"] == "step_up_required"
    ok = api.post(
        "/api/v1/auth/contact/",
        {"email": "asha@new.example", "phone": "+91 99999 00000", "password": TEST_PASSWORD},
        HTTP_X_TRANSACTION_PIN="4826",
    )
    assert ok.status_code == 200, ok.json()
    assert ok.json()["email"] == "asha@new.example"
    assert ok.json()["customer"]["phone"] == "+91 99999 00000"


def test_contact_change_refuses_a_taken_email(customer, other_customer, api):
    response = api.post("/api/v1/auth/contact/", {"email": other_customer.user.email, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert response.json()["code"] == "email_taken"


def test_password_change_with_a_pin_needs_the_pin(customer, api):
    pin_set(user=customer.user, pin="4826")
    body = {"old_password": TEST_PASSWORD, "new_password": "a-Brand-new-passw0rd"}
    assert api.post("/api/v1/auth/password/change/", body).json()["code"] == "step_up_required"
    assert api.post("/api/v1/auth/password/change/", body, HTTP_X_TRANSACTION_PIN="4826").status_code == 204
    assert TransactionPin.objects.get().failed_attempts == 0
