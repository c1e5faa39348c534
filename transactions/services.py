"""Every movement of money, as one function each. The rules of the ledger live here.

Each locks the accounts it touches (ascending key order, one query), checks them, and
ends in `_journals_post`, the one place that writes journals and entries and moves the
balances. A refusal (ApplicationError) is raised before anything is written, or, for a
single transfer on PostgreSQL (one statement that locks, checks and writes, see
_TRANSFER_POST), before its transaction commits, which then rolls back what it wrote.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import NamedTuple

import structlog
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone
from rest_framework import status

from accounts.models import Account
from accounts.services import gl_account_get_or_create
from audit.chain import CanonicalJSON, canonical_json, jsonable
from audit.services import audit_record, audit_step
from bankingsystem import partitions
from bankingsystem.db import (
    GENERIC_PLANS_ALLOW_SQL,
    generic_plans_allow,
    generic_plans_noted,
    lock_rows,
    retry_on_conflict,
)
from bankingsystem.errors import ApplicationError
from bankingsystem.money import CURRENCY_EXPONENTS, ZERO, decimal_places
from notifications.models import JournalOutbox
from notifications.services import journal_outbox_drain_soon

from .metrics import TRANSFER_GUARD_FALLBACKS, observe_movement
from .models import CUSTOMER_DEBIT_KINDS, Entry, Journal

User = AbstractBaseUser
logger = structlog.get_logger(__name__)

# Legs that count as the owner's own activity for dormancy: cash in or out at the
# counter, and money they send (money received, interest and fees do not).
CUSTOMER_ACTIVITY_KINDS = (Journal.Kind.DEPOSIT, Journal.Kind.WITHDRAWAL)
REFERENCE_PREFIX = {
    Journal.Kind.DEPOSIT: "DEP",
    Journal.Kind.WITHDRAWAL: "WDL",
    Journal.Kind.TRANSFER: "TRF",
    Journal.Kind.REVERSAL: "REV",
    Journal.Kind.INTEREST: "INT",
    Journal.Kind.LOAN: "LON",
    Journal.Kind.FEE: "FEE",
    Journal.Kind.INTERBANK: "IBT",
}


@dataclass(frozen=True)
class Leg:
    account_id: int
    amount: Decimal  # signed, credit-normal: positive adds to the account's balance


def amount_validate(*, amount: Decimal, currency: str, field: str = "amount") -> Decimal:
    """Refuse amounts no money movement may carry; return it at the ledger's scale."""
    if not amount.is_finite() or amount <= 0:
        raise ApplicationError("amount_not_positive", "The amount must be greater than zero.", status=400, field=field)
    exponent = CURRENCY_EXPONENTS[currency]
    if decimal_places(amount) > exponent:
        raise ApplicationError(
            "too_many_decimal_places",
            f"{currency} amounts have at most {exponent} decimal places.",
            status=400,
            field=field,
        )
    if amount > settings.MAX_TRANSACTION_AMOUNT:
        raise ApplicationError(
            "amount_above_limit",
            f"The amount is above the bank's limit of {settings.MAX_TRANSACTION_AMOUNT} per transaction.",
            field=field,
        )
    return amount.quantize(Decimal("0.01"))


def _reference_new(kind: str, now: datetime) -> str:
    """KIND + date + the microsecond of the day + 44 random bits (32 characters).

    Time-ordered, so a new journal's reference lands at the end of the unique index rather
    than on a random page (a random page is a full-page image in the WAL after every
    checkpoint). The random part only has to tell apart journals of the same microsecond:
    a batch of 1,000 posts with one instant, and collides with a chance of about 1 in 35
    million (the unique index would refuse it; the batch would fail whole)."""
    return _references_new([kind], now)[0]


def _references_new(kinds: Sequence[str], now: datetime) -> list[str]:
    """_reference_new for many journals of one instant: the date and time formatted once, the
    random parts drawn in one read (a read per journal was a third of building a batch's
    1,000 journals)."""
    stem = f"{now:%Y%m%d}{((now.hour * 60 + now.minute) * 60 + now.second) * 1_000_000 + now.microsecond:010X}"
    random = secrets.token_bytes(6 * len(kinds))
    return [
        f"{REFERENCE_PREFIX[kind]}{stem}{int.from_bytes(random[6 * i : 6 * i + 6]) >> 4:011X}"  # 44 bits
        for i, kind in enumerate(kinds)
    ]


def _refuse_unless_can_send(account: Account | LockedAccount, field: str) -> None:
    if account.status != Account.Status.ACTIVE:
        raise ApplicationError(
            "account_not_active",
            f"Account {account.number} is {account.status} and cannot send money.",
            field=field,
            extra={"account_status": account.status},
        )


def _refuse_unless_can_receive(account: Account | LockedAccount, field: str) -> None:
    # Frozen and dormant accounts still receive; only a closed account is shut both ways.
    if account.status == Account.Status.CLOSED:
        raise ApplicationError(
            "account_not_active",
            f"Account {account.number} is closed and cannot receive money.",
            field=field,
            extra={"account_status": account.status},
        )


def _refuse_currency_mismatch(account: Account | AccountRef, currency: str, field: str) -> None:
    if account.currency != currency:
        raise ApplicationError(
            "currency_mismatch",
            f"Account {account.number} holds {account.currency}, not {currency}.",
            field=field,
        )


def _debited_today(account: Account | LockedAccount, now: datetime) -> Decimal:
    """Today's customer debits (withdrawals, transfers out) of `account`, from the running
    total on its row: the caller has locked it, so no other debit of its can commit meanwhile."""
    return _debited_on(account, timezone.localdate(now))


def _debited_on(account: Account | LockedAccount, today: date) -> Decimal:
    return account.debit_day_total if account.debit_day == today else ZERO


class AccountLimits(NamedTuple):
    """The limits of an account's type that a customer's debit is checked against."""

    per_transaction_limit: Decimal
    minimum_balance: Decimal
    daily_debit_limit: Decimal


