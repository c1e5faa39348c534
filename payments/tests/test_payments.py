"""Beneficiaries (step-up to add, cooling-off cap) and standing orders (a simulated month,
failures notified and retried, never posted twice)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.numbers import account_number_build
from accounts.tests.factories import account_create
from bankingsystem.errors import ApplicationError
from customers.services import pin_set
from customers.tests.factories import CustomerFactory
from customers.tests.helpers import in_threads
from notifications.models import Notification
from payments.models import Beneficiary, StandingOrder, StandingOrderRun
from payments.services import (
    beneficiary_add,
    beneficiary_transfer_create,
    standing_order_create,
    standing_order_execute,
    standing_orders_run_due,
)
from transactions.models import Journal

D = Decimal


def add_payee(customer, account) -> Beneficiary:  # type: ignore[no-untyped-def]
    return beneficiary_add(
        owner=customer,
        name="Vikram",
        account_number=account.number,
        routing_code=account.routing_code,
        actor=customer.user,
    )


@pytest.fixture
def rich(account):
    from transactions.services import deposit_create

    deposit_create(account=account, amount=D("99000.00"))
    account.refresh_from_db()
    return account


def test_adding_a_beneficiary_needs_step_up(api, customer, other_account):
    body = {"name": "Vikram", "account_number": other_account.number, "routing_code": other_account.routing_code}
    assert api.post("/api/v1/beneficiaries/", body).json()["code"] == "step_up_setup_required"
    pin_set(user=customer.user, pin="4826")
    asked = api.post("/api/v1/beneficiaries/", body)
    assert (asked.status_code, asked.json()["code"], asked.json()["action"]) == (
        403,
        "step_up_required",
        "beneficiary_add",
    )
    assert not Beneficiary.objects.exists()
    added = api.post("/api/v1/beneficiaries/", body, HTTP_X_TRANSACTION_PIN="4826")
    assert added.status_code == 201
    assert added.json()["is_own_bank"] is True
    assert Notification.objects.filter(user=customer.user, kind="beneficiary_added").exists()
    again = api.post("/api/v1/beneficiaries/", body, HTTP_X_TRANSACTION_PIN="4826")
    assert again.json()["code"] == "beneficiary_exists"


@pytest.mark.parametrize(
    ("number", "routing", "code"),
    [
        (account_number_build(bank_code="101", branch_code="0001", serial=1), "1010002", "routing_code_mismatch"),
        ("1234", "2020001", "invalid_account_number"),
        ("123456789012", "12", "invalid_routing_code"),
    ],
)
def test_bad_payees_are_refused(customer, number, routing, code):
    with pytest.raises(ApplicationError) as caught:
        beneficiary_add(owner=customer, name="X", account_number=number, routing_code=routing, actor=customer.user)
    assert caught.value.code == code


def test_another_bank_s_payee_is_saved_but_not_yet_payable(customer, rich):
    payee = beneficiary_add(
        owner=customer, name="Ext", account_number="123456789012", routing_code="2020001", actor=customer.user
    )
    assert payee.is_own_bank is False
    with pytest.raises(ApplicationError, match="not available"):
        beneficiary_transfer_create(beneficiary=payee, source=rich, amount=D("1"), initiated_by=customer.user)


def test_cooling_off_caps_the_total_then_lifts(customer, rich, other_account, settings):
    settings.BENEFICIARY_COOLING_OFF_LIMIT = D("25000.00")
    payee = add_payee(customer, other_account)
    beneficiary_transfer_create(beneficiary=payee, source=rich, amount=D("20000.00"), initiated_by=customer.user)
    with pytest.raises(ApplicationError) as caught:
        beneficiary_transfer_create(beneficiary=payee, source=rich, amount=D("5000.01"), initiated_by=customer.user)
    assert (caught.value.code, caught.value.extra["remaining"]) == ("beneficiary_cooling_off", "5000.00")
    beneficiary_transfer_create(beneficiary=payee, source=rich, amount=D("5000.00"), initiated_by=customer.user)
    later = payee.cooling_off_until + timedelta(seconds=1)
    beneficiary_transfer_create(
        beneficiary=payee, source=rich, amount=D("30000.00"), initiated_by=customer.user, now=later
    )


def test_a_plain_transfer_to_a_cooling_payee_is_capped_too(api, customer, rich, other_account, settings):
    settings.BENEFICIARY_COOLING_OFF_LIMIT = D("100.00")
    add_payee(customer, other_account)
    body = {"source_account": rich.number, "destination_account": other_account.number, "amount": "100.01"}
    assert api.post("/api/v1/transfers/", body).json()["code"] == "beneficiary_cooling_off"
    assert api.post("/api/v1/transfers/", {**body, "amount": "100.00"}).status_code == 201


def test_the_cooling_off_payee_reads_agree(customer, other_customer, account, other_account, second_account):
    """The transfer view reads the cooling-off payee inside its accounts' statement (SQL);
    it must name the same beneficiary as beneficiary_in_cooling_off (ORM) in every case:
    none, cooling, another owner's, cooled off, removed."""
    from django.db import connection

    from payments.services import beneficiary_in_cooling_off, beneficiary_in_cooling_off_sql

    def both(user, destination):  # type: ignore[no-untyped-def]
        sql, params = beneficiary_in_cooling_off_sql(owner_user=user, account="%(account)s")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT ({sql})", {**params, "account": destination.pk})
            (raw,) = cursor.fetchone()
        orm = beneficiary_in_cooling_off(owner_user=user, destination=destination)
        return raw, orm.pk if orm else None

    assert both(customer.user, other_account) == (None, None)
    payee = add_payee(customer, other_account)
    assert both(customer.user, other_account) == (payee.pk, payee.pk)
    assert both(other_customer.user, other_account) == (None, None)  # not theirs
    assert both(customer.user, second_account) == (None, None)  # another account
    Beneficiary.objects.filter(pk=payee.pk).update(cooling_off_until=timezone.now() - timedelta(seconds=1))
    assert both(customer.user, other_account) == (None, None)  # cooled off
    Beneficiary.objects.filter(pk=payee.pk).update(
        cooling_off_until=timezone.now() + timedelta(hours=1), status=Beneficiary.Status.REMOVED
    )
    assert both(customer.user, other_account) == (None, None)  # removed


