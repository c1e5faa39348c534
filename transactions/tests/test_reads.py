"""The read paths of issue 11: statement pages and history pages cost a fixed number of
queries and one index-ordered scan whatever the size of the account or ledger, their lean
rows answer exactly what EntryOutputSerializer would, and a customer's history merged
across accounts pages correctly both ways. Plans are checked with EXPLAIN, never timed."""

from __future__ import annotations

import re
from datetime import UTC
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_filters.utils import translate_validation
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from accounts.models import Account
from bankingsystem.db import rows_fast
from bankingsystem.pagination import beyond_instant
from bankingsystem.partitions import month_start, partition_name
from conftest import client_for
from transactions.api import EntryFilter, EntryFilterBackend, EntryOutputSerializer
from transactions.models import Entry
from transactions.selectors import ENTRY_ROW_FIELDS, EntriesOfAccounts, statement_entries
from transactions.services import ENTRY_TABLE, transfer_create

D = Decimal
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="plans are PostgreSQL's")


def queries(work) -> int:  # type: ignore[no-untyped-def]
    """Queries `work` makes. The test client's user object keeps its roles once read, so the
    per-request role look-up (and, with a token, the user and session look-ups) is not counted."""
    with CaptureQueriesContext(connection) as ctx:
        work()
    return len(ctx.captured_queries)


def transfers(source: Account, destination: Account, count: int, description: str = "") -> None:
    for i in range(count):
        transfer_create(source=source, destination=destination, amount=D(f"1.{i % 100:02d}"), description=description)


def as_json(data):  # type: ignore[no-untyped-def]
    import json

    return json.loads(JSONRenderer().render(data))


def bulk_entries(account: Account, count: int) -> None:
    """`count` entries on `account` against the vault, beneath the services (fast), and fresh statistics."""
    vault = Account.objects.get(gl_code="cash_vault", currency="INR")
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH j AS (INSERT INTO transactions_journal (kind, reference, description, created_at) "
            "  SELECT 'deposit', 'BULK' || %s || '-' || g, 'Bulk deposit ' || g, now()"
            "  FROM generate_series(1, %s) g RETURNING id) "
            "INSERT INTO transactions_entry (journal_id, account_id, amount, balance_after, created_at) "
            "SELECT j.id, a.account_id, a.amount, 0, clock_timestamp() FROM j "
            "CROSS JOIN (VALUES (%s, 1.00), (%s, -1.00)) a(account_id, amount)",
            [account.pk, count, account.pk, vault.pk],
        )
        cursor.execute("ANALYZE transactions_entry")
        cursor.execute("ANALYZE transactions_journal")  # with the UPPER(description) statistics (0006)


# --- Queries per page ---------------------------------------------------------------------


def test_statement_page_query_count(api, account, other_account):
    transfers(account, other_account, 7)
    url = f"/api/v1/accounts/{account.number}/statement/?page_size=3"
    first = api.get(url).json()
    assert len(first["results"]) == 3 and first["next"]
    # the account, one page of entries with their journals: no query per row
    for page_url in (url, first["next"], f"{url}&direction=debit&q=x&kind=transfer&min_amount=1"):
        assert queries(lambda page_url=page_url: api.get(page_url)) == 2


def test_history_page_query_count(api, account, second_account, other_account):
    transfers(account, other_account, 4)
    transfers(other_account, second_account, 4)
    first = api.get("/api/v1/transactions/?page_size=3").json()
    assert first["next"]
    # the caller's accounts, one page merged across them with the journals
    for page_url in ("/api/v1/transactions/?page_size=3", first["next"], "/api/v1/transactions/?q=x&kind=transfer"):
        assert queries(lambda page_url=page_url: api.get(page_url)) == 2


def test_staff_history_page_query_count(teller, account, other_account):
    transfers(account, other_account, 4)
    # one page of every customer account's entries with journals and numbers
    staff = client_for(teller)
    staff.get("/api/v1/transactions/?page_size=3")  # roles read once
    assert queries(lambda: staff.get("/api/v1/transactions/?page_size=3")) == 1


# --- Same answers as the serializer -------------------------------------------------------


def test_statement_and_history_rows_are_what_the_serializer_answers(
    api, teller, account, second_account, other_account
):
    transfers(account, other_account, 3, description="Tea, biscuits")
    transfer_create(source=account, destination=second_account, amount=D("12.34"))
    expected = [
        EntryOutputSerializer(entry).data
        for entry in Entry.objects.filter(account__in=[account, second_account])
        .select_related("journal", "account")
        .order_by("-pk")
    ]
    history = api.get("/api/v1/transactions/").json()["results"]
    assert history == as_json(expected)
    statement = api.get(f"/api/v1/accounts/{account.number}/statement/").json()["results"]
    assert statement == [row for row in as_json(expected) if row["account"] == account.number]
    staff = client_for(teller).get(f"/api/v1/transactions/?account={account.number}").json()["results"]
    assert staff == statement