class LockedAccount:
    """An account row locked for a posting, as the values its rules read and the posting
    writes: what `Account` instances (with their type) gave, without building a thousand
    model instances for a batch. The rules and `_journals_post` take either.

    The activity instants are not read (two timestamp columns doubled the cost of reading
    1,100 rows): they are None until the posting sets them to its instant."""

    __slots__ = (
        "account_type",
        "balance",
        "currency",
        "debit_day",
        "debit_day_total",
        "held_amount",
        "kind",
        "last_activity_at",
        "last_customer_activity_at",
        "number",
        "overdraft_limit",
        "owner_user_id",
        "pk",
        "status",
    )

    def __init__(self, *row: object) -> None:
        (
            self.pk,
            self.number,
            self.kind,
            self.status,
            self.currency,
            self.balance,
            self.held_amount,
            self.overdraft_limit,
            self.debit_day,
            self.debit_day_total,
            self.owner_user_id,
            per_transaction_limit,
            minimum_balance,
            daily_debit_limit,
        ) = row
        self.last_activity_at = self.last_customer_activity_at = None
        self.account_type = (
            None
            if per_transaction_limit is None
            else AccountLimits(per_transaction_limit, minimum_balance, daily_debit_limit)  # type: ignore[arg-type]
        )


# lock_rows(Account.objects.select_related("account_type", "owner"), ids) as values, in one
# statement (the ORM took about as long to build its IN list of 1,100 keys as PostgreSQL to
# lock them, and a quarter of an HTTP transfer's CPU to build and read a transfer's two).
# From the lock on, the transaction may reuse generic plans (bankingsystem.db.
# generic_plans_allow): the posting's write and the COMMIT's checks find rows by key. Folded
# in here, it costs no round trip of its own.
_ACCOUNTS_LOCK = f"""
SELECT a.id, a.number, a.kind, a.status, a.currency, a.balance, a.held_amount, a.overdraft_limit,
       a.debit_day, a.debit_day_total, c.user_id,
       t.per_transaction_limit, t.minimum_balance, t.daily_debit_limit
  FROM (SELECT {GENERIC_PLANS_ALLOW_SQL}) AS plans, accounts_account a
  LEFT JOIN accounts_accounttype t ON t.id = a.account_type_id
  LEFT JOIN customers_customer c ON c.id = a.owner_id
 WHERE a.id = ANY(%s::bigint[])
 ORDER BY a.id
   FOR UPDATE OF a
"""  # noqa: S608  (only our own constant is formatted in)


def _accounts_lock_values(ids: Iterable[int]) -> dict[int, LockedAccount]:
    """Lock these accounts in ascending key order (PostgreSQL) and read them as values."""
    with connection.cursor() as cursor:
        cursor.execute(_ACCOUNTS_LOCK, [_array_literal(sorted(set(ids)))])
        generic_plans_noted()  # the lock set it, as the idempotency claim does (bankingsystem.db)
        return {row[0]: LockedAccount(*row) for row in cursor.fetchall()}


def _accounts_lock(ids: Iterable[int]) -> dict[int, Account] | dict[int, LockedAccount]:
    """Every posting's lock: the accounts in ascending key order, with what the rules, the
    posted legs and the receipt read. Values on PostgreSQL; model instances with their type
    and owner on SQLite (`make run`), whose converters the plain statement would skip."""
    if connection.vendor == "postgresql":
        return _accounts_lock_values(ids)
    return lock_rows(Account.objects.select_related("account_type", "owner"), ids)


class AccountRef(NamedTuple):
    """An account a request names, before its row is locked: the batch API resolves numbers
    to these rather than to model instances."""

    pk: int
    number: str
    currency: str


def _refuse_customer_debit(
    account: Account | LockedAccount, amount: Decimal, *, debited_today: Decimal, pending: Decimal = ZERO, field: str
) -> None:
    """Limits and funds for money a customer takes out of `account` (locked by the caller).

    `pending` is the net change already planned for this account in the same batch.
    """
    account_type = account.account_type
    assert account_type is not None
    if amount > account_type.per_transaction_limit:
        raise ApplicationError(
            "amount_above_limit",
            f"The amount is above this account's limit of {account_type.per_transaction_limit} per transaction.",
            field="amount",
        )
    spendable = account.balance + pending - account.held_amount - account_type.minimum_balance + account.overdraft_limit
    if amount > spendable:
        raise ApplicationError(
            "insufficient_funds",
            f"Account {account.number} has {max(spendable, ZERO)} {account.currency} available.",
            field=field,
            extra={"available": str(max(spendable, ZERO))},
        )
    if debited_today + amount > account_type.daily_debit_limit:
        raise ApplicationError(
            "daily_limit_exceeded",
            f"This would take today's withdrawals and transfers from {account.number} past the daily limit "
            f"of {account_type.daily_debit_limit}; {max(account_type.daily_debit_limit - debited_today, ZERO)} "
            "remains.",
            field="amount",
        )


@dataclass(frozen=True)
class Posting:
    """A journal to be written: its legs must balance per currency."""

    kind: str
    legs: Sequence[Leg]
    description: str
    reversal_of: Journal | None = None
    # Its Journal instance, made ahead (a batch makes its thousand before it locks the
    # accounts: nothing else waits on them then); _journals_post fills in the rest.
    journal: Journal | None = None


def _journal_draft(kind: str, description: str, reversal_of: Journal | None = None) -> Journal:
    """A posting's Journal instance, but for its reference, author and instant. Positional:
    the fields in the model's order (id, kind, reference, description, initiated_by,
    reversal_of, created_at), Django's fast path."""
    return Journal(None, kind, "", description, None, reversal_of.pk if reversal_of is not None else None, None)


class PostedEntry(NamedTuple):
    """A leg as posted, on the journal's `posted_entries`: the caller's receipt, the audit
    event and the metrics read these (on PostgreSQL no Entry instance is built)."""

    account: Account | LockedAccount
    amount: Decimal
    balance_after: Decimal