@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_cannot_beat_the_cap(branch, savings_type, settings):
    settings.BENEFICIARY_COOLING_OFF_LIMIT = D("1000.00")
    customer = CustomerFactory()
    source = account_create(owner=customer, account_type=savings_type, branch=branch, balance=D("50000"))
    payee = add_payee(customer, account_create(owner=CustomerFactory(), account_type=savings_type, branch=branch))
    results = in_threads(
        6,
        lambda: beneficiary_transfer_create(
            beneficiary=payee, source=source, amount=D("300.00"), initiated_by=customer.user
        ),
    )
    posted = [r for r in results if isinstance(r, Journal)]
    assert len(posted) == 3
    assert all(r.code == "beneficiary_cooling_off" for r in results if isinstance(r, ApplicationError))


def weekly_order(customer, source, destination, start: date) -> StandingOrder:  # type: ignore[no-untyped-def]
    return StandingOrder.objects.create(
        owner=customer, source=source, destination=destination, amount=D("100.00"), frequency="weekly",
        start_date=start, next_due_date=start, next_attempt_on=start, description="Rent share",
    )  # fmt: skip


def test_a_simulated_month_of_weekly_payments(customer, account, other_account):
    start = date(2026, 3, 2)
    order = weekly_order(customer, account, other_account, start)
    for offset in range(31):
        standing_orders_run_due(today=start + timedelta(days=offset))
    runs = list(order.runs.order_by("due_date").values_list("due_date", "status"))
    assert runs == [(start + timedelta(days=7 * i), "posted") for i in range(5)]
    account.refresh_from_db()
    assert account.balance == D("500.00")
    assert Journal.objects.filter(description="Rent share").count() == 5
    # running every day again posts nothing more
    for offset in range(31):
        standing_orders_run_due(today=start + timedelta(days=offset))
    assert Journal.objects.filter(description="Rent share").count() == 5