@pytest.mark.parametrize(
    "query",
    [
        "direction=debit",
        "min_amount=1.05&q=tea",
        "date_from=2000-01-01&kind=transfer&max_amount=1.02&page_size=2",
        "date_to=2000-01-01",
        "account=X&direction=credit",
        "kind=bogus&min_amount=x",  # the same errors
        "q=&direction=",  # named but empty: no filter
    ],
)
def test_filters_built_for_the_names_given_answer_as_the_whole_filterset(account, other_account, query):
    """EntryFilterBackend builds only the filters a request names; what they filter, and what
    they refuse, is what the whole EntryFilter does."""
    transfers(account, other_account, 6, description="Tea")
    request = Request(APIRequestFactory().get(f"/?{query}"))
    entries = statement_entries(account=account)
    whole = EntryFilter(data=request.query_params, queryset=entries)
    if whole.is_valid():
        filtered = EntryFilterBackend().filter_queryset(request, entries, view=None)
        assert str(filtered.query) == str(whole.qs.query)
        assert list(filtered.values_list("pk", flat=True)) == list(whole.qs.values_list("pk", flat=True))
    else:
        with pytest.raises(ValidationError) as refused:
            EntryFilterBackend().filter_queryset(request, entries, view=None)
        assert refused.value.detail == translate_validation(whole.errors).detail


# --- History across accounts: the merge pages like a plain ordered query ------------------


