"""Fuzzing of the whole API with schemathesis, from the OpenAPI schema the code serves.

For every operation and every role (anonymous, customer, teller, loan officer, auditor,
administrator), schemathesis generates valid requests (positive mode) and requests that break
the schema (negative mode) and sends them through the WSGI application, against the real
test database. Every response must:

- never be a server error (5xx);
- match the schema where the schema documents it (status, body);
- be problem JSON (RFC 9457, our shape) whenever it is an error.

Examples per operation, mode and role come from FUZZ_EXAMPLES (4 in `make test`; raise it
for a longer hunt: `FUZZ_EXAMPLES=50 pytest bankingsystem/tests/test_fuzz_api.py`).
Generation is derandomized, so a failure reproduces.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from decimal import Decimal

import pytest
import schemathesis
from django.core import signals
from django.core.serializers.json import DjangoJSONEncoder
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from accounts.tests.factories import account_create
from customers import roles
from customers.services import ClientInfo, session_start
from customers.tests.factories import CustomerFactory, staff_user_create

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}
ROLES = ["anonymous", "customer", roles.TELLER, roles.LOAN_OFFICER, roles.AUDITOR, roles.ADMIN]


def problem_json(ctx, response, case):  # type: ignore[no-untyped-def]
    """Every 4xx from the API is problem JSON with our keys and the status it was sent with."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    assert content_type.startswith("application/problem+json"), (
        f"{case.method} {case.formatted_path} -> {response.status_code} with {content_type!r}: {response.text[:200]}"
    )
    body = response.json()
    assert set(body) >= PROBLEM_KEYS, body
    assert body["status"] == response.status_code, body
    return None


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, problem_json]


@pytest.fixture(scope="module")
def api_schema():
    """The schema the code generates now, bound to the WSGI application (no server)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(json.loads(json.dumps(document, cls=DjangoJSONEncoder)))
    schema.app = get_wsgi_application()
    return schema


@pytest.fixture
def in_test_transaction():
    """Requests run inside the test's transaction, as Django's test client runs them: the
    handler must not close the connection between requests."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def users_by_role(db, in_test_transaction):
    """A user of each role, with money and a counterparty to send it to."""
    customer = CustomerFactory(user__username="fuzz-customer")
    other = CustomerFactory(user__username="fuzz-other")
    for owner in (customer, other):
        account_create(owner=owner, balance=Decimal("5000.00"))
    users = {"customer": customer.user}
    for role in ROLES[2:]:
        users[role] = staff_user_create(username=f"fuzz-{role}", role=role)
    return {"anonymous": None, **users}


def signed_in(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A fresh session per operation: a fuzzed logout or password change ends only its own."""
    if user is None:
        return {}
    session = session_start(user=user, client=ClientInfo(ip_address="127.0.0.1", user_agent="schemathesis"))
    return {"Authorization": f"Bearer {session.access}"}


def operations(schema):  # type: ignore[no-untyped-def]
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) > 80, "the schema lists every operation"
    return found


def fuzz_operation(operation, mode, headers, statuses):  # type: ignore[no-untyped-def]
    @settings(
        max_examples=FUZZ_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case):  # type: ignore[no-untyped-def]
        response = case.call(headers=headers)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS)

    fuzz()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_no_operation_fails_or_breaks_its_contract(api_schema, users_by_role, role, mode):
    failures = []
    statuses: Counter[int] = Counter()
    for operation in operations(api_schema):
        try:
            fuzz_operation(operation, mode, signed_in(users_by_role[role]), statuses)
        except Exception as error:  # every operation's failure is collected, then all are reported
            failures.append(f"{operation.label}: {str(error)[:600]}")
    assert not failures, "\n\n".join(failures)
    # Not vacuous: every operation was called, and some calls got through to the code.
    assert statuses.total() >= len(operations(api_schema)), statuses
    if role != "anonymous":
        assert any(200 <= code < 300 for code in statuses), statuses