def test_monthly_order_on_the_31st_falls_on_the_last_day(customer, account, other_account):
    order = standing_order_create(
        owner=customer, source=account, destination=other_account, amount=D("10.00"), frequency="monthly",
        day_of_month=31, start_date=timezone.localdate(), actor=customer.user,
    )  # fmt: skip
    due = order.next_due_date
    for _ in range(3):
        standing_orders_run_due(today=due)
        order.refresh_from_db()
        assert order.next_due_date.month == (due.month % 12) + 1
        assert order.next_due_date.day == min(31, order.next_due_date.day)
        due = order.next_due_date


def test_failure_is_notified_retried_and_given_up(customer, account, other_account, settings):
    settings.STANDING_ORDER_MAX_ATTEMPTS = 3
    start = date(2026, 3, 2)
    order = weekly_order(customer, account, other_account, start)
    order.amount = D("5000.00")  # more than the 1,000.00 the account holds
    order.save()
    for offset in range(3):
        standing_orders_run_due(today=start + timedelta(days=offset))
    run = StandingOrderRun.objects.get(standing_order=order, due_date=start)
    assert (run.status, run.attempts, run.failure_code, run.journal) == ("failed", 3, "insufficient_funds", None)
    order.refresh_from_db()
    assert order.next_due_date == start + timedelta(days=7)
    failures = Notification.objects.filter(user=customer.user, kind="standing_order_failed")
    assert failures.count() == 3 and "not be tried again" in failures.first().body
    account.refresh_from_db()
    assert account.balance == D("1000.00")  # nothing half-posted


def test_a_retry_that_succeeds_posts_once(customer, account, other_account):
    from transactions.services import deposit_create

    start = date(2026, 3, 2)
    order = weekly_order(customer, account, other_account, start)
    order.amount = D("1500.00")
    order.save()
    assert standing_order_execute(order_id=order.pk, today=start).status == "retrying"
    assert standing_order_execute(order_id=order.pk, today=start) is None  # not before tomorrow
    deposit_create(account=account, amount=D("600.00"))
    run = standing_order_execute(order_id=order.pk, today=start + timedelta(days=1))
    assert (run.status, run.attempts) == ("posted", 2)
    assert StandingOrderRun.objects.filter(standing_order=order).count() == 1


@pytest.mark.django_db(transaction=True)
def test_running_twice_concurrently_posts_once(branch, savings_type):
    customer = CustomerFactory()
    source = account_create(owner=customer, account_type=savings_type, branch=branch, balance=D("1000"))
    destination = account_create(owner=CustomerFactory(), account_type=savings_type, branch=branch)
    today = timezone.localdate()
    orders = [weekly_order(customer, source, destination, today) for _ in range(5)]
    in_threads(4, lambda: standing_orders_run_due(today=today))
    assert StandingOrderRun.objects.filter(status="posted").count() == 5
    assert Journal.objects.filter(description="Rent share").count() == 5
    source.refresh_from_db()
    assert source.balance == D("500.00")
    assert {o.pk for o in orders} == set(StandingOrderRun.objects.values_list("standing_order", flat=True))


def test_standing_order_api(api, account, other_account):
    body = {
        "source_account": account.number,
        "destination_account": other_account.number,
        "amount": "250.00",
        "frequency": "monthly",
        "day_of_month": 5,
        "start_date": str(timezone.localdate()),
    }
    created = api.post("/api/v1/standing-orders/", body)
    assert created.status_code == 201, created.json()
    order_id = created.json()["id"]
    assert api.get(f"/api/v1/standing-orders/{order_id}/").json()["amount"] == "250.00"
    assert (
        api.post("/api/v1/standing-orders/", {**body, "frequency": "monthly", "day_of_month": None}).status_code == 400
    )
    assert api.post(f"/api/v1/standing-orders/{order_id}/cancel/").json()["status"] == "cancelled"
    assert api.post(f"/api/v1/standing-orders/{order_id}/cancel/").json()["code"] == "standing_order_not_active"
