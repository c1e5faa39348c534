"""`Idempotency-Key` for money-moving POSTs, scoped per user.

The key's record is written in the same database transaction as the money movement, so
either both exist or neither does: a crash between them cannot leave money moved with no
record of the answer, or an answer recorded for money that never moved.

- same key, same body: the first response (status and body) is replayed; nothing moves;
- same key, another body (or endpoint): 422 `idempotency_key_reused`;
- same key while the first request is still running: 409 `idempotency_key_in_flight`.

Refusals (4xx) are not recorded: nothing moved, so a retry is simply evaluated afresh.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from bankingsystem.db import retry_on_conflict
from bankingsystem.errors import ApplicationError

from .models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255

View = Callable[..., Response]


def _fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _claim_in_flight(user_id: int, key: str) -> None:
    """Refuse at once, rather than queue, when this key's first request is still running.

    On PostgreSQL a transaction-scoped advisory lock marks the key as in flight. SQLite
    runs one writer at a time anyway (BEGIN IMMEDIATE), so a second request simply waits
    for the first and then replays its answer.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))", [f"idempotency:{user_id}:{key}"])
        (acquired,) = cursor.fetchone()
    if not acquired:
        raise ApplicationError(
            "idempotency_key_in_flight",
            "A request with this Idempotency-Key is still being processed; retry shortly.",
            status=status.HTTP_409_CONFLICT,
        )


@retry_on_conflict
@transaction.atomic
def _run_once(view: View, request: Request, key: str, args: Any, kwargs: Any) -> Response:
    user_id = request.user.pk
    fingerprint = _fingerprint(request)
    _claim_in_flight(user_id, key)
    previous = _answer_of(user_id, key)
    if previous is not None:
        previous_fingerprint, previous_status, previous_body = previous
        if previous_fingerprint != fingerprint:
            raise ApplicationError(
                "idempotency_key_reused",
                "This Idempotency-Key was already used with a different request.",
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        return Response(previous_body, status=previous_status, headers={"Idempotent-Replayed": "true"})
    request.idempotency_transaction = True  # see owns_transaction
    response = view(request, *args, **kwargs)
    if status.is_success(response.status_code):
        _answer_record(user_id, key, fingerprint, response)
    return response


# The record's read and write are plain SQL: on every money-moving request the ORM took
# longer to build them (0.4 ms of CPU for the look-up alone) than the database to run them.
_TABLE = IdempotencyKey._meta.db_table
_COLUMNS = {name: IdempotencyKey._meta.get_field(name).column for name in
            ("user", "key", "request_fingerprint", "response_status", "response_body", "created_at")}  # fmt: skip


@functools.cache
def _answer_sql() -> tuple[str, str]:
    """The record's look-up and insert, built once (the same text on every request)."""
    q = connection.ops.quote_name
    c = {name: q(column) for name, column in _COLUMNS.items()}
    select = (
        f"SELECT {c['request_fingerprint']}, {c['response_status']}, {c['response_body']} FROM {q(_TABLE)} "  # noqa: S608
        f"WHERE {c['user']} = %s AND {c['key']} = %s"
    )
    insert = f"INSERT INTO {q(_TABLE)} ({', '.join(c.values())}) VALUES (%s, %s, %s, %s, %s, %s)"  # noqa: S608
    return select, insert


def _answer_of(user_id: int, key: str) -> tuple[str, int, Any] | None:
    """The fingerprint, status and body recorded under this user's key, if any."""
    with connection.cursor() as cursor:
        cursor.execute(_answer_sql()[0], [user_id, key])
        row = cursor.fetchone()
    if row is None:
        return None
    fingerprint, response_status, body = row
    return fingerprint, response_status, json.loads(body) if isinstance(body, str) else body


def _answer_record(user_id: int, key: str, fingerprint: str, response: Response) -> None:
    """Insert the answer; the values in _COLUMNS' order."""
    with connection.cursor() as cursor:
        cursor.execute(
            _answer_sql()[1],
            [
                user_id,
                key,
                fingerprint,
                response.status_code,
                json.dumps(response.data, cls=DjangoJSONEncoder),
                connection.ops.adapt_datetimefield_value(timezone.now()),
            ],
        )


def idempotent(method: Callable[..., Response]) -> Callable[..., Response]:
    """Decorate an APIView's `post` to honour the Idempotency-Key header when sent."""

    @functools.wraps(method)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return method(self, request, *args, **kwargs)
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
            raise ApplicationError(
                "invalid_idempotency_key",
                f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters.",
                status=status.HTTP_400_BAD_REQUEST,
            )
        bound = functools.partial(method, self)
        return _run_once(bound, request, key, args, kwargs)

    return wrapper


def is_replay(request: Request) -> bool:
    """Whether this request repeats one already answered under its Idempotency-Key (same
    body). A replay moves no money, so checks made before the first answer (step-up) need
    not be made again."""
    key = request.headers.get(HEADER)
    if not key or not request.user or not request.user.is_authenticated:
        return False
    return IdempotencyKey.objects.filter(
        user_id=request.user.pk, key=key, request_fingerprint=_fingerprint(request)
    ).exists()


def owns_transaction(request: Request) -> bool:
    """Whether the view runs inside the idempotency record's transaction, which rolls back
    as a whole on any exception the view raises (so the view needs no savepoint of its own)."""
    return getattr(request, "idempotency_transaction", False)