def test_history_across_accounts_pages_forward_and_back(api, account, second_account, other_account):
    transfers(account, other_account, 5)
    transfers(other_account, second_account, 6)
    transfers(account, second_account, 4)
    mine = list(
        Entry.objects.filter(account__in=[account, second_account]).order_by("-pk").values_list("pk", flat=True)
    )
    assert len(mine) == 1 + 5 + 6 + 4 * 2  # the opening deposit, then each transfer's legs of ours

    seen, url, pages = [], "/api/v1/transactions/?page_size=4", []
    while url:
        body = api.get(url).json()
        pages.append(body)
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == mine
    # ... and back from the last page by the `previous` links
    back, url = [], pages[-1]["previous"]
    while url:
        body = api.get(url).json()
        back = [row["id"] for row in body["results"]] + back
        url = body["previous"]
    assert back + [row["id"] for row in pages[-1]["results"]] == mine

    credits = api.get(f"/api/v1/transactions/?direction=credit&account={second_account.number}").json()["results"]
    expected = Entry.objects.filter(account=second_account, amount__gt=0).order_by("-pk").values_list("pk", flat=True)
    assert [row["id"] for row in credits] == list(expected)
    assert api.get(f"/api/v1/transactions/?account={other_account.number}").json()["results"] == []


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_statement_pages_by_instant_forward_and_back(api, account, other_account, size):
    """Statement pages are keyed on (created_at, id): the legs of a batch share an instant
    and still come one by one, in the same order as a plain ordered query, both ways."""
    from transactions.services import TransferRequest, transfer_batch_create

    transfers(account, other_account, 2)
    transfer_batch_create(transfers=[TransferRequest(account, other_account, D("0.50"))] * 5, atomic=True)
    transfers(other_account, account, 2)
    expected = list(Entry.objects.filter(account=account).order_by("-created_at", "-pk").values_list("pk", flat=True))
    assert len(expected) == 1 + 2 + 5 + 2
    url, pages = f"/api/v1/accounts/{account.number}/statement/?page_size={size}", []
    while url:
        pages.append(api.get(url).json())
        url = pages[-1]["next"]
    assert [row["id"] for page in pages for row in page["results"]] == expected
    back, url = [], pages[-1]["previous"]
    while url:
        body = api.get(url).json()
        back = [row["id"] for row in body["results"]] + back
        url = body["previous"]
    assert back + [row["id"] for row in pages[-1]["results"]] == expected
    filtered = api.get(f"/api/v1/accounts/{account.number}/statement/?page_size={size}&direction=debit").json()
    debits = Entry.objects.filter(account=account, amount__lt=0).order_by("-created_at", "-pk")
    assert [row["id"] for row in filtered["results"]] == list(debits.values_list("pk", flat=True)[:size])
    cursor = pages[0]["next"] or ""
    if cursor:
        forged = cursor.split("cursor=")[0] + "cursor=cD1ub3QtYS1kYXRl"  # p=not-a-date
        assert api.get(forged).status_code == 404


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8])
def test_history_merge_is_exact_for_any_page_size(customer, account, second_account, other_account, size):
    """One account busy, one quiet, one idle: every page merged from each account's share and
    the rest above the threshold is exactly the page of a plain ordered query, both ways."""
    from accounts.tests.factories import account_create

    idle = account_create(owner=customer, account_type=account.account_type, branch=account.branch)
    transfers(account, other_account, 9, description="Rent")
    transfers(other_account, second_account, 2)
    transfers(account, other_account, 3)
    transfers(account, second_account, 2, description="Rent")
    ids = [account.pk, second_account.pk, idle.pk]
    for filters in ({}, {"journal__description__icontains": "rent"}, {"amount__lt": 0}):
        expected = list(Entry.objects.filter(account__in=ids, **filters).order_by("-pk").values_list("pk", flat=True))
        rows = EntriesOfAccounts(Entry.objects.filter(**filters), ids)
        walked, below = [], None
        while True:
            page = (rows if below is None else rows.filter(pk__lt=below)).order_by("-pk")[0 : size + 1]
            walked += [row["pk"] for row in page[:size]]
            if len(page) <= size:
                break
            below = walked[-1]
        assert walked == expected, filters
        # backwards (the `previous` links): oldest first above a position
        middle = expected[len(expected) // 2]
        above = [row["pk"] for row in rows.filter(pk__gt=middle).order_by("pk")[0:size]]
        assert above == sorted(pk for pk in expected if pk > middle)[:size], filters


def test_entries_of_accounts_speaks_only_what_the_paginator_needs(account, second_account):
    rows = EntriesOfAccounts(Entry.objects.all(), [account.pk, second_account.pk])
    assert rows.order_by("-pk")[0:5] == list(
        Entry.objects.filter(account__in=[account, second_account]).order_by("-pk").values(*ENTRY_ROW_FIELDS)[:5]
    )
    assert EntriesOfAccounts(Entry.objects.all(), [])[0:5] == []
    with pytest.raises(ValueError):
        rows.order_by("created_at")
    with pytest.raises(ValueError):
        rows.filter(amount__gt=0)


# --- Plans --------------------------------------------------------------------------------


def this_months_partition() -> str:
    return partition_name(ENTRY_TABLE, month_start(timezone.now().astimezone(UTC).date()))


def assert_read_newest_first_through_an_index(plan: str) -> None:
    """The month holding the rows is read by an ordered index scan ((account_id, id DESC), or
    the primary key backwards where the account is most of the month), never a sequential or
    bitmap scan that reads all of the account's entries (empty partitions cost nothing)."""
    partition = this_months_partition()
    reads = [line for line in plan.splitlines() if f" on {partition} " in line]
    assert reads and all(re.search(r"->  Index (Only )?Scan ", line) for line in reads), plan


@postgresql_only
def test_statement_page_is_an_ordered_index_scan(account, other_account):
    bulk_entries(other_account, 3000)  # a sequential scan or a sort would be the worse plan
    bulk_entries(account, 300)
    entries = statement_entries(account=account)
    at, pk = entries.values_list("created_at", "pk")[120]
    for query in ({}, {"direction": "debit"}, {"min_amount": "1"}, {"q": "bulk"}, {"date_from": "2000-01-01"}):
        page = beyond_instant(EntryFilter(data=query, queryset=entries).qs, at, pk).order_by("-created_at", "-pk")
        plan = page.values(*ENTRY_ROW_FIELDS)[:51].explain()
        assert_read_newest_first_through_an_index(plan)
        # newest first straight from the index (partitions merged in order; an incremental
        # sort at most, for rows sharing an instant): never a sort of the account's rows
        assert not re.search(r"(^|->  )Sort ", plan, re.M), plan


@postgresql_only
def test_history_page_reads_each_account_through_its_index(account, second_account, other_account):
    bulk_entries(other_account, 3000)
    bulk_entries(account, 300)
    bulk_entries(second_account, 300)
    rows = EntriesOfAccounts(Entry.objects.all(), [account.pk, second_account.pk])
    with CaptureQueriesContext(connection) as ctx:
        assert len(rows.order_by("-pk")[0:51]) == 51
    (query,) = ctx.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + query["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "CROSS JOIN LATERAL" in query["sql"]
    partition = this_months_partition()
    reads = [line for line in plan.splitlines() if f" on {partition} " in line]
    # both rounds read each account newest first through an index, each stopping at what the
    # page can use (a LIMIT per account): no sequential or bitmap scan of the month
    assert len(reads) == 2 and all(re.search(r"->  Index (Only )?Scan ", line) for line in reads), plan
    assert f"{partition}_account_id_id_idx" in plan, plan


# --- CSV export ---------------------------------------------------------------------------


def test_statement_csv_streams_every_row_in_keyset_chunks(api, account, other_account, monkeypatch):
    import csv
    import io

    monkeypatch.setattr("transactions.api.CSV_CHUNK", 3)  # chunk edges inside a small statement
    transfers(account, other_account, 7)
    transfers(other_account, account, 3)
    for query, expected in (
        ("", Entry.objects.filter(account=account)),
        ("&direction=debit", Entry.objects.filter(account=account, amount__lt=0)),
    ):
        response = api.get(f"/api/v1/accounts/{account.number}/statement/?format=csv{query}")
        assert response.status_code == 200
        parts = list(response.streaming_content)
        assert len(parts) > 2  # the header, then several chunks of lines, not one line each
        rows = list(csv.DictReader(io.StringIO(b"".join(parts).decode())))
        references = list(expected.order_by("-created_at", "-pk").values_list("journal__reference", flat=True))
        assert [row["reference"] for row in rows] == references


@postgresql_only
def test_history_reads_about_a_page_when_one_account_is_busy(account, second_account):
    """A busy current account beside a quiet savings account: the quiet one's sampled rows
    are old, and reading the busy one down to them (instead of a page) read every entry
    in between. Counted from EXPLAIN ANALYZE's rows, not timed."""
    bulk_entries(second_account, 30)  # older
    bulk_entries(account, 3000)  # newer, all above the quiet account's
    rows = EntriesOfAccounts(Entry.objects.all(), [account.pk, second_account.pk])
    with CaptureQueriesContext(connection) as ctx:
        page = rows.order_by("-pk")[0:51]
    assert [row["account_id"] for row in page] == [account.pk] * 51
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + ctx.captured_queries[0]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    partition = this_months_partition()
    read = sum(
        int(m.group(1)) * int(m.group(2))
        for line in plan.splitlines()
        if f" on {partition} " in line
        for m in [re.search(r"actual time=\S+ rows=(\d+) loops=(\d+)", line)]
        if m
    )
    assert 51 <= read <= 2 * 51 + 2 * 27, plan


def token_client(user):  # type: ignore[no-untyped-def]
    from rest_framework.test import APIClient

    from customers.client import ClientInfo
    from customers.services import session_start

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {session_start(user=user, client=ClientInfo()).access}")
    return client


def test_pages_with_a_token_query_count(customer, teller, account, other_account):
    transfers(account, other_account, 4)
    mine, staff = token_client(customer.user), token_client(teller)
    # the token's open session with its user and roles, then the account and one page
    assert queries(lambda: mine.get(f"/api/v1/accounts/{account.number}/statement/?page_size=3")) == 3
    # the session, user and roles; the caller's accounts; one page merged across them
    assert queries(lambda: mine.get("/api/v1/transactions/?page_size=3")) == 3
    # a teller's roles come with the session: every customer's entries, in one more query
    response = staff.get(f"/api/v1/transactions/?account={other_account.number}")
    assert [row["account"] for row in response.json()["results"]] == [other_account.number] * 5
    assert queries(lambda: staff.get("/api/v1/transactions/?page_size=3")) == 2


@postgresql_only
def test_repeated_reads_are_prepared_but_planned_for_their_own_values(transactional_db, account, other_account):
    """A connection prepares what it runs again and again (settings: DB_PREPARE_THRESHOLD),
    and PostgreSQL still plans each run for its values: a generic plan of the statement CSV's
    keyset read was 30 times slower (docs/performance.md). The transfers before commit each
    (transactional_db), as a request's would: a posting lets the rest of its own transaction
    reuse generic plans (bankingsystem.db.generic_plans_allow), never the next one."""
    transfers(account, other_account, 3)
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_custom_plan"
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
    for _ in range(8):
        list(statement_entries(account=account).values_list("pk", flat=True)[:2])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%FROM "transactions_entry"%ORDER BY "transactions_entry"."created_at" DESC%'],
        )
        plans = cursor.fetchall()
    assert plans, "the statement read was not prepared"
    assert all(generic == 0 and custom >= 1 for generic, custom in plans), plans


def test_rows_read_with_psycopgs_timestamp_loader_are_the_orms(account, other_account):
    """bankingsystem.db.rows_fast (the statement CSV's chunks) reads what the ORM reads:
    the same instants, aware, in UTC, and the same amounts and texts."""
    transfers(account, other_account, 3, description="Rent, June")
    queryset = statement_entries(account=account).order_by("-created_at", "-pk")
    values = queryset.values_list("created_at", "pk", "amount", "balance_after", "journal__description")
    fast = rows_fast(values)
    assert fast == list(values)
    assert len(fast) == 4  # the opening deposit and three transfers
    assert all(row[0].utcoffset().total_seconds() == 0 for row in fast)
    assert rows_fast(values.all()[:2]) == fast[:2]  # sliced, as the CSV's chunks are
