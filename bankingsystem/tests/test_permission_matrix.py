"""Who may do what, for every API endpoint, discovered from the URL configuration: a new
endpoint is covered by these rules without editing this file. Path parameters are filled
with another customer's objects where the `world` fixture has a sample for the route's
first segment; elsewhere with an id that does not exist (then any signed-in caller must
get 403 or 404: add a sample to check more).

Rules, per role (anonymous, customer, teller, auditor, loan officer, administrator):
- never a 500, and every refusal is problem JSON;
- anonymous callers get 401 everywhere but the public sign-in endpoints;
- a customer asking for another customer's object (any path parameter) gets 404;
- staff-only reads (STAFF_GET below) are 403 for customers and for the roles not listed;
- auditors change nothing: no unsafe request outside their own sign-in settings (/auth/)
  succeeds; money-moving ones are 403 for auditors and loan officers;
- no refused request writes a journal.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from conftest import client_for
from customers import roles
from customers.tests.factories import staff_user_create
from transactions.models import Journal
from transactions.services import deposit_create

PREFIX = "/api/v1/"
PUBLIC = {
    "auth/register/",
    "auth/token/",
    "auth/token/otp/",
    "auth/token/refresh/",
    "auth/password/reset/",
    "auth/password/reset/confirm/",
}
# One's own sign-in settings and notification centre: every signed-in role may use them.
SELF_SERVICE = ("auth/", "notifications/")
# Reads only some roles may make (everything else: every signed-in role, own objects for customers).
STAFF = {roles.TELLER, roles.AUDITOR, roles.LOAN_OFFICER, roles.ADMIN}
STAFF_GET = {
    "ledger/integrity/": {roles.AUDITOR, roles.ADMIN},
    "audit/events/": {roles.AUDITOR, roles.ADMIN},
    "audit/verify/": {roles.AUDITOR, roles.ADMIN},
    "closed-accounts/": STAFF,
    "risk/alerts/": STAFF,
}
# Money moves only tellers and administrators make for customers (and customers on their own accounts).
MONEY = {
    "deposits/",
    "withdrawals/",
    "transfers/",
    "transactions/<int:pk>/reverse/",
    "beneficiaries/<int:beneficiary_id>/transfers/",
}
UNSAFE = ("post", "put", "patch", "delete")


def _walk(patterns, prefix: str = ""):  # type: ignore[no-untyped-def]
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def api_endpoints() -> list[tuple[str, str]]:
    found = []
    for route, callback in _walk(get_resolver().url_patterns):
        view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        if not route.startswith(PREFIX[1:]) or view is None:
            continue
        methods = [m for m in ("get", *UNSAFE) if hasattr(view, m)]
        found += [(route.removeprefix(PREFIX[1:]), method) for method in methods]
    return sorted(found)


ENDPOINTS = api_endpoints()
ROLES = ["anonymous", "customer", roles.TELLER, roles.AUDITOR, roles.LOAN_OFFICER, roles.ADMIN]


@pytest.fixture
def world(account, other_account, other_customer):
    """The caller-to-be is customer `asha`; the objects in paths belong to `vikram`."""
    journal = deposit_create(account=other_account, amount=Decimal("10.00"))
    extra = lifecycle_samples(other_account, account)
    samples = {
        "accounts": {"number": other_account.number, "month": extra["month"]},
        "transactions": {"pk": str(journal.pk)},
        "cards": {"card_id": extra["card_id"]},
        "beneficiaries": {"beneficiary_id": extra["beneficiary_id"]},
        "standing-orders": {"order_id": extra["order_id"]},
        "tickets": {"ticket_id": extra["ticket_id"]},
        "announcements": {"announcement_id": extra["announcement_id"]},
        "notifications": {"notification_id": extra["notification_id"]},
    }
    bodies = {
        "deposits/": {"account": other_account.number, "amount": "1.00"},
        "withdrawals/": {"account": other_account.number, "amount": "1.00"},
        "transfers/": {
            "source_account": other_account.number,
            "destination_account": account.number,
            "amount": "1.00",
        },
        "transactions/<int:pk>/reverse/": {"reason": "matrix"},
    }
    return samples, bodies


def lifecycle_samples(account, payee_account) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Objects of issue 7 belonging to `vikram`, for its path parameters."""
    from django.utils import timezone

    from cards.services import card_issue
    from notifications.services import notification_send
    from payments.services import beneficiary_add, standing_order_create
    from support.services import announcement_publish, ticket_open

    owner = account.owner
    card = card_issue(account=account, actor=owner.user)
    payee = beneficiary_add(
        owner=owner,
        name="Asha",
        account_number=payee_account.number,
        routing_code=payee_account.routing_code,
        actor=owner.user,
    )
    order = standing_order_create(
        owner=owner, source=account, beneficiary=payee, amount=Decimal("1.00"), frequency="weekly",
        start_date=timezone.localdate(), actor=owner.user,
    )  # fmt: skip
    ticket = ticket_open(customer=owner, category="other", subject="Matrix", message="Hello")
    note = notification_send(user=owner.user, kind="card", title="Matrix")
    news = announcement_publish(
        title="Matrix", body="b", severity="info", audience="everyone", starts_at=timezone.now(), ends_at=None,
        actor=owner.user,
    )  # fmt: skip
    return {
        "card_id": str(card.pk),
        "beneficiary_id": str(payee.pk),
        "order_id": str(order.pk),
        "ticket_id": str(ticket.pk),
        "notification_id": str(note.pk),
        "announcement_id": str(news.pk),
        "month": f"{timezone.localdate():%Y-%m}",
    }


