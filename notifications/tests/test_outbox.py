"""The money notifications' outbox: written in the posting's own statement, drained into
notifications exactly once, by concurrent drains and by a real Celery worker on Redis."""

from __future__ import annotations

import socket
import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection

from bankingsystem.celery import app as celery_app
from bankingsystem.errors import ApplicationError
from interest.tests.test_tasks import _env, _process, _wait_for
from notifications.models import JournalOutbox, Notification
from notifications.services import OUTBOX_BATCH, journal_outbox_drain
from transactions.services import TransferRequest, transfer_batch_create, transfer_create

D = Decimal


@pytest.fixture(autouse=True)
def _outbox_empty(account, other_account):
    """The accounts' opening deposits are postings too: start from an empty outbox."""
    JournalOutbox.objects.all().delete()


def test_a_posting_writes_its_outbox_row_in_its_own_transaction(account, other_account):
    journal = transfer_create(source=account, destination=other_account, amount=D("5.00"))
    assert list(JournalOutbox.objects.values_list("journal_ids", flat=True)) == [[journal.pk]]
    batch = transfer_batch_create(transfers=[TransferRequest(account, other_account, D("1.00"))] * 3, atomic=True)
    assert JournalOutbox.objects.last().journal_ids == sorted(j.pk for j in batch)
    with pytest.raises(ApplicationError):
        transfer_create(source=account, destination=other_account, amount=D("999999.00"))
    assert JournalOutbox.objects.count() == 2  # a refusal writes nothing, the outbox row included
    assert not Notification.objects.exists()  # nothing is notified inside the money's transaction


def test_a_drain_makes_each_notification_once_and_empties_the_outbox(account, other_account, customer):
    transfer_create(source=account, destination=other_account, amount=D("5.00"))
    transfer_create(source=other_account, destination=account, amount=D("2.00"))
    assert journal_outbox_drain() == 4  # both sides of both transfers
    assert not JournalOutbox.objects.exists()
    assert journal_outbox_drain() == 0
    sent = Notification.objects.filter(user=customer.user).order_by("pk")
    assert [n.kind for n in sent] == ["money_sent", "money_received"]
    assert "5.00" in sent[0].title and "2.00" in sent[1].title


@pytest.mark.django_db(transaction=True)
def test_concurrent_drains_share_the_outbox_and_notify_each_posting_once(account, other_account):
    for _ in range(30):
        transfer_create(source=account, destination=other_account, amount=D("1.00"))
    assert JournalOutbox.objects.count() == 30
    made, barrier = [], threading.Barrier(4)

    def drain() -> None:
        barrier.wait()
        try:
            made.append(journal_outbox_drain())
        finally:
            connection.close()

    threads = [threading.Thread(target=drain) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(made) == 60
    assert Notification.objects.count() == 60
    assert not JournalOutbox.objects.exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_committed_transfer_is_notified_by_a_real_worker(account, other_account, customer, tmp_path, settings):
    """The posting asks for a drain on commit; a Celery worker on Redis runs it."""
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (REDIS_URL)")
    queue = f"outbox-test-{uuid.uuid4().hex[:10]}"
    settings.OUTBOX_QUEUE = queue
    node = f"{queue}@{socket.gethostname()}"
    worker_log = tmp_path / "worker.log"
    args = ["worker", "--pool=solo", "-Q", queue, "-n", node, "--without-mingle", "--without-gossip", "-l", "info"]
    with _process(args, _env(CELERY_TASK_ALWAYS_EAGER="false"), worker_log):
        _wait_for(lambda: celery_app.control.ping(destination=[node], timeout=1), "the worker", [worker_log])
        journal = transfer_create(source=account, destination=other_account, amount=D("7.00"))
        _wait_for(lambda: Notification.objects.count() == 2, "the notifications", [worker_log])
    assert not JournalOutbox.objects.exists()
    received = Notification.objects.exclude(user=customer.user).get()
    assert journal.reference in received.body and received.kind == "money_received"
    assert "notifications.journal_outbox_drain" in worker_log.read_text()


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_a_posting_drains_one_row_and_leaves_a_backlog_to_the_beat(account, other_account):
    """The embedded default runs the drain inside the request that posted: one outbox row
    (one posting's worth), however big the backlog, so a request is never held by others'
    notifications."""
    JournalOutbox.objects.bulk_create([JournalOutbox(journal_ids=[0]) for _ in range(OUTBOX_BATCH + 100)])
    celery_app.conf.task_always_eager = True
    try:
        transfer_create(source=account, destination=other_account, amount=D("3.00"))
    finally:
        celery_app.conf.task_always_eager = False
    assert JournalOutbox.objects.count() == OUTBOX_BATCH + 100  # the oldest row went; the rest waits
    assert journal_outbox_drain() == 2  # the beat's drain: the rest, this transfer's two sides included
    assert not JournalOutbox.objects.exists()
