"""Pin the statements a posting chunk makes, so they cannot silently grow with its size.

Counts are taken inside the test's own transaction, so each atomic block shows as
SAVEPOINT + RELEASE (in production the chunk's are BEGIN and COMMIT)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account
from interest.models import InterestPosting, PostingRun
from interest.services import PostingBook, _interest_chunk_post, interest_accrue_through, interest_post_period

from .conftest import account_on, on, product_create

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the counts are PostgreSQL's")
JAN1, JAN31 = date(2026, 1, 1), date(2026, 1, 31)
# savepoint; lock the chunk's accounts and the GL accounts; the unposted sums; then
# journal_batch_create: savepoint, lock, write (journals, entries, balances and the audit
# event), release; write the postings and the interest states; release.
CHUNK = 9


def queries(work) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        work()
    return len(ctx.captured_queries)


def accrued_accounts(customer, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    kind = product_create(code="saver")
    ids = [account_on(date(2025, 12, 31), owner=customer, account_type=kind, balance="1000").pk for _ in range(count)]
    with on(date(2026, 2, 1)):
        interest_accrue_through(through=JAN31, start=JAN1)
    return ids


@pytest.mark.parametrize("size", [1, 10, 60])
def test_a_chunk_is_the_same_statements_whatever_its_size(customer, size):
    ids = accrued_accounts(customer, size)
    run = PostingRun.objects.create(period_end=JAN31)
    book = PostingBook.load(["INR"])
    with on(date(2026, 2, 1)):
        assert queries(lambda: _interest_chunk_post(account_ids=ids, through=JAN31, run=run, book=book)) == CHUNK
        assert InterestPosting.objects.filter(journal__isnull=False).count() == size
        # Again: everything is posted, so nothing is written (savepoint, lock, sums, release).
        assert queries(lambda: _interest_chunk_post(account_ids=ids, through=JAN31, run=run, book=book)) == 4


def test_refused_accounts_add_one_statement_to_their_chunk(customer):
    ids = accrued_accounts(customer, 10)
    Account.objects.filter(pk__in=ids[:3]).update(status="closed")
    run = PostingRun.objects.create(period_end=JAN31)
    book = PostingBook.load(["INR"])
    with on(date(2026, 2, 1)):
        # ... and the insert of their posting failures
        assert queries(lambda: _interest_chunk_post(account_ids=ids, through=JAN31, run=run, book=book)) == CHUNK + 1
    assert run.failure_log.count() == 3


@pytest.mark.parametrize(("accounts", "chunk_size"), [(12, 5), (12, 12), (30, 5)])
def test_a_posting_run_is_a_few_statements_plus_a_chunks_worth_per_chunk(customer, accounts, chunk_size):
    accrued_accounts(customer, accounts)
    PostingBook.load(["INR"])  # the GL accounts are made on first use
    chunks = -(-accounts // chunk_size)
    with on(date(2026, 2, 1)):
        count = queries(lambda: interest_post_period(period_end=JAN31, chunk_size=chunk_size))
    # before: accrual done?, the run (get, then savepoint/insert/release), products due, candidates,
    # their currencies, every product, the two GL accounts; after: totals, counts, save the run
    assert count == 14 + chunks * CHUNK
