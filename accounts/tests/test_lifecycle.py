"""Account lifecycle: freeze and unfreeze (customer vs bank), dormancy and reactivation,
closing (only empty, archived), edits recorded field by field; refusals and races."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Account, AccountChange, ClosedAccount
from accounts.services import (
    account_close,
    account_freeze,
    account_reactivate,
    account_unfreeze,
    account_update,
    accounts_mark_dormant,
)
from accounts.tests.factories import account_create
from audit.models import AuditEvent
from bankingsystem.errors import ApplicationError
from conftest import client_for
from customers.tests.factories import CustomerFactory
from customers.tests.helpers import in_threads
from notifications.models import Notification
from transactions.services import transfer_create, withdrawal_create

D = Decimal


def refused(code: str, work) -> ApplicationError:  # type: ignore[no-untyped-def]
    with pytest.raises(ApplicationError) as caught:
        work()
    assert caught.value.code == code, caught.value.detail
    return caught.value


def test_customer_freezes_and_unfreezes_their_own(account, other_account, customer):
    account_freeze(account=account, actor=customer.user, reason="lost my card")
    account.refresh_from_db()
    assert (account.status, account.freeze_source) == ("frozen", "customer")
    refused("account_not_active", lambda: transfer_create(source=account, destination=other_account, amount=D("1")))
    transfer_create(source=other_account, destination=account, amount=D("1"))  # still receives
    account_unfreeze(account=account, actor=customer.user)
    account.refresh_from_db()
    assert account.status == "active"
    history = list(
        AccountChange.objects.filter(account=account).order_by("pk").values_list("action", "field", "new_value")
    )
    assert history == [
        ("freeze", "status", "frozen"),
        ("freeze", "freeze_source", "customer"),
        ("unfreeze", "status", "active"),
        ("unfreeze", "freeze_source", ""),
    ]
    assert Notification.objects.filter(user=customer.user, kind="account_status").count() == 2


def test_a_customer_cannot_lift_a_bank_freeze(account, customer, teller):
    account_freeze(account=account, actor=teller, reason="court order")
    before = AuditEvent.objects.count()
    refused("account_frozen_by_bank", lambda: account_unfreeze(account=account, actor=customer.user))
    account.refresh_from_db()
    assert (account.status, account.freeze_source) == ("frozen", "staff")
    assert AuditEvent.objects.count() == before  # a refusal changes nothing, so records nothing
    assert AuditEvent.objects.filter(action="account.freeze", actor_id=teller.pk).exists()
    account_unfreeze(account=account, actor=teller, reason="order lifted")
    account.refresh_from_db()
    assert account.status == "active"


def test_a_bank_freeze_overrides_a_customer_freeze(account, customer, teller):
    account_freeze(account=account, actor=customer.user)
    refused("account_already_frozen", lambda: account_freeze(account=account, actor=customer.user))
    account_freeze(account=account, actor=teller, reason="fraud review")
    account.refresh_from_db()
    assert account.freeze_source == "staff"
    refused("account_frozen_by_bank", lambda: account_unfreeze(account=account, actor=customer.user))


def test_close_refuses_money_left_and_holds(account, customer):
    refused("balance_not_zero", lambda: account_close(account=account, actor=customer.user, reason="moving"))
    withdrawal_create(account=account, amount=D("1000.00"))
    Account.objects.filter(pk=account.pk).update(held_amount=D("0.00"))
    with connection.cursor() as cursor:  # a hold, as the interbank or fraud holds will place
        cursor.execute("UPDATE accounts_account SET held_amount = 10 WHERE id = %s", [account.pk])
    refused("holds_pending", lambda: account_close(account=account, actor=customer.user, reason="moving"))
    assert not ClosedAccount.objects.exists()


def test_close_archives_and_shuts_the_account(account, other_account, customer):
    from cards.services import card_issue
    from payments.services import standing_order_create

    card = card_issue(account=account, actor=customer.user)
    order = standing_order_create(
        owner=customer, source=account, destination=other_account, amount=D("5"), frequency="weekly",
        start_date=timezone.localdate(), actor=customer.user,
    )  # fmt: skip
    withdrawal_create(account=account, amount=D("1000.00"))
    closure = account_close(account=account, actor=customer.user, reason="moving abroad")
    assert (closure.number, closure.final_balance, closure.reason, closure.closed_by) == (
        account.number, D("0.00"), "moving abroad", customer.user,
    )  # fmt: skip
    account.refresh_from_db()
    assert account.status == "closed" and account.closed_at == closure.closed_at
    card.refresh_from_db()
    order.refresh_from_db()
    assert (card.status, order.status) == ("cancelled", "cancelled")
    refused("account_not_active", lambda: transfer_create(source=other_account, destination=account, amount=D("1")))
    refused("account_closed", lambda: account_close(account=account, actor=customer.user, reason="again"))
    refused("account_closed", lambda: account_freeze(account=account, actor=customer.user))


def test_edits_are_recorded_field_by_field(account, customer, teller):
    account_update(account=account, actor=customer.user, nickname="Household")
    refused("permission_denied", lambda: account_update(account=account, actor=customer.user, overdraft_limit=D("500")))
    account_update(account=account, actor=teller, overdraft_limit=D("500"), reason="salary account")
    rows = list(
        AccountChange.objects.filter(account=account)
        .order_by("pk")
        .values_list("field", "old_value", "new_value", "changed_by")
    )
    assert rows == [("nickname", "", "Household", customer.user.pk), ("overdraft_limit", "0.00", "500.00", teller.pk)]


def test_dormancy_and_reactivation(db, branch, savings_type, teller, settings):
    settings.ACCOUNT_DORMANCY_DAYS = 30
    quiet = account_create(owner=CustomerFactory(), account_type=savings_type, branch=branch, balance=D("50"))
    busy = account_create(owner=CustomerFactory(), account_type=savings_type, branch=branch, balance=D("50"))
    later = timezone.now() + timedelta(days=31)
    # Interest-like credits do not count as customer activity; the owner's own debit does.
    Account.objects.filter(pk=quiet.pk).update(last_customer_activity_at=timezone.now() - timedelta(days=1))
    Account.objects.filter(pk=busy.pk).update(last_customer_activity_at=later - timedelta(days=2))
    assert accounts_mark_dormant(now=later) == [quiet.number]
    assert accounts_mark_dormant(now=later) == []  # idempotent
    quiet.refresh_from_db()
    assert quiet.status == "dormant"
    refused("account_not_active", lambda: withdrawal_create(account=quiet, amount=D("1")))
    refused("permission_denied", lambda: account_reactivate(account=quiet, actor=quiet.owner.user))
    account_reactivate(account=quiet, actor=teller, reason="customer visited with ID")
    quiet.refresh_from_db()
    assert quiet.status == "active"
    assert accounts_mark_dormant(now=timezone.now() + timedelta(days=29)) == []  # the clock restarted
    assert AuditEvent.objects.filter(action="account.dormant", after__accounts=[quiet.number]).exists()


def test_the_owner_s_transfers_count_as_activity(account, other_account):
    transfer_create(source=account, destination=other_account, amount=D("1"))
    account.refresh_from_db()
    other_account.refresh_from_db()
    assert account.last_customer_activity_at is not None
    # money received is not the receiver's activity (beyond the opening deposit)
    assert other_account.last_customer_activity_at < account.last_customer_activity_at


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_closes_one_wins(branch, savings_type):
    account = account_create(owner=CustomerFactory(), account_type=savings_type, branch=branch)
    user = account.owner.user
    results = in_threads(4, lambda: account_close(account=account, actor=user, reason="race"))
    closed = [r for r in results if isinstance(r, ClosedAccount)]
    assert len(closed) == 1
    assert all(isinstance(r, ApplicationError) and r.code == "account_closed" for r in results if r not in closed)
    assert ClosedAccount.objects.count() == 1
    assert AccountChange.objects.filter(account=account, field="status").count() == 1


@pytest.mark.django_db(transaction=True)
def test_close_racing_a_deposit_never_closes_with_money(branch, savings_type):
    for _ in range(3):
        account = account_create(owner=CustomerFactory(), account_type=savings_type, branch=branch)
        results = in_threads(2, _close_or_deposit(account))
        account.refresh_from_db()
        closed = ClosedAccount.objects.filter(account=account).exists()
        assert closed != (account.balance == D("10.00")), results
        assert not (closed and account.balance != 0)


def _close_or_deposit(account):  # type: ignore[no-untyped-def]
    """The first thread to call closes the account, the second deposits into it."""
    from transactions.services import deposit_create

    calls = iter(range(2))
    user = account.owner.user

    def work():  # type: ignore[no-untyped-def]
        if next(calls) == 0:
            return account_close(account=account, actor=user, reason="race")
        return deposit_create(account=account, amount=D("10.00"))

    return work


def test_api_lifecycle_and_other_customers_get_404(api, account, other_account, customer, teller):
    response = api.post(f"/api/v1/accounts/{account.number}/freeze/", {"reason": "lost card"})
    assert (response.status_code, response.json()["status"], response.json()["freeze_source"]) == (
        200,
        "frozen",
        "customer",
    )
    assert api.post(f"/api/v1/accounts/{other_account.number}/freeze/", {}).status_code == 404
    assert api.post(f"/api/v1/accounts/{account.number}/unfreeze/", {}).status_code == 200
    response = api.post(f"/api/v1/accounts/{account.number}/close/", {"reason": "x"})
    assert (response.status_code, response.json()["code"]) == (422, "balance_not_zero")
    assert api.post(f"/api/v1/accounts/{account.number}/close/", {}).status_code == 400
    assert api.patch(f"/api/v1/accounts/{account.number}/", {"nickname": "Rainy day"}).json()["nickname"] == "Rainy day"
    assert api.patch(f"/api/v1/accounts/{account.number}/", {"overdraft_limit": "100.00"}).status_code == 403
    history = api.get(f"/api/v1/accounts/{account.number}/history/").json()["results"]
    assert [h["field"] for h in history][:1] == ["nickname"]
    assert api.get(f"/api/v1/accounts/{other_account.number}/history/").status_code == 404
    assert api.post(f"/api/v1/accounts/{account.number}/reactivate/", {}).status_code == 403
    assert client_for(teller).get("/api/v1/closed-accounts/").status_code == 200
    assert api.get("/api/v1/closed-accounts/").status_code == 403