def _legs_apply(
    kind: str,
    legs: Sequence[Leg],
    accounts: dict[int, Account] | dict[int, LockedAccount],
    *,
    now: datetime,
    today: date,
) -> list[PostedEntry]:
    """What a journal's legs do to its locked accounts' values, as the posting writes them:
    balances, activity (a customer's own: cash in or out, money sent) and today's running
    total of customer debits. Returns the legs as posted."""
    customer_activity = kind in CUSTOMER_ACTIVITY_KINDS
    posted: list[PostedEntry] = []
    for leg in legs:
        account = accounts[leg.account_id]
        account.balance += leg.amount
        account.last_activity_at = now
        if customer_activity or (kind == Journal.Kind.TRANSFER and leg.amount < 0):
            account.last_customer_activity_at = now
        if kind in CUSTOMER_DEBIT_KINDS and leg.amount < 0:
            account.debit_day_total = _debited_on(account, today) - leg.amount
            account.debit_day = today
        posted.append(PostedEntry(account, leg.amount, account.balance))
    return posted


def _journal_saved(journal: Journal, pk: int, alias: str) -> None:
    """Mark a Journal written by our own statement to database `alias` as saved, as Django's
    save would. The caller reads the alias once: `connection.alias` is a thread-local
    look-up (1.5 ms for a batch's 1,000 journals, while their accounts are locked)."""
    journal.pk = pk
    journal._state.adding = False
    journal._state.db = alias


def _journals_post(
    *,
    postings: Sequence[Posting],
    accounts: dict[int, Account] | dict[int, LockedAccount],
    now: datetime,
    initiated_by: User | None,
) -> list[Journal]:
    """Write journals over accounts the caller has locked and checked: the journals, their
    entries and every balance they move in one statement (PostgreSQL), however many there are."""
    journals: list[Journal] = []
    touched: dict[int, Account | LockedAccount] = {}
    today = timezone.localdate(now)
    author = initiated_by.pk if initiated_by is not None else None
    # A journal made ahead may have its reference already (a batch's, made before its lock).
    references = iter(_references_new([p.kind for p in postings if not (p.journal and p.journal.reference)], now))
    for posting in postings:
        kind = posting.kind
        journal = posting.journal or _journal_draft(kind, posting.description, posting.reversal_of)
        journal.reference = journal.reference or next(references)
        journal.initiated_by_id = author
        journal.created_at = now
        # for the caller's receipt
        journal.posted_entries = _legs_apply(kind, posting.legs, accounts, now=now, today=today)  # type: ignore[attr-defined]
        for leg in posting.legs:
            touched[leg.account_id] = accounts[leg.account_id]
        journals.append(journal)
    if not journals:
        return []  # a batch whose every item was refused moves nothing
    changed = [touched[pk] for pk in sorted(touched)]
    if connection.vendor == "postgresql":
        # The audit event rides in the same statement: one round trip fewer while the
        # accounts are locked.
        _ledger_write_postgresql(journals=journals, accounts=changed, now=now, initiated_by=initiated_by)
    else:
        Journal.objects.bulk_create(journals)
        Entry.objects.bulk_create(
            Entry(
                journal=journal, account_id=e.account.pk, amount=e.amount, balance_after=e.balance_after, created_at=now
            )
            for journal in journals
            for e in journal.posted_entries  # type: ignore[attr-defined]
        )
        Account.objects.bulk_update(changed, LEDGER_ACCOUNT_FIELDS)  # type: ignore[arg-type]  # models on SQLite
        JournalOutbox.objects.create(journal_ids=[journal.pk for journal in journals])
        audit_record(**_journals_audit_event(journals=journals, initiated_by=initiated_by), obj=journals[0])
    # Money received / sent notifications are made from the outbox by a task once the
    # money has moved: nothing of theirs but the outbox row is written in the posting.
    transaction.on_commit(journal_outbox_drain_soon, robust=True)
    return journals


# What a posting changes on an account row.
LEDGER_ACCOUNT_FIELDS = ["balance", "last_activity_at", "last_customer_activity_at", "debit_day", "debit_day_total"]

# One round trip for a whole posting: journals, their entries (joined back to their journal
# by its unique reference), the new state of every account touched, and the outbox row
# from which the notifications are made once it commits. Rows come as arrays
# (unnest), so the statement is the same text whatever the batch size.
_LEDGER_WRITE = """
WITH journal AS (
    INSERT INTO transactions_journal (kind, reference, description, initiated_by_id, reversal_of_id, created_at)
    SELECT kind, reference, description, %(initiated_by)s, reversal_of, %(now)s
      FROM unnest(%(kinds)s::text[], %(references)s::text[], %(descriptions)s::text[], %(reversals)s::bigint[])
           AS j(kind, reference, description, reversal_of)
    RETURNING id, reference
), entry AS (
    INSERT INTO transactions_entry (journal_id, account_id, amount, balance_after, created_at)
    SELECT journal.id, leg.account_id, leg.amount, leg.balance_after, %(now)s
      FROM unnest(%(leg_journals)s::integer[], %(leg_accounts)s::bigint[], %(leg_amounts)s::numeric[],
                  %(leg_balances)s::numeric[]) WITH ORDINALITY AS leg(j, account_id, amount, balance_after, n)
      JOIN journal ON journal.reference = (%(references)s::text[])[leg.j]
     ORDER BY leg.n
), account AS (
    -- Every account touched was active now; a customer's own activity, and today's running
    -- total of debits, only where the posting changed them (NULL keeps the row's value).
    UPDATE accounts_account a
       SET balance = t.balance, last_activity_at = %(now)s,
           last_customer_activity_at = CASE WHEN t.customer_active THEN %(now)s ELSE a.last_customer_activity_at END,
           debit_day = CASE WHEN t.debit_day_total IS NULL THEN a.debit_day ELSE %(today)s END,
           debit_day_total = coalesce(t.debit_day_total, a.debit_day_total)
      FROM unnest(%(ids)s::bigint[], %(balances)s::numeric[], %(customer_active)s::boolean[],
                  %(debit_totals)s::numeric[]) AS t(id, balance, customer_active, debit_day_total)
     WHERE a.id = t.id
), outbox AS (
    INSERT INTO notifications_journaloutbox (journal_ids, created_at)
    SELECT jsonb_agg(id ORDER BY id), %(now)s FROM journal
), {audit}
SELECT id, reference FROM journal
"""
# The posting's audit event names its first journal, which this statement creates.
_FIRST_JOURNAL_ID = "(SELECT id FROM journal WHERE reference = (%(references)s::text[])[1])"


