from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import connections
from django.db.models import Count, DecimalField, Exists, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.models import Account
from accounts.selectors import account_list_for
from bankingsystem.money import ZERO
from bankingsystem.partitions import months_later
from customers import roles

from .models import CUSTOMER_DEBIT_KINDS, ArchivedEntryTotal, Entry, Hold, Journal

# What a statement or history row shows, read as plain values (no model instances).
ENTRY_ROW_FIELDS = (
    "pk",
    "journal_id",
    "journal__reference",
    "journal__kind",
    "journal__description",
    "account_id",
    "amount",
    "balance_after",
    "created_at",
)


def statement_entries(*, account: Account) -> QuerySet[Entry]:
    """An account's entries, newest first (by instant, then id). Keyset pages on the two
    (bankingsystem.pagination.NewestFirstByDatePagination) read about a page of rows at any
    size and from any date: in each month left after pruning, an ordered scan of
    entry_account_created_idx (account_id, created_at), merged; the journal is joined for
    those rows only."""
    return Entry.objects.filter(account=account).select_related("journal").order_by("-created_at", "-pk")


def statement_account_get(*, user: AbstractBaseUser, number: str) -> Account:
    """An account whose statement `user` may read (as account_get_for: another customer's is
    missing, 404), with only its id and number: a statement needs nothing else, and loading
    its branch, type and owner with it cost 4 ms a page."""
    account = account_list_for(user=user).select_related(None).only("pk", "number").filter(number=number).first()
    if account is None:
        raise Http404("No such account.")
    return account


def history_accounts(*, user: AbstractBaseUser, number: str | None = None) -> dict[int, str] | None:
    """The accounts a customer's history covers (id -> number), only `number` when given;
    None for bank staff, whose history is every customer account's."""
    if roles.is_staff_member(user):
        return None
    accounts = account_list_for(user=user)
    if number is not None:
        accounts = accounts.filter(number=number)
    return dict(accounts.order_by("pk").values_list("pk", "number"))


def staff_history_rows(*, entries: QuerySet[Entry]) -> QuerySet:
    """Every customer account's entries (bank staff), newest first, as `ENTRY_ROW_FIELDS` rows
    plus the account number."""
    return (
        entries.filter(account__kind=Account.Kind.CUSTOMER).order_by("-pk").values(*ENTRY_ROW_FIELDS, "account__number")
    )


