"""Staff search for a customer by part of an email, a name or a phone number is served by
the trigram indexes of customers.0003, not by reading the whole customer table."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from customers.models import Customer
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")


def plan_of(queryset) -> str:
    """EXPLAIN with sequential scans priced out, as on a table too big to scan."""
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("lookup", "index"),
    [
        ({"user__email__icontains": "sharma"}, "auth_user_email_trgm_idx"),
        ({"user__username__icontains": "arj"}, "auth_user_username_trgm_idx"),
        ({"user__last_name__icontains": "Mehta"}, "auth_user_last_name_trgm_idx"),
        ({"phone__icontains": "98765"}, "customers_customer_phone_trgm_idx"),
    ],
)
def test_customer_search_uses_a_trigram_index(db, lookup, index):
    CustomerFactory.create_batch(3)
    assert index in plan_of(Customer.objects.filter(**lookup))


def test_the_indexed_search_finds_the_customer_whatever_the_case(db):
    wanted = CustomerFactory(phone="+91 98765 43210")
    wanted.user.email = "Kavya.Sharma@example.in"
    wanted.user.save(update_fields=["email"])
    CustomerFactory.create_batch(3)

    assert list(Customer.objects.filter(user__email__icontains="sharma@EXAMPLE")) == [wanted]
    assert list(Customer.objects.filter(phone__icontains="98765 432")) == [wanted]