def _array_literal(values: Iterable[object]) -> str:
    """A PostgreSQL array literal ('{...}') of numbers, booleans, NULLs (None) and texts, sent
    as one string parameter. psycopg adapts a Python list element by element (with Django's
    client-side binding, DB_SERVER_SIDE_BINDING=false, it renders each into the statement:
    15 ms for one posting of 1,000 transfers, measured before server-side binding came);
    one string is adapted once. Texts are double-quoted with backslash escapes, so any text
    is kept as is."""
    items = []
    for value in values:
        if value is None:
            items.append("NULL")
        elif isinstance(value, bool):
            items.append("t" if value else "f")
        elif isinstance(value, str):
            items.append('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"')
        else:  # int, Decimal: their str() is PostgreSQL's input syntax
            items.append(str(value))
    return "{" + ",".join(items) + "}"


def _ledger_write_postgresql(
    *, journals: list[Journal], accounts: list[Account | LockedAccount], now: datetime, initiated_by: User | None
) -> None:
    # Arrays, the fewest and cheapest to send (each as one literal, see _array_literal): a
    # timestamp array of 1,000 cost 3 ms to send and parse, so what is `now` for every row
    # is a scalar.
    today = timezone.localdate(now)
    leg_journals, leg_accounts, leg_amounts, leg_balances = [], [], [], []
    for position, journal in enumerate(journals, start=1):
        for entry in journal.posted_entries:  # type: ignore[attr-defined]
            leg_journals.append(position)
            leg_accounts.append(entry.account.pk)
            leg_amounts.append(entry.amount)
            leg_balances.append(entry.balance_after)
    audit = audit_step(
        **_journals_audit_event(journals=journals, initiated_by=initiated_by),
        object_type=Journal._meta.label_lower,
        object_id_sql=_FIRST_JOURNAL_ID,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            _ledger_write_sql(audit.ctes),
            {
                **audit.params,
                "initiated_by": initiated_by.pk if initiated_by is not None else None,
                "now": now,
                "kinds": _array_literal(j.kind for j in journals),
                "references": _array_literal(j.reference for j in journals),
                "descriptions": _array_literal(j.description for j in journals),
                "reversals": _array_literal(j.reversal_of_id for j in journals),
                "today": today,
                "leg_journals": _array_literal(leg_journals),
                "leg_accounts": _array_literal(leg_accounts),
                "leg_amounts": _array_literal(leg_amounts),
                "leg_balances": _array_literal(leg_balances),
                "ids": _array_literal(a.pk for a in accounts),
                "balances": _array_literal(a.balance for a in accounts),
                "customer_active": _array_literal(a.last_customer_activity_at == now for a in accounts),
                "debit_totals": _array_literal(a.debit_day_total if a.debit_day == today else None for a in accounts),
            },
        )
        ids = {reference: pk for pk, reference in cursor.fetchall()}
    alias = connection.alias
    for journal in journals:
        _journal_saved(journal, ids[journal.reference], alias)


def _journal_audit_content(journal: Journal, legs: Iterable[tuple[str, Decimal]]) -> dict:
    """A journal as its posting's audit event names it; `legs` as (account number, amount)."""
    return {
        "reference": journal.reference,
        "kind": journal.kind,
        "description": journal.description,
        "reversal_of": journal.reversal_of_id,
        "legs": [[number, amount] for number, amount in legs],
    }


def _journal_audit_piece(journal: Journal, legs: Iterable[tuple[str, Decimal]]) -> str:
    """_journal_audit_content in the chain's canonical JSON, made ahead of the posting (kept
    on the journal as `audit_piece`; _journals_audit_event joins the pieces)."""
    return canonical_json(jsonable(_journal_audit_content(journal, legs)))


def _journals_audit_event(*, journals: Sequence[Journal], initiated_by: User | None) -> dict:
    """The one audit event of a posting (a batch too), but its object's id: the first journal."""
    first = journals[0]
    pieces = [getattr(journal, "audit_piece", None) for journal in journals]
    if all(pieces):
        after: dict | CanonicalJSON = CanonicalJSON('{"journals":[' + ",".join(pieces) + "]}")  # type: ignore[arg-type]
    else:
        after = {
            "journals": [
                _journal_audit_content(journal, ((e.account.number, e.amount) for e in journal.posted_entries))  # type: ignore[attr-defined]
                for journal in journals
            ]
        }
    return {
        "action": f"journal.{first.kind}" if len(journals) == 1 else "journal.batch",
        "actor": initiated_by,
        "object_repr": first.reference if len(journals) == 1 else f"{len(journals)} journals from {first.reference}",
        "after": after,
    }


def _journal_post(
    *,
    kind: str,
    legs: Sequence[Leg],
    accounts: dict[int, Account],
    now: datetime,
    description: str,
    initiated_by: User | None,
    reversal_of: Journal | None = None,
) -> Journal:
    posting = Posting(kind=kind, legs=legs, description=description, reversal_of=reversal_of)
    return _journals_post(postings=[posting], accounts=accounts, now=now, initiated_by=initiated_by)[0]


def _journal_check(
    *, kind: str, request: JournalRequest, locked: dict[int, Account], pending: dict[int, Decimal]
) -> Posting:
    """The rules every journal of another app's service obeys, over accounts locked by the
    caller; `pending` is the net change already planned for each account in the same batch
    (updated here once the journal passes). Raises the refusal."""
    legs = request.legs
    if len(legs) < 2 or any(leg.amount == 0 for leg in legs):
        raise ApplicationError("journal_invalid", "A journal needs at least two non-zero legs.")
    totals: dict[str, Decimal] = {}
    for leg in legs:
        account = locked[leg.account_id]
        totals[account.currency] = totals.get(account.currency, ZERO) + leg.amount
        if decimal_places(leg.amount) > CURRENCY_EXPONENTS[account.currency]:
            raise ApplicationError("too_many_decimal_places", f"{leg.amount} is finer than {account.currency} allows.")
    if any(total != 0 for total in totals.values()):
        raise ApplicationError("journal_unbalanced", f"The legs do not balance: {totals}.")
    net: dict[int, Decimal] = {}
    for leg in legs:
        net[leg.account_id] = net.get(leg.account_id, ZERO) + leg.amount
    for account_id, change in net.items():
        account = locked[account_id]
        if account.kind != Account.Kind.CUSTOMER:
            continue
        _refuse_unless_can_receive(account, "account")
        if change < 0 and account.balance + pending.get(account_id, ZERO) + change < -account.overdraft_limit:
            raise ApplicationError(
                "insufficient_funds",
                f"Account {account.number} cannot go below its overdraft limit.",
                field="account",
            )
    for account_id, change in net.items():
        pending[account_id] = pending.get(account_id, ZERO) + change
    return Posting(kind=kind, legs=legs, description=request.description)