class EntriesOfAccounts:
    """Keyset pages over the entries of several accounts (a customer's history), newest first.

    Left to itself PostgreSQL reads every entry of every account and sorts them for one
    page (1.3 s at 80,000 entries), or walks the whole ledger by id. Here each account is
    read newest first through entry_account_id_idx, only as far as the page can need (two
    rounds, see `_rows`), and the journal is joined for the page's rows only: the cost
    follows the page size and the number of accounts, not the size of the ledger.

    `entries` is an Entry queryset carrying the filters (not the accounts). The object
    speaks the part of QuerySet that DRF's CursorPagination uses: order_by("-pk" or
    "pk"), filter(pk__lt=... or pk__gt=...) and a slice, which runs one query and returns
    dicts shaped like `.values(*ENTRY_ROW_FIELDS)`.
    """

    def __init__(
        self,
        entries: QuerySet[Entry],
        account_ids: list[int],
        *,
        descending: bool = True,
        bound: tuple[str, object] | None = None,
    ) -> None:
        self.entries = entries
        self.account_ids = account_ids
        self.descending = descending
        self.bound = bound

    def order_by(self, *ordering: str) -> EntriesOfAccounts:
        if len(ordering) != 1 or ordering[0].lstrip("-") != "pk":
            raise ValueError(f"EntriesOfAccounts orders by pk only, not {ordering}")
        return EntriesOfAccounts(
            self.entries, self.account_ids, descending=ordering[0].startswith("-"), bound=self.bound
        )

    def filter(self, **lookups: object) -> EntriesOfAccounts:
        if len(lookups) != 1 or next(iter(lookups)) not in ("pk__lt", "pk__gt"):
            raise ValueError(f"EntriesOfAccounts filters by pk__lt or pk__gt only, not {lookups}")
        (bound,) = lookups.items()
        return EntriesOfAccounts(self.entries, self.account_ids, descending=self.descending, bound=bound)

    def __getitem__(self, window: slice) -> list[dict]:
        if not isinstance(window, slice) or window.step is not None or window.stop is None:
            raise TypeError("EntriesOfAccounts takes a bounded slice")
        return self._rows(window.stop)[window.start or 0 :]

    def _rows(self, limit: int) -> list[dict]:
        if not self.account_ids or limit <= 0:
            return []
        order = "-pk" if self.descending else "pk"
        if connections[self.entries.db].vendor != "postgresql":  # SQLite (`make run`): small books
            rows = self.entries.filter(account_id__in=self.account_ids)
            if self.bound is not None:
                rows = rows.filter(**dict([self.bound]))
            return list(rows.order_by(order).values(*ENTRY_ROW_FIELDS)[:limit])
        # Two rounds in one statement. First each account gives its newest `share` matching
        # entries (an ordered scan of entry_account_id_idx, in a LATERAL subquery), a little
        # more than its part of the page. An account that had `share` rows to give ("cut")
        # may own more of the page, but at most `need` more: the page's size less the
        # sampled rows at or above its last one (that row's `place`; all of them outrank its
        # unsampled rows). Only those are read, in order, in the second round; the merge of
        # both rounds holds the page exactly. Reads stay near page + accounts rows however busy one account is next to
        # the others (a full page from every account read accounts x page: 36,000 entries
        # for 100 accounts and a filter matching one in seven).
        share = -(-limit // len(self.account_ids)) + 1
        first = self._per_account(RawSQL("owned.id", [])).order_by(order)[:share]
        edge = {"pk__lt" if self.descending else "pk__gt": RawSQL("cut.edge", [])}
        rest = self._per_account(RawSQL("cut.account_id", []), **edge).order_by(order)
        connection = connections[self.entries.db]
        first_sql, first_params = first.query.get_compiler(connection=connection).as_sql()
        rest_sql, rest_params = rest.query.get_compiler(connection=connection).as_sql()
        direction, last = ("DESC", "min") if self.descending else ("ASC", "max")
        journal = connection.ops.quote_name(Journal._meta.db_table)
        # Only Django's own compiled SQL, a table name and fixed words are interpolated;
        # every value is a parameter.
        sql = (
            "WITH sampled AS (SELECT picked.* FROM unnest(%s::bigint[]) AS owned(id)"  # noqa: S608
            f" CROSS JOIN LATERAL ({first_sql}) AS picked),"
            f" ranked AS (SELECT account_id, pk, row_number() OVER (ORDER BY pk {direction}) AS place FROM sampled),"
            f" cut AS (SELECT account_id, {last}(pk) AS edge, %s - max(place) AS need FROM ranked"
            " GROUP BY account_id HAVING count(*) >= %s),"
            " rest AS (SELECT picked.* FROM (SELECT * FROM cut WHERE need > 0) AS cut"
            f" CROSS JOIN LATERAL ({rest_sql} LIMIT cut.need) AS picked),"
            f" page AS (SELECT * FROM sampled UNION ALL SELECT * FROM rest ORDER BY pk {direction} LIMIT %s)"
            " SELECT page.pk, page.journal_id, j.reference, j.kind, j.description, page.account_id, page.amount,"
            f" page.balance_after, page.created_at FROM page JOIN {journal} j ON j.id = page.journal_id"
            f" ORDER BY page.pk {direction}"
        )
        params = [self.account_ids, *first_params, limit, share, *rest_params, limit]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [dict(zip(ENTRY_ROW_FIELDS, row, strict=True)) for row in cursor.fetchall()]

    def _per_account(self, account: RawSQL, **bounds: RawSQL) -> QuerySet:
        """One account's matching entries (`account` names it in the enclosing query)."""
        rows = self.entries.filter(account_id=account, **bounds)
        if self.bound is not None:
            rows = rows.filter(**dict([self.bound]))
        return rows.values("pk", "journal_id", "account_id", "amount", "balance_after", "created_at")


def journal_get_for(*, user: AbstractBaseUser, journal_id: int) -> Journal:
    """A journal touching one of the user's accounts (any journal, for staff); else 404."""
    journals = Journal.objects.filter(pk=journal_id)
    if not roles.is_staff_member(user):
        journals = journals.filter(entries__account__in=account_list_for(user=user).values("pk"))
    journal = journals.select_related("reversal_of").first()
    if journal is None:
        raise Http404("No such transaction.")
    return journal


def journal_entries_with_accounts(*, journal: Journal) -> list[Entry]:
    return list(journal.entries.select_related("account__owner").order_by("pk"))


# What the integrity report looks for: its list's name, and what a row of it is.
INTEGRITY_FINDINGS = {
    "unbalanced_journals": "unbalanced journals",
    "balance_mismatches": "balances that differ from their entries",
    "overdraft_breaches": "accounts past their overdraft limit",
    "hold_mismatches": "held amounts that differ from the pending holds",
    "daily_debit_mismatches": "daily debit totals that differ from today's debits",
    "orphan_entries": "entries whose journal or account does not exist",
}


@dataclass
class IntegrityReport:
    """What the ledger check found; `ok` only when every list is empty."""

    checked_at: datetime
    journals: int
    entries: int
    accounts: int
    unbalanced_journals: list[dict] = field(default_factory=list)
    balance_mismatches: list[dict] = field(default_factory=list)
    overdraft_breaches: list[dict] = field(default_factory=list)
    # Money set aside for review (holds) is not in the ledger; what an account says it holds
    # back must still equal its pending holds, or spendable money is wrong.
    hold_mismatches: list[dict] = field(default_factory=list)
    # The daily limit reads today's debits from a running total on the account row; it
    # must equal the sum of today's debit entries, or the limit is checked against a lie.
    daily_debit_mismatches: list[dict] = field(default_factory=list)
    # On PostgreSQL the entries hold no foreign keys (transactions.0011): the commit-time
    # check proves each entry's journal and account exist, and triggers keep them. This
    # proves it again over the whole ledger, as the keys once did.
    orphan_entries: list[dict] = field(default_factory=list)
    totals_by_currency: dict[str, str] = field(default_factory=dict)

    def findings(self) -> dict[str, list[dict]]:
        """Each kind of finding (INTEGRITY_FINDINGS) with its rows."""
        return {name: getattr(self, name) for name in INTEGRITY_FINDINGS}

    @property
    def ok(self) -> bool:
        return not (
            any(self.findings().values()) or any(Decimal(total) != 0 for total in self.totals_by_currency.values())
        )

    def as_dict(self) -> dict:
        return {"ok": self.ok, **asdict(self)}


REPORT_LIMIT = 100


def ledger_integrity_report() -> IntegrityReport:
    """Prove invariants 2 and 3 over the whole ledger, set-based (a few queries, any size)."""
    money = DecimalField(max_digits=18, decimal_places=2)
    unbalanced = (
        Entry.objects.values("journal_id", currency=F("account__currency"))
        .annotate(total=Sum("amount"), legs=Count("pk"))
        .exclude(total=0)
        .order_by("journal_id")[:REPORT_LIMIT]
    )
    # Months archived off the partitioned ledger (PostgreSQL) count through their per-account
    # totals; their journals no longer have live entries to count.
    archived = ArchivedEntryTotal.objects.order_by("-month").values_list("month", flat=True).first()
    lonely_journals = Journal.objects.all()
    if archived is not None:
        lonely_journals = lonely_journals.filter(
            created_at__gte=datetime.combine(months_later(archived, 1), time.min, tzinfo=UTC)
        )
    lonely = lonely_journals.annotate(legs=Count("entries")).filter(legs__lt=2).values("pk", "legs")[:REPORT_LIMIT]

    def total_of(model):  # type: ignore[no-untyped-def]
        rows = model.objects.filter(account=OuterRef("pk")).order_by().values("account")
        return Coalesce(
            Subquery(rows.annotate(total=Sum("amount")).values("total"), output_field=money), Value(0, money)
        )

    mismatched = (
        Account.objects.annotate(entries_total=total_of(Entry) + total_of(ArchivedEntryTotal))
        .exclude(balance=F("entries_total"))
        .values("number", "balance", "entries_total")[:REPORT_LIMIT]
    )
    breaches = Account.objects.filter(kind=Account.Kind.CUSTOMER, balance__lt=-F("overdraft_limit")).values(
        "number", "balance", "overdraft_limit"
    )[:REPORT_LIMIT]
    pending = Hold.objects.filter(account=OuterRef("pk"), status=Hold.Status.PENDING).order_by().values("account")
    held_mismatched = (
        Account.objects.annotate(
            pending_holds=Coalesce(
                Subquery(pending.annotate(total=Sum("amount")).values("total"), output_field=money), Value(0, money)
            )
        )
        .exclude(held_amount=F("pending_holds"))
        .values("number", "held_amount", "pending_holds")[:REPORT_LIMIT]
    )
    totals = Account.objects.values("currency").annotate(total=Sum("balance")).order_by("currency")
    return IntegrityReport(
        checked_at=timezone.now(),
        journals=Journal.objects.count(),
        entries=Entry.objects.count(),
        accounts=Account.objects.count(),
        unbalanced_journals=[
            {"journal": row["journal_id"], "currency": row["currency"], "total": str(row["total"])}
            for row in unbalanced
        ]
        + [{"journal": row["pk"], "currency": None, "total": f"{row['legs']} entries"} for row in lonely],
        balance_mismatches=[
            {"account": row["number"], "balance": str(row["balance"]), "entries_total": str(row["entries_total"])}
            for row in mismatched
        ],
        overdraft_breaches=[
            {"account": row["number"], "balance": str(row["balance"]), "overdraft_limit": str(row["overdraft_limit"])}
            for row in breaches
        ],
        hold_mismatches=[
            {
                "account": row["number"],
                "held_amount": str(row["held_amount"]),
                "pending_holds": str(row["pending_holds"]),
            }
            for row in held_mismatched
        ],
        daily_debit_mismatches=_daily_debit_mismatches(),
        orphan_entries=_orphan_entries(),
        totals_by_currency={row["currency"]: str(row["total"]) for row in totals},
    )


def _orphan_entries() -> list[dict]:
    """Entries naming a journal or an account that does not exist. One anti-join each (an
    OR of the two would be planned as a look-up per entry); unordered, so that a ledger
    without orphans is read once, not sorted."""
    missing_journal = Entry.objects.filter(~Exists(Journal.objects.filter(pk=OuterRef("journal_id"))))
    missing_account = Entry.objects.filter(~Exists(Account.objects.filter(pk=OuterRef("account_id"))))
    found: dict[int, dict] = {}
    for missing, entries in (("journal", missing_journal), ("account", missing_account)):
        for row in entries.order_by().values("pk", "journal_id", "account_id")[:REPORT_LIMIT]:
            orphan = {"entry": row["pk"], "journal": row["journal_id"], "account": row["account_id"], "missing": []}
            found.setdefault(row["pk"], orphan)["missing"].append(missing)
    return [found[pk] for pk in sorted(found)][:REPORT_LIMIT]


def _daily_debit_mismatches() -> list[dict]:
    """Accounts whose running total of today's debits differs from today's debit entries.

    Two indexed looks, both bounded by today's activity: accounts that say they debited
    today, and today's debits on accounts that do not say so."""
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, time.min))
    debits_today = Entry.objects.filter(
        created_at__gte=start,
        created_at__lt=start + timedelta(days=1),
        amount__lt=0,
        journal__kind__in=CUSTOMER_DEBIT_KINDS,
    )
    money = DecimalField(max_digits=18, decimal_places=2)
    per_account = debits_today.filter(account=OuterRef("pk")).order_by().values("account")
    counted = (
        Account.objects.filter(debit_day=today)
        .annotate(
            entries_total=Coalesce(
                Subquery(per_account.annotate(total=-Sum("amount")).values("total"), output_field=money),
                Value(0, money),
            )
        )
        .exclude(debit_day_total=F("entries_total"))
        .values("number", "debit_day_total", "entries_total")[:REPORT_LIMIT]
    )
    uncounted = (
        debits_today.exclude(account__debit_day=today)
        .values("account__number")
        .annotate(entries_total=-Sum("amount"))
        .order_by("account__number")[:REPORT_LIMIT]
    )
    found = [(row["number"], row["debit_day_total"], row["entries_total"]) for row in counted]
    found += [(row["account__number"], ZERO, row["entries_total"]) for row in uncounted]
    return [
        {"account": number, "debit_day_total": str(total), "debits_today": str(entries_total)}
        for number, total, entries_total in found
    ]
