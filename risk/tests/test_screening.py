"""Fraud screening acts: SAFE posts, SUSPICIOUS posts and alerts, CRITICAL holds (nothing
posted) until staff release (posted) or reject (voided). The ledger stays balanced and the
available balance right throughout; two reviewers at once post once."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Account
from accounts.tests.factories import account_create
from conftest import client_for
from customers.tests.factories import CustomerFactory
from customers.tests.helpers import in_threads
from notifications.models import Notification
from risk.features import TransferEvent, vectors_from_events
from risk.models import FraudAlert, RiskModel, TransferScore
from risk.scoring import RULES_CAP, model_fit, model_save, score_vector
from risk.services import alert_release
from transactions.models import Hold, Journal
from transactions.selectors import ledger_integrity_report
from transactions.services import withdrawal_create

D = Decimal


def send(api, source, destination, amount="100.00"):  # type: ignore[no-untyped-def]
    return api.post(
        "/api/v1/transfers/",
        {"source_account": source.number, "destination_account": destination.number, "amount": amount},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )


def balances(*accounts: Account) -> list[tuple[Decimal, Decimal]]:
    return [tuple(Account.objects.filter(pk=a.pk).values_list("balance", "held_amount").get()) for a in accounts]


@pytest.fixture
def critical(settings):
    settings.FRAUD_SUSPICIOUS_THRESHOLD = 0.0
    settings.FRAUD_CRITICAL_THRESHOLD = 0.0  # everything is critical


def test_an_untrained_bank_scores_by_rules_and_never_holds(api, account, other_account):
    response = send(api, account, other_account)
    assert response.status_code == 201
    score = TransferScore.objects.get()
    assert score.model_version is None and score.verdict == "safe" and score.journal is not None
    # The worst the rules can say stays below CRITICAL.
    assert score_vector([6.0, 3.0, 1.0, 2.0, 9.0, 20.0, 8.0, 1.0, 0.0]).value == RULES_CAP


def test_a_critical_transfer_is_held_and_posts_nothing(api, account, other_account, critical):
    journals = Journal.objects.count()
    response = send(api, account, other_account, "300.00")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "held" and body["amount"] == "300.00"
    assert Journal.objects.count() == journals
    assert balances(account, other_account) == [(D("1000.00"), D("300.00")), (D("500.00"), D("0.00"))]
    hold = Hold.objects.get(pk=body["hold"])
    assert hold.status == "pending" and FraudAlert.objects.get(pk=body["alert"]).hold == hold
    # Held money cannot be spent twice.
    with pytest.raises(Exception, match="available"):
        withdrawal_create(account=account, amount=D("800.00"))
    assert ledger_integrity_report().ok


def test_release_posts_the_transfer_and_reject_gives_the_money_back(
    api, account, other_account, customer, teller, critical
):
    first = send(api, account, other_account, "300.00").json()
    second = send(api, account, other_account, "200.00").json()
    staff = client_for(teller)

    released = staff.post(f"/api/v1/risk/alerts/{first['alert']}/release/", {"note": "customer confirmed by phone"})
    assert released.status_code == 200 and released.json()["status"] == "released"
    assert balances(account, other_account) == [(D("700.00"), D("200.00")), (D("800.00"), D("0.00"))]
    assert Hold.objects.get(pk=first["hold"]).journal.kind == "transfer"

    rejected = staff.post(f"/api/v1/risk/alerts/{second['alert']}/reject/", {})
    assert rejected.json()["status"] == "rejected"
    assert balances(account, other_account) == [(D("700.00"), D("0.00")), (D("800.00"), D("0.00"))]
    assert Notification.objects.filter(user=customer.user, kind="fraud_hold_rejected").count() == 1

    again = staff.post(f"/api/v1/risk/alerts/{second['alert']}/release/", {})
    assert (again.status_code, again.json()["code"]) == (409, "alert_already_reviewed")
    assert staff.post(f"/api/v1/risk/alerts/{first['alert']}/dismiss/", {}).status_code == 409
    assert ledger_integrity_report().ok


def test_suspicious_posts_and_raises_an_alert_to_dismiss(api, account, other_account, teller, settings):
    settings.FRAUD_SUSPICIOUS_THRESHOLD, settings.FRAUD_CRITICAL_THRESHOLD = 0.0, 1.01
    response = send(api, account, other_account)
    assert response.status_code == 201
    alert = FraudAlert.objects.get()
    assert alert.verdict == "suspicious" and alert.hold is None and alert.journal is not None
    staff = client_for(teller)
    bad = staff.post(f"/api/v1/risk/alerts/{alert.pk}/release/", {})
    assert (bad.status_code, bad.json()["code"]) == (400, "alert_action_invalid")
    assert staff.post(f"/api/v1/risk/alerts/{alert.pk}/dismiss/", {}).json()["status"] == "dismissed"


def test_who_may_see_and_review_alerts(api, account, other_account, auditor, teller, critical):
    alert = send(api, account, other_account).json()["alert"]
    assert api.get("/api/v1/risk/alerts/").status_code == 403
    assert api.post(f"/api/v1/risk/alerts/{alert}/release/", {}).status_code == 403
    listed = client_for(auditor).get("/api/v1/risk/alerts/?status=open").json()["results"]
    assert [a["id"] for a in listed] == [alert] and listed[0]["held"] is True
    assert client_for(auditor).post(f"/api/v1/risk/alerts/{alert}/release/", {}).status_code == 403
    assert client_for(teller).post(f"/api/v1/risk/alerts/{alert}/bogus/", {}).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_releasing_at_once_post_once(branch, savings_type, teller, settings):
    settings.FRAUD_SUSPICIOUS_THRESHOLD = settings.FRAUD_CRITICAL_THRESHOLD = 0.0
    source = account_create(owner=CustomerFactory(), account_type=savings_type, branch=branch, balance=D("1000.00"))
    target = account_create(owner=CustomerFactory(), account_type=savings_type, branch=branch)
    alert = send(client_for(source.owner.user), source, target, "400.00").json()["alert"]
    results = in_threads(4, lambda: alert_release(alert=FraudAlert.objects.get(pk=alert), actor=teller))
    assert sum(isinstance(r, FraudAlert) for r in results) == 1
    assert balances(source, target) == [(D("600.00"), D("0.00")), (D("400.00"), D("0.00"))]
    assert ledger_integrity_report().ok


def test_a_trained_model_scores_and_holds_the_outlier(api, account, other_account, customer, settings):
    """Train on a normal history: a routine payment is SAFE, a 3 AM transfer of 40 times
    the usual amount to a new payee is CRITICAL."""
    start = timezone.now() - timedelta(days=30)
    events = [
        TransferEvent(i % 40, start + timedelta(hours=10 + i % 9, days=i // 40), D("500.00") + i % 7, 1000 + i % 5)
        for i in range(1200)
    ]
    forest, calibration = model_fit(list(vectors_from_events(events)))
    version = model_save(forest, calibration, trained_on=len(events)).version
    routine = score_vector([2.7, 12.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    outlier = score_vector([4.3, 3.0, 1.0, 2.0, 0.0, 0.0, 5.3, 1.0, 0.0])
    assert routine.model_version == outlier.model_version == version
    assert routine.verdict == "safe" and outlier.verdict == "critical", (routine, outlier)


def test_the_scoring_model_is_read_for_every_transfer(api, account, other_account):
    """Only a version's forest is kept per process: a model switched off scores no later
    transfer, and a newly trained one scores the next (a stale model must neither hold nor
    pass money it should not)."""
    start = timezone.now() - timedelta(days=30)
    events = [TransferEvent(i % 20, start + timedelta(hours=i), D("500.00"), 1000 + i % 5) for i in range(400)]
    forest, calibration = model_fit(list(vectors_from_events(events)))
    first = model_save(forest, calibration, trained_on=len(events))

    def scored_by() -> int | None:
        assert send(api, account, other_account, "1.00").status_code in (201, 202)
        return TransferScore.objects.order_by("-pk").values_list("model_version", flat=True).first()

    assert scored_by() == first.version
    RiskModel.objects.filter(pk=first.pk).update(active=False)
    assert scored_by() is None  # rules
    second = model_save(forest, calibration, trained_on=len(events))
    assert scored_by() == second.version
    RiskModel.objects.filter(pk=second.pk).update(active=False)
    RiskModel.objects.filter(pk=first.pk).update(active=True)
    assert scored_by() == first.version


def test_evaluation_ranks_injected_frauds_above_normal_activity():
    from risk.evaluation import fraud_evaluate

    result = fraud_evaluate(customers=120, days=40, seed=3)
    assert result.frauds > 10
    assert result.roc_auc > 0.9, result
    assert result.at_thresholds["critical"]["precision"] > 0.8, result


def test_the_integrity_check_sees_a_held_amount_that_no_hold_explains(api, account, other_account, critical):
    """held_amount must equal the pending holds: set aside by anything else, the customer's
    spendable money would be wrong, and `ledger_check` says so."""
    send(api, account, other_account, "300.00")
    assert ledger_integrity_report().ok
    Account.objects.filter(pk=account.pk).update(held_amount=D("350.00"))
    report = ledger_integrity_report()
    assert not report.ok
    assert report.hold_mismatches == [{"account": account.number, "held_amount": "350.00", "pending_holds": "300.00"}]


@pytest.mark.django_db(transaction=True)
def test_two_critical_transfers_at_once_cannot_hold_the_same_money(branch, savings_type, settings):
    """1,000.00 available, two concurrent 700.00 transfers both scored CRITICAL: one is held,
    the other refused for funds; held money is never promised twice."""
    settings.FRAUD_SUSPICIOUS_THRESHOLD = settings.FRAUD_CRITICAL_THRESHOLD = 0.0
    source = account_create(owner=CustomerFactory(), account_type=savings_type, branch=branch, balance=D("1000.00"))
    targets = [account_create(owner=CustomerFactory(), account_type=savings_type, branch=branch) for _ in range(2)]
    from risk.services import transfer_screen

    picks = iter(targets)
    results = in_threads(2, lambda: transfer_screen(source=source, destination=next(picks), amount=D("700.00")))
    held = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(held) == 1 and held[0].held
    assert len(refused) == 1 and refused[0].code == "insufficient_funds"
    assert balances(source) == [(D("1000.00"), D("700.00"))]
    assert ledger_integrity_report().ok


@pytest.mark.django_db(transaction=True)
def test_release_and_reject_racing_resolve_the_hold_once(branch, savings_type, teller, settings):
    settings.FRAUD_SUSPICIOUS_THRESHOLD = settings.FRAUD_CRITICAL_THRESHOLD = 0.0
    source = account_create(owner=CustomerFactory(), account_type=savings_type, branch=branch, balance=D("1000.00"))
    target = account_create(owner=CustomerFactory(), account_type=savings_type, branch=branch)
    alert = send(client_for(source.owner.user), source, target, "400.00").json()["alert"]
    from risk.services import alert_reject

    actions = iter([alert_release, alert_reject, alert_release, alert_reject])
    results = in_threads(4, lambda: next(actions)(alert=FraudAlert.objects.get(pk=alert), actor=teller))
    won = [r for r in results if isinstance(r, FraudAlert)]
    assert len(won) == 1
    assert all(getattr(r, "code", None) == "alert_already_reviewed" for r in results if r not in won)
    expected = {
        "released": [(D("600.00"), D("0.00")), (D("400.00"), D("0.00"))],
        "rejected": [(D("1000.00"), D("0.00")), (D("0.00"), D("0.00"))],
    }[won[0].status]
    assert balances(source, target) == expected
    assert ledger_integrity_report().ok


@pytest.mark.parametrize("body", [{"note": "x" * 501}, {"note": None}, {"bogus": 1}, {"note": ["a"]}])
def test_bad_review_input_is_400_and_changes_nothing(api, account, other_account, teller, critical, body):
    alert = send(api, account, other_account, "300.00").json()["alert"]
    response = client_for(teller).post(f"/api/v1/risk/alerts/{alert}/release/", body, format="json")
    assert response.status_code == 400 and response["Content-Type"].startswith("application/problem+json")
    assert FraudAlert.objects.get(pk=alert).status == "open"
    assert balances(account, other_account) == [(D("1000.00"), D("300.00")), (D("500.00"), D("0.00"))]