@dataclass(frozen=True)
class JournalRequest:
    """One journal of a batch (journal_batch_create): balanced legs and a description."""

    legs: Sequence[Leg]
    description: str


@observe_movement()
@retry_on_conflict
@transaction.atomic
def journal_create(
    *,
    kind: str,
    legs: Sequence[Leg],
    description: str,
    initiated_by: User | None = None,
) -> Journal:
    """Post a balanced journal of any shape (interest, loans, fees, interbank...).

    For other apps' services: it locks every account involved (ascending key order),
    refuses closed customer accounts and any customer balance that would pass its
    overdraft limit, and checks the legs balance per currency before writing. Customer
    limits and account status rules for customer-initiated debits are the caller's to
    apply (deposit/withdrawal/transfer below do).
    """
    request = JournalRequest(legs=legs, description=description)
    locked = _accounts_lock(leg.account_id for leg in legs)
    posting = _journal_check(kind=kind, request=request, locked=locked, pending={})
    return _journals_post(postings=[posting], accounts=locked, now=timezone.now(), initiated_by=initiated_by)[0]


@observe_movement(timed_as="journal_batch")
@retry_on_conflict
@transaction.atomic
def journal_batch_create(
    *, kind: str, journals: Sequence[JournalRequest], initiated_by: User | None = None
) -> list[Journal | ApplicationError]:
    """Many journals of one kind in one database transaction (interest posting, say).

    The rules are journal_create's, applied to each journal as if the ones before it had
    posted; a journal that breaks them is refused on its own (the result, per request, is
    the journal or the refusal) and writes nothing. Every account is locked once, in key
    order, and the writes are journal_create's statements whatever the batch's size: one
    INSERT of journals, one of entries, one UPDATE of balances, one audit event, and one
    outbox row for their notifications (all but the audit event in one statement).
    """
    ids = {leg.account_id for request in journals for leg in request.legs}
    locked = _accounts_lock(ids)
    pending: dict[int, Decimal] = {}
    plan: list[Posting | ApplicationError] = []
    for request in journals:
        try:
            plan.append(_journal_check(kind=kind, request=request, locked=locked, pending=pending))
        except ApplicationError as refusal:
            plan.append(refusal)
    postings = [outcome for outcome in plan if isinstance(outcome, Posting)]
    if not postings:
        return plan  # type: ignore[return-value]  # refusals only
    posted = iter(_journals_post(postings=postings, accounts=locked, now=timezone.now(), initiated_by=initiated_by))
    return [outcome if isinstance(outcome, ApplicationError) else next(posted) for outcome in plan]


@observe_movement(Journal.Kind.DEPOSIT)
@retry_on_conflict
@transaction.atomic
def deposit_create(
    *, account: Account, amount: Decimal, description: str = "", initiated_by: User | None = None
) -> Journal:
    amount = amount_validate(amount=amount, currency=account.currency)
    vault = gl_account_get_or_create(code=Account.GlCode.CASH_VAULT, currency=account.currency)
    locked = _accounts_lock([account.pk, vault.pk])
    _refuse_unless_can_receive(locked[account.pk], "account")
    return _journal_post(
        kind=Journal.Kind.DEPOSIT,
        legs=[Leg(account.pk, amount), Leg(vault.pk, -amount)],
        accounts=locked,
        now=timezone.now(),
        description=description or "Cash deposit",
        initiated_by=initiated_by,
    )


@observe_movement(Journal.Kind.WITHDRAWAL)
@retry_on_conflict
@transaction.atomic
def withdrawal_create(
    *, account: Account, amount: Decimal, description: str = "", initiated_by: User | None = None
) -> Journal:
    amount = amount_validate(amount=amount, currency=account.currency)
    vault = gl_account_get_or_create(code=Account.GlCode.CASH_VAULT, currency=account.currency)
    locked = _accounts_lock([account.pk, vault.pk])
    source = locked[account.pk]
    now = timezone.now()
    _refuse_unless_can_send(source, "account")
    _refuse_customer_debit(source, amount, debited_today=_debited_today(source, now), field="account")
    return _journal_post(
        kind=Journal.Kind.WITHDRAWAL,
        legs=[Leg(account.pk, -amount), Leg(vault.pk, amount)],
        accounts=locked,
        now=now,
        description=description or "Cash withdrawal",
        initiated_by=initiated_by,
    )


@dataclass(frozen=True)
class TransferRequest:
    source: Account | AccountRef
    destination: Account | AccountRef
    amount: Decimal
    description: str = ""


def _transfer_precheck(request: TransferRequest) -> TransferRequest:
    """What can be refused before any lock is taken."""
    if request.source.pk == request.destination.pk:
        raise ApplicationError(
            "same_account",
            "The source and destination accounts are the same.",
            status=status.HTTP_400_BAD_REQUEST,
            field="destination_account",
        )
    amount = amount_validate(amount=request.amount, currency=request.source.currency)
    _refuse_currency_mismatch(request.destination, request.source.currency, "destination_account")
    return replace(request, amount=amount)


def _transfer_description(request: TransferRequest) -> str:
    return request.description or f"Transfer to {request.destination.number}"


def _transfer_refuse(
    request: TransferRequest,
    sender: Account | LockedAccount,
    receiver: Account | LockedAccount,
    *,
    debited_today: Decimal,
    pending: Decimal = ZERO,
) -> None:
    """A transfer's rules over its two locked accounts (after _transfer_precheck): raises
    the refusal. `pending` is what the same batch already moves out of or into the sender."""
    _refuse_unless_can_send(sender, "source_account")
    _refuse_unless_can_receive(receiver, "destination_account")
    _refuse_customer_debit(sender, request.amount, debited_today=debited_today, pending=pending, field="source_account")