def caller(role: str, customer) -> APIClient:  # type: ignore[no-untyped-def]
    if role == "anonymous":
        return APIClient()
    if role == "customer":
        return client_for(customer.user)
    return client_for(staff_user_create(username=f"matrix-{role}", role=role))


MISSING = "999999999"  # no object has this id or number


def fill(route: str, samples: dict[str, dict[str, str]]) -> tuple[str, bool]:
    """The path, and whether its parameters name real objects (of the other customer)."""
    import re

    known = samples.get(route.split("/", 1)[0], {})
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    real = all(name in known for name in names)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: known.get(m.group(1), MISSING) if real else MISSING, route)
    return PREFIX + path, real


def test_every_endpoint_is_discovered():
    routes = {route for route, _ in ENDPOINTS}
    assert {"accounts/", "transfers/", "auth/token/", "ledger/integrity/", "auth/logins/"} <= routes


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role, customer, world):
    samples, bodies = world
    client = caller(role, customer)
    journals = Journal.objects.count()
    failures = []
    for route, method in ENDPOINTS:
        if route in PUBLIC and role != "anonymous":
            continue  # public endpoints behave the same for everyone (tested by their own tests)
        path, real = fill(route, samples)
        response = getattr(client, method)(path, bodies.get(route, {}))
        status = response.status_code
        where = f"{role} {method.upper()} {path} -> {status}"
        if status >= 500:
            failures.append(f"{where}: server error")
            continue
        if status >= 400 and response["Content-Type"] != "application/problem+json":
            failures.append(f"{where}: not problem JSON")
        expected = expectation(role, route, method, has_params="<" in route, real=real)
        if expected is not None and not expected(status):
            failures.append(f"{where}: {expected.__doc__}")
    assert not failures, "\n".join(failures)
    assert Journal.objects.count() == journals or role in {"customer", roles.TELLER, roles.ADMIN}


def expectation(role: str, route: str, method: str, has_params: bool, real: bool):  # type: ignore[no-untyped-def]
    def is_(code: int):  # type: ignore[no-untyped-def]
        def check(status: int) -> bool:
            return status == code

        check.__doc__ = f"expected {code}"
        return check

    def not_there(status: int) -> bool:
        """expected 403 or 404 for an object that does not exist"""
        return status in {403, 404}

    def hidden(status: int) -> bool:
        """expected 404 (another's object), or 403 (a staff-only action)"""
        return status in (403, 404)

    def refused(status: int) -> bool:
        """expected a refusal (4xx)"""
        return 400 <= status < 500

    if route in PUBLIC:
        return None  # anonymous may call them; the answer depends on the body
    if role == "anonymous":
        return is_(401)
    if route.startswith(SELF_SERVICE):
        return None  # one's own settings: any signed-in role
    if has_params and not real:
        return not_there if method == "get" else refused  # a view may check the body first
    if method == "get":
        if route in STAFF_GET:
            return is_(200) if role in STAFF_GET[route] else is_(403)
        if role == "customer" and has_params:
            return is_(404)
        return is_(200)
    # Unsafe methods.
    if role in {roles.AUDITOR, roles.LOAN_OFFICER} and route in MONEY:
        return is_(403)
    if role == roles.AUDITOR:
        return refused
    if role == "customer" and route in MONEY:
        return is_(403) if route.endswith("reverse/") else is_(404)
    if role == "customer" and has_params and route != "announcements/<int:announcement_id>/read/":
        return hidden  # another customer's object, whatever the method (announcements are for everyone)
    return None