def _transfers_plan(
    requests: Sequence[TransferRequest], *, now: datetime
) -> tuple[list[Posting | ApplicationError], dict[int, Account] | dict[int, LockedAccount]]:
    """Check every transfer as if the ones before it had posted; lock all accounts once.
    `now` is the posting's instant.

    Returns, per request, the posting to write or the refusal, and the locked accounts
    (see _accounts_lock).
    """
    plan: list[Posting | ApplicationError] = []
    checked: list[TransferRequest | None] = []
    drafts: list[Posting | None] = []  # what each would post, made before the lock
    for request in requests:
        try:
            request = _transfer_precheck(request)
        except ApplicationError as error:
            checked.append(None)
            drafts.append(None)
            plan.append(error)
            continue
        checked.append(request)
        description = _transfer_description(request)
        drafts.append(
            Posting(
                kind=Journal.Kind.TRANSFER,
                legs=[Leg(request.source.pk, -request.amount), Leg(request.destination.pk, request.amount)],
                description=description,
                journal=_journal_draft(Journal.Kind.TRANSFER, description),
            )
        )
        plan.append(None)  # type: ignore[arg-type]  # filled in below
    # Each journal's reference and its piece of the audit event, made before the lock, so
    # that the accounts are not held while they are built (12-13 ms for 1,000 transfers).
    references = iter(_references_new([Journal.Kind.TRANSFER] * sum(r is not None for r in checked), now))
    for request, draft in zip(checked, drafts, strict=True):
        if request is not None:
            draft.journal.reference = next(references)  # type: ignore[union-attr]
            legs = ((request.source.number, -request.amount), (request.destination.number, request.amount))
            draft.journal.audit_piece = _journal_audit_piece(draft.journal, legs)  # type: ignore[union-attr]
    ids = {pk for r in checked if r for pk in (r.source.pk, r.destination.pk)}
    locked = _accounts_lock(ids)
    today = timezone.localdate(now)
    debited = {r.source.pk: _debited_on(locked[r.source.pk], today) for r in checked if r}
    pending = dict.fromkeys(ids, ZERO)
    for index, request in enumerate(checked):
        if request is None:
            continue
        sender, receiver = locked[request.source.pk], locked[request.destination.pk]
        try:
            _transfer_refuse(request, sender, receiver, debited_today=debited[sender.pk], pending=pending[sender.pk])
        except ApplicationError as error:
            plan[index] = error
            continue
        pending[sender.pk] -= request.amount
        pending[receiver.pk] += request.amount
        debited[sender.pk] += request.amount
        draft = drafts[index]
        if (sender.number, receiver.number) != (request.source.number, request.destination.number):
            # The event names the accounts as locked: a request whose numbers are not the
            # rows' (no caller of ours makes one) has its piece made from the rows instead.
            draft.journal.audit_piece = None  # type: ignore[union-attr]
        plan[index] = draft  # type: ignore[assignment]  # made for every request that passed the precheck
    return plan, locked


@observe_movement(Journal.Kind.TRANSFER)
@retry_on_conflict
def transfer_create(
    *,
    source: Account,
    destination: Account,
    amount: Decimal,
    description: str = "",
    initiated_by: User | None = None,
    savepoint: bool = True,
) -> Journal:
    """`savepoint=False` for a caller whose own atomic block lets no error raised here go
    uncaught by it (fraud screening's, risk.services): that block's savepoint or transaction
    rolls back whatever this wrote, so a savepoint here would buy nothing and cost two round
    trips (SAVEPOINT, RELEASE) on every transfer. Should such a caller catch the error
    anyway, Django refuses its next query until its block rolls back."""
    with transaction.atomic(savepoint=savepoint):
        request = TransferRequest(source, destination, amount, description)
        if connection.vendor == "postgresql":
            return _transfer_post_postgresql(_transfer_precheck(request), initiated_by=initiated_by)
        now = timezone.now()
        [outcome], locked = _transfers_plan([request], now=now)
        if isinstance(outcome, ApplicationError):
            raise outcome
        return _journals_post(postings=[outcome], accounts=locked, now=now, initiated_by=initiated_by)[0]


# A single transfer in one statement (PostgreSQL): it locks both accounts in key order (the
# lock every posting takes, _ACCOUNTS_LOCK), writes the journal, its two entries, both
# balances, the outbox row and the audit event, and returns the locked rows as they were
# before the transfer. It writes only when its guard holds: the transfer's rules
# (_transfer_refuse) restated in SQL, and the account numbers the audit event names.
#
# The rules in Python stay the authority: _transfer_post_postgresql runs them on the rows
# returned, before COMMIT. A transfer they refuse is rolled back even if the guard let it
# through; one they pass that the guard stopped is posted by _journals_post over the rows
# this statement locked. So the guard can only make a transfer slower, never let a wrong
# one commit; it is there so that the hot path is one round trip, and the accounts stay
# locked for that statement, the rules' check and the COMMIT only (a lock statement, then
# Python building the posting, then a write statement kept a busy account locked through
# all three).
_TRANSFER_POST = """
WITH p AS (
    SELECT %(source)s::bigint AS source, %(destination)s::bigint AS destination, %(amount)s::numeric AS amount,
           %(now)s::timestamptz AS now, %(today)s::date AS today
), locked AS ({lock}), verdict AS (
    SELECT s.balance - p.amount AS source_after, d.balance + p.amount AS destination_after,
           CASE WHEN s.debit_day = p.today THEN s.debit_day_total ELSE 0 END + p.amount AS debited_today
      FROM p, locked s, locked d
     WHERE s.id = p.source AND d.id = p.destination
       AND s.number = %(source_number)s::text AND d.number = %(destination_number)s::text
       AND s.status = 'active' AND d.status <> 'closed'
       AND p.amount <= s.per_transaction_limit
       AND p.amount <= s.balance - s.held_amount - s.minimum_balance + s.overdraft_limit
       AND CASE WHEN s.debit_day = p.today THEN s.debit_day_total ELSE 0 END + p.amount <= s.daily_debit_limit
), journal AS (
    INSERT INTO transactions_journal (kind, reference, description, initiated_by_id, reversal_of_id, created_at)
    SELECT 'transfer', %(reference)s::text, %(description)s::text, %(initiated_by)s::integer, NULL, p.now
      FROM p, verdict
    RETURNING id
), entry AS (
    INSERT INTO transactions_entry (journal_id, account_id, amount, balance_after, created_at)
    SELECT journal.id, p.source, -p.amount, v.source_after, p.now FROM p, journal, verdict v
     UNION ALL
    SELECT journal.id, p.destination, p.amount, v.destination_after, p.now FROM p, journal, verdict v
), account AS (
    UPDATE accounts_account a
       SET balance = CASE WHEN a.id = p.source THEN v.source_after ELSE v.destination_after END,
           last_activity_at = p.now,
           last_customer_activity_at = CASE WHEN a.id = p.source THEN p.now ELSE a.last_customer_activity_at END,
           debit_day = CASE WHEN a.id = p.source THEN p.today ELSE a.debit_day END,
           debit_day_total = CASE WHEN a.id = p.source THEN v.debited_today ELSE a.debit_day_total END
      FROM p, verdict v
     WHERE a.id IN (p.source, p.destination)
), outbox AS (
    INSERT INTO notifications_journaloutbox (journal_ids, created_at)
    SELECT jsonb_build_array(journal.id), p.now FROM p, journal
), {audit}
SELECT locked.*, (SELECT id FROM journal) FROM locked
"""


def _transfer_post_postgresql(request: TransferRequest, *, initiated_by: User | None) -> Journal:
    """transfer_create on PostgreSQL, in the one statement _TRANSFER_POST (see there)."""
    now = timezone.now()
    today = timezone.localdate(now)
    source, destination, amount = request.source, request.destination, request.amount
    description = _transfer_description(request)
    journal = _journal_draft(Journal.Kind.TRANSFER, description)
    journal.reference = _reference_new(Journal.Kind.TRANSFER, now)
    journal.initiated_by_id = initiated_by.pk if initiated_by is not None else None
    journal.created_at = now
    # The audit event names the legs by the numbers the caller gave; the guard checks them.
    journal.posted_entries = [PostedEntry(source, -amount, None), PostedEntry(destination, amount, None)]  # type: ignore[attr-defined, arg-type]
    audit = audit_step(
        **_journals_audit_event(journals=[journal], initiated_by=initiated_by),
        object_type=Journal._meta.label_lower,
        object_id_sql="(SELECT id FROM journal)",
    )
    # Its own statement must be planned generically too, so the setting goes first (the
    # lock inside the statement would set it too late for that).
    generic_plans_allow()
    with connection.cursor() as cursor:
        cursor.execute(
            _transfer_post_sql(audit.ctes),
            {
                **audit.params,
                "ids": _array_literal(sorted((source.pk, destination.pk))),
                "source": source.pk,
                "destination": destination.pk,
                "source_number": source.number,
                "destination_number": destination.number,
                "amount": amount,
                "today": today,
                "now": now,
                "reference": journal.reference,
                "description": description,
                "initiated_by": journal.initiated_by_id,
            },
        )
        rows = cursor.fetchall()
    locked = {row[0]: LockedAccount(*row[:-1]) for row in rows}
    sender, receiver = locked[source.pk], locked[destination.pk]
    # The authority: a refusal here rolls back whatever the statement wrote.
    _transfer_refuse(request, sender, receiver, debited_today=_debited_on(sender, today))
    legs = [Leg(source.pk, -amount), Leg(destination.pk, amount)]
    journal_id = rows[0][-1]
    if journal_id is None:  # the guard stopped what the rules pass: post it the general way
        logger.warning("transfer_guard_disagreed", source=source.pk, destination=destination.pk)
        TRANSFER_GUARD_FALLBACKS.inc()
        posting = Posting(kind=Journal.Kind.TRANSFER, legs=legs, description=description)
        return _journals_post(postings=[posting], accounts=locked, now=now, initiated_by=initiated_by)[0]
    # The statement wrote what _journals_post would have: the same values on the locked rows.
    journal.posted_entries = _legs_apply(Journal.Kind.TRANSFER, legs, locked, now=now, today=today)  # type: ignore[attr-defined]
    _journal_saved(journal, journal_id, connection.alias)
    transaction.on_commit(journal_outbox_drain_soon, robust=True)
    return journal


@functools.cache
def _ledger_write_sql(audit_ctes: str) -> str:
    return _LEDGER_WRITE.format(audit=audit_ctes)


@functools.cache
def _transfer_post_sql(audit_ctes: str) -> str:
    # Whitespace collapsed (the text has no comments or spaced literals): psycopg caches the
    # conversion of a statement of up to 4,096 characters only, and converting this one
    # afresh cost 0.4 ms of CPU per transfer (it is 4,130 characters as written).
    sql = _TRANSFER_POST.format(lock=_ACCOUNTS_LOCK.replace("%s", "%(ids)s"), audit=audit_ctes)
    return " ".join(sql.split())


@observe_movement(Journal.Kind.INTERBANK)
@retry_on_conflict
@transaction.atomic
def transfer_out_create(
    *, source: Account, amount: Decimal, description: str, initiated_by: User | None = None
) -> Journal:
    """The debit of a transfer to an account held elsewhere (another node or bank): the
    money leaves the source for the interbank clearing account, where it waits until the
    other side credits it (or it comes back). The customer's rules are a transfer's."""
    amount = amount_validate(amount=amount, currency=source.currency)
    clearing = gl_account_get_or_create(code=Account.GlCode.INTERBANK_CLEARING, currency=source.currency)
    locked = _accounts_lock([source.pk, clearing.pk])
    sender, now = locked[source.pk], timezone.now()
    _refuse_unless_can_send(sender, "source_account")
    _refuse_customer_debit(sender, amount, debited_today=_debited_today(sender, now), field="source_account")
    return _journal_post(
        kind=Journal.Kind.INTERBANK,
        legs=[Leg(sender.pk, -amount), Leg(clearing.pk, amount)],
        accounts=locked,
        now=now,
        description=description,
        initiated_by=initiated_by,
    )


BATCH_MAX = 1000


@observe_movement(Journal.Kind.TRANSFER, timed_as="transfer_batch")
@retry_on_conflict
@transaction.atomic
def transfer_batch_create(
    *, transfers: Sequence[TransferRequest], atomic: bool, initiated_by: User | None = None
) -> list[Journal | ApplicationError]:
    """Up to BATCH_MAX transfers in one database transaction.

    Each is checked as if the ones before it had posted (so a batch cannot overspend).
    `atomic`: all post or none does (like linked transfers), refused with every item's
    reason. Otherwise each item posts or is refused on its own; the result per item says
    which. Either way the writes are three statements, whatever the batch size.
    """
    if not 1 <= len(transfers) <= BATCH_MAX:
        raise ApplicationError(
            "batch_size_invalid", f"A batch holds 1 to {BATCH_MAX} transfers.", status=400, field="transfers"
        )
    now = timezone.now()
    plan, locked = _transfers_plan(transfers, now=now)
    refusals = {index: outcome for index, outcome in enumerate(plan) if isinstance(outcome, ApplicationError)}
    if atomic and refusals:
        raise ApplicationError(
            "batch_refused",
            f"{len(refusals)} of {len(plan)} transfers were refused, so none was posted.",
            extra={"refused": [{"index": i, "code": e.code, "detail": e.detail} for i, e in sorted(refusals.items())]},
        )
    postings = [outcome for outcome in plan if isinstance(outcome, Posting)]
    journals = iter(_journals_post(postings=postings, accounts=locked, now=now, initiated_by=initiated_by))
    return [outcome if isinstance(outcome, ApplicationError) else next(journals) for outcome in plan]


@observe_movement(Journal.Kind.REVERSAL)
@retry_on_conflict
@transaction.atomic
def journal_reverse(*, journal: Journal, reason: str, initiated_by: User | None) -> Journal:
    """Post the mirror image of `journal` (staff only; the API checks the role).

    The original stays as it was; the pair nets to zero on every account. A reversal is
    refused where it would take a customer account past its overdraft limit or touch a
    closed account: such a case needs a person to decide, not an automatic correction.
    """
    if journal.kind == Journal.Kind.REVERSAL:
        raise ApplicationError("journal_not_reversible", "A reversal cannot itself be reversed.")
    original = list(journal.entries.order_by("pk").values_list("account_id", "amount"))
    locked = _accounts_lock(account_id for account_id, _ in original)
    # Checked under the account locks, so two staff reversing at once cannot both pass.
    if Journal.objects.filter(reversal_of=journal).exists():
        raise ApplicationError(
            "journal_already_reversed", f"Journal {journal.reference} is already reversed.", status=409
        )
    legs = [Leg(account_id, -amount) for account_id, amount in original]
    for leg in legs:
        account = locked[leg.account_id]
        if account.kind != Account.Kind.CUSTOMER:
            continue
        _refuse_unless_can_receive(account, "journal")
        if account.balance + leg.amount < -account.overdraft_limit:
            raise ApplicationError(
                "insufficient_funds",
                f"Reversing would take account {account.number} below its overdraft limit.",
                field="journal",
            )
    return _journal_post(
        kind=Journal.Kind.REVERSAL,
        legs=legs,
        accounts=locked,
        now=timezone.now(),
        description=f"Reversal of {journal.reference}: {reason}"[:255],
        initiated_by=initiated_by,
        reversal_of=journal,
    )


ENTRY_TABLE = "transactions_entry"


@transaction.atomic
def entry_partition_archive(*, month: date) -> str:
    """Detach the oldest monthly partition of the ledger's entries (PostgreSQL) so it can be
    dumped and dropped; returns the detached table's name.

    Only a past month, only the oldest one still attached (so what stays is always a
    contiguous recent history), and only when no journal has entries on both sides of the
    cut. Each account's total over the month is kept (ArchivedEntryTotal) in the same
    transaction, so the integrity check still proves balance = history.
    """
    if not partitions.is_partitioned(ENTRY_TABLE):
        raise ApplicationError("not_partitioned", "The ledger is not partitioned on this database.", status=400)
    month = partitions.month_start(month)
    # DETACH takes this lock anyway; taking it first makes the checks below hold until commit.
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {ENTRY_TABLE} IN ACCESS EXCLUSIVE MODE")
    monthly = [p for p in partitions.partitions_list(ENTRY_TABLE) if p.month is not None]
    if month >= partitions.month_start(timezone.now().astimezone(UTC).date()):
        raise ApplicationError("partition_current", "Only past months can be archived.", status=400, field="month")
    if not monthly or monthly[0].month != month:
        oldest = f"{monthly[0].month:%Y-%m}" if monthly else "none"
        raise ApplicationError(
            "partition_not_oldest", f"Only the oldest attached month ({oldest}) can be archived.", field="month"
        )
    name = monthly[0].name
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT 1 FROM "{name}" p JOIN {ENTRY_TABLE} e ON e.journal_id = p.journal_id '  # noqa: S608
            f"AND e.tableoid <> '\"{name}\"'::regclass LIMIT 1"
        )
        if cursor.fetchone():
            raise ApplicationError("partition_journal_split", f"A journal in {name} has entries in another month.")
        cursor.execute(
            f'SELECT 1 FROM "{ENTRY_TABLE}_default" WHERE created_at < %s LIMIT 1',  # noqa: S608
            [partitions.months_later(month, 1)],
        )
        if cursor.fetchone():
            raise ApplicationError("partition_default_rows", "Older entries sit in the default partition.")
        cursor.execute(
            "INSERT INTO transactions_archivedentrytotal (month, partition, account_id, amount, entries, archived_at) "  # noqa: S608  (our own table name)
            f'SELECT %s, %s, account_id, sum(amount), count(*), now() FROM "{name}" GROUP BY account_id',
            [month, name],
        )
        cursor.execute(f'ALTER TABLE {ENTRY_TABLE} DETACH PARTITION "{name}"')
    return name
