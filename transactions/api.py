from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from functools import cache, partial

import django_filters
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import StreamingHttpResponse
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Account
from accounts.numbers import account_number_is_valid
from accounts.selectors import account_get_for, account_list_for, transfer_accounts_get
from bankingsystem.db import rows_fast
from bankingsystem.errors import ApplicationError
from bankingsystem.money import MONEY_MAX, money_amount_parse, parse_decimal_string
from bankingsystem.pagination import NewestFirstByDatePagination, beyond_instant
from bankingsystem.replica import replica_reads
from bankingsystem.serializers import AccountNumberField, MoneyField, StrictSerializer
from customers import roles
from customers.permissions import IsAuditor, IsTeller
from customers.stepup import STEP_UP_PARAMETERS, step_up
from payments.models import Beneficiary
from payments.services import beneficiary_in_cooling_off_sql, beneficiary_transfer_create
from risk.services import transfer_screen

from . import services
from .idempotency import HEADER as IDEMPOTENCY_HEADER
from .idempotency import idempotent, is_replay, owns_transaction
from .models import Entry, Journal
from .selectors import (
    ENTRY_ROW_FIELDS,
    EntriesOfAccounts,
    history_accounts,
    journal_entries_with_accounts,
    journal_get_for,
    ledger_integrity_report,
    staff_history_rows,
    statement_account_get,
    statement_entries,
)

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Retry-safe key (1-255 printable ASCII): the same key and body replay the first answer.",
)


# --- Output -----------------------------------------------------------------------------


class ReceiptEntrySerializer(serializers.Serializer):
    account = serializers.CharField()
    amount = MoneyField()
    balance_after = MoneyField(allow_null=True)


class ReceiptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    kind = serializers.ChoiceField(choices=Journal.Kind.choices)
    status = serializers.CharField()
    description = serializers.CharField()
    amount = MoneyField()
    currency = serializers.CharField()
    source_account = serializers.CharField(allow_null=True, help_text="Null where the money came from cash or the bank")
    destination_account = serializers.CharField(
        allow_null=True, help_text="Null where the money went to cash or the bank"
    )
    created_at = serializers.DateTimeField()
    reversal_of = serializers.IntegerField(allow_null=True)
    reversed_by = serializers.IntegerField(allow_null=True)
    entries = ReceiptEntrySerializer(many=True, help_text="Legs on accounts the caller may see")


def _customer_number(account: Account) -> str | None:
    return account.number if account.kind == Account.Kind.CUSTOMER else None


def receipt_data(journal: Journal, entries: list[Entry], viewer: AbstractBaseUser, *, fresh: bool = False) -> dict:
    """A journal as its receipt. Balances of accounts the viewer does not own stay hidden.

    `entries` come with their accounts and owners loaded; `fresh` (just posted) skips
    asking whether the journal has been reversed since.
    """
    staff = roles.is_staff_member(viewer)
    debit = next((e for e in entries if e.amount < 0), None)
    credit = next((e for e in entries if e.amount > 0), None)
    reversed_by = None if fresh else Journal.objects.filter(reversal_of=journal).values_list("pk", flat=True).first()
    return {
        "id": journal.pk,
        "reference": journal.reference,
        "kind": journal.kind,
        "status": "reversed" if reversed_by else "posted",
        "description": journal.description,
        "amount": sum((e.amount for e in entries if e.amount > 0), Decimal(0)),
        "currency": entries[0].account.currency if entries else "",
        "source_account": _customer_number(debit.account) if debit else None,
        "destination_account": _customer_number(credit.account) if credit else None,
        "created_at": journal.created_at,
        "reversal_of": journal.reversal_of_id,
        "reversed_by": reversed_by,
        "entries": [
            {"account": e.account.number, "amount": e.amount, "balance_after": e.balance_after}
            for e in entries
            if e.account.kind == Account.Kind.CUSTOMER and (staff or e.account.owner_user_id == viewer.pk)
        ],
    }


def receipt_response(journal: Journal, viewer: AbstractBaseUser, status_code: int = 200) -> Response:
    fresh = hasattr(journal, "posted_entries")
    entries = journal.posted_entries if fresh else journal_entries_with_accounts(journal=journal)  # type: ignore[attr-defined]
    return Response(receipt_body(receipt_data(journal, entries, viewer, fresh=fresh)), status=status_code)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _optional(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


def receipt_body(data: dict) -> dict:
    """ReceiptSerializer(data).data, built directly: walking the serializer's fields (a deep
    copy of 13 of them, and 3 more per leg) cost 0.3 ms on every money-moving request.
    tests/test_api.py holds the two to the same answer."""
    created_at = data["created_at"].astimezone(timezone.get_current_timezone()).isoformat()
    return {
        "id": int(data["id"]),
        "reference": str(data["reference"]),
        "kind": str(data["kind"]),
        "status": str(data["status"]),
        "description": str(data["description"]),
        "amount": _money(data["amount"]),
        "currency": str(data["currency"]),
        "source_account": None if data["source_account"] is None else str(data["source_account"]),
        "destination_account": None if data["destination_account"] is None else str(data["destination_account"]),
        "created_at": created_at[:-6] + "Z" if created_at.endswith("+00:00") else created_at,
        "reversal_of": _optional(data["reversal_of"]),
        "reversed_by": _optional(data["reversed_by"]),
        "entries": [
            {"account": str(e["account"]), "amount": _money(e["amount"]), "balance_after": _money(e["balance_after"])}
            for e in data["entries"]
        ],
    }


class EntryOutputSerializer(serializers.ModelSerializer):
    transaction = serializers.IntegerField(source="journal_id", help_text="The journal: GET /transactions/{id}/")
    reference = serializers.CharField(source="journal.reference")
    kind = serializers.CharField(source="journal.kind")
    description = serializers.CharField(source="journal.description")
    account = serializers.CharField(source="account.number")
    amount = MoneyField(help_text="Signed: positive is money in, negative money out")
    balance_after = MoneyField()

    class Meta:
        model = Entry
        fields = [
            "id",
            "transaction",
            "reference",
            "kind",
            "description",
            "account",
            "amount",
            "balance_after",
            "created_at",
        ]
        # Always present in answers (the model's default made it look optional in the schema).
        read_only_fields = ["created_at"]


def entry_rows_data(rows: list[dict], account_number: Callable[[dict], str]) -> list[dict]:
    """EntryOutputSerializer's answer for `ENTRY_ROW_FIELDS` rows, without building model
    instances or walking serializer fields (a page of 50 is on every statement and history
    request; tests/test_reads.py checks the two agree)."""
    local = timezone.get_current_timezone()  # DRF's DateTimeField: ISO 8601 in the current zone
    return [entry_row_data(row, account_number(row), local) for row in rows]


def entry_row_data(row: dict, account_number: str, local: tzinfo) -> dict:
    created_at = row["created_at"].astimezone(local).isoformat()
    return {
        "id": row["pk"],
        "transaction": row["journal_id"],
        "reference": row["journal__reference"],
        "kind": row["journal__kind"],
        "description": row["journal__description"],
        "account": account_number,
        "amount": f"{row['amount']:.2f}",
        "balance_after": f"{row['balance_after']:.2f}",
        "created_at": created_at[:-6] + "Z" if created_at.endswith("+00:00") else created_at,
    }


# --- Filters ----------------------------------------------------------------------------


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class EntryFilter(django_filters.FilterSet):
    # Bank-local dates, compared as a range on `created_at` itself (not `created_at::date`)
    # so PostgreSQL prunes the ledger's monthly partitions and uses the account indexes.
    date_from = django_filters.DateFilter(method="filter_date_from")
    date_to = django_filters.DateFilter(method="filter_date_to")
    kind = django_filters.ChoiceFilter(field_name="journal__kind", choices=Journal.Kind.choices)
    direction = django_filters.ChoiceFilter(
        choices=[("credit", "Money in"), ("debit", "Money out")], method="filter_direction"
    )
    min_amount = django_filters.NumberFilter(method="filter_min_amount", help_text="Absolute amount, at least")
    max_amount = django_filters.NumberFilter(method="filter_max_amount", help_text="Absolute amount, at most")
    q = django_filters.CharFilter(method="filter_text", help_text="Search description and reference")
    account = django_filters.CharFilter(field_name="account__number")

    class Meta:
        model = Entry
        fields: list[str] = []

    def filter_date_from(self, queryset: QuerySet[Entry], name: str, value: date) -> QuerySet[Entry]:
        return queryset.filter(created_at__gte=local_midnight(value))

    def filter_date_to(self, queryset: QuerySet[Entry], name: str, value: date) -> QuerySet[Entry]:
        return queryset.filter(created_at__lt=local_midnight(value + timedelta(days=1)))

    def filter_direction(self, queryset: QuerySet[Entry], name: str, value: str) -> QuerySet[Entry]:
        return queryset.filter(amount__gt=0) if value == "credit" else queryset.filter(amount__lt=0)

    def filter_min_amount(self, queryset: QuerySet[Entry], name: str, value: Decimal) -> QuerySet[Entry]:
        return queryset.filter(Q(amount__gte=value) | Q(amount__lte=-value))

    def filter_max_amount(self, queryset: QuerySet[Entry], name: str, value: Decimal) -> QuerySet[Entry]:
        return queryset.filter(amount__lte=value, amount__gte=-value)

    def filter_text(self, queryset: QuerySet[Entry], name: str, value: str) -> QuerySet[Entry]:
        return queryset.filter(Q(journal__description__icontains=value) | Q(journal__reference__iexact=value))


@cache  # one class per set of filter names a request has used: at most 2**8
def _entry_filter_of(names: frozenset[str]) -> type[EntryFilter]:
    """EntryFilter with only the filters called `names`."""
    restricted = type("EntryFilter", (EntryFilter,), {"__module__": __name__})
    restricted.base_filters = {name: f for name, f in EntryFilter.base_filters.items() if name in names}
    return restricted


class EntryFilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend that builds only the filters the request names, and nothing when
    it names none. A FilterSet deep-copies every filter and builds, binds and validates a
    form with a field for each, per request: 1.7 ms of a statement page's 12 with no filter
    named; with one named, 0.61-0.66 ms of CPU for the ten against 0.18-0.20 for that one.
    A filter the request does not name takes no value and filters nothing, so the rows and
    the errors are those of the whole EntryFilter (transactions.tests.test_reads). The
    browsable API's form and the schema still show every filter: they use `filterset_class`."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: APIView) -> QuerySet:
        named = frozenset(name for name in EntryFilter.base_filters if name in request.query_params)
        if not named:
            return queryset
        filterset = _entry_filter_of(named)(request.query_params, queryset=queryset, request=request)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return filterset.qs


# --- Money movement -----------------------------------------------------------------------


def _refuse_staff_without_till(user: AbstractBaseUser) -> None:
    if roles.is_staff_member(user) and not roles.has_role(user, roles.TELLER, roles.ADMIN):
        raise ApplicationError(
            "permission_denied", "Only tellers and administrators move money for customers.", status=403
        )


def _account_to_debit_or_credit(user: AbstractBaseUser, number: str) -> Account:
    """An account the caller may move money on: their own, or any customer's for tellers."""
    _refuse_staff_without_till(user)
    return account_get_for(user=user, number=number)


class CashApi(APIView):
    throttle_scope = "money"

    class CashInputSerializer(StrictSerializer):
        account = AccountNumberField()
        amount = MoneyField()
        description = serializers.CharField(max_length=140, required=False, default="", allow_blank=True)

    service: staticmethod  # deposit_create or withdrawal_create, set by the subclass

    @idempotent
    def post(self, request: Request) -> Response:
        data = self.CashInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = _account_to_debit_or_credit(request.user, data.validated_data["account"])
        journal = self.service(
            account=account,
            amount=data.validated_data["amount"],
            description=data.validated_data["description"],
            initiated_by=request.user,
        )
        return receipt_response(journal, request.user, status.HTTP_201_CREATED)


@extend_schema(
    request=CashApi.CashInputSerializer, responses={201: ReceiptSerializer}, parameters=[IDEMPOTENCY_PARAMETER]
)
class DepositApi(CashApi):
    """Cash into an account (own accounts for customers, any customer's for tellers)."""

    service = staticmethod(services.deposit_create)


@extend_schema(
    request=CashApi.CashInputSerializer, responses={201: ReceiptSerializer}, parameters=[IDEMPOTENCY_PARAMETER]
)
class WithdrawalApi(CashApi):
    """Cash out of an account, within its funds, limits and status."""

    service = staticmethod(services.withdrawal_create)


def _transfer_needs_step_up(request: Request) -> bool:
    """Transfers of STEP_UP_TRANSFER_AMOUNT or more need a fresh OTP or the PIN. A body
    that does not parse is left to the view to refuse (400) without using up a code."""
    data = request.data
    amount = money_amount_parse(data.get("amount")) if isinstance(data, dict) else None
    if amount is None:
        return False
    return amount >= settings.STEP_UP_TRANSFER_AMOUNT and not is_replay(request)


class HeldTransferSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["held"])
    hold = serializers.IntegerField()
    alert = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=True)
    source_account = serializers.CharField()
    destination_account = serializers.CharField()
    detail = serializers.CharField()


class TransferInputSerializer(StrictSerializer):
    source_account = AccountNumberField()
    destination_account = AccountNumberField()
    amount = MoneyField()
    description = serializers.CharField(max_length=140, required=False, default="", allow_blank=True)


_TRANSFER_FIELDS = frozenset(TransferInputSerializer._declared_fields)
_NOT_IN_A_DESCRIPTION = re.compile("[\x00\ud800-\udfff]")  # refused by CharField's validators


def transfer_input(data: object) -> dict:
    """TransferInputSerializer's validated data. A well-formed body (every value already what
    the serializer would return) is taken as it is: building the serializer (a deep copy of
    its fields) and running each field's validation cost 0.2-0.3 ms of CPU on every transfer.
    Anything else goes through the serializer, which refuses it with its own messages.
    tests/test_api.py holds the two to the same answer."""
    if type(data) is dict and data.keys() <= _TRANSFER_FIELDS:
        source, destination = data.get("source_account"), data.get("destination_account")
        amount = money_amount_parse(data.get("amount"))
        description = data.get("description", "")
        if (
            type(source) is str
            and account_number_is_valid(source)
            and type(destination) is str
            and account_number_is_valid(destination)
            and amount is not None
            and type(description) is str
            and len(description := description.strip()) <= 140
            and not _NOT_IN_A_DESCRIPTION.search(description)
        ):
            return {"source_account": source, "destination_account": destination, "amount": amount,
                    "description": description}  # fmt: skip
    serializer = TransferInputSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class TransferApi(APIView):
    throttle_scope = "money"
    TransferInputSerializer = TransferInputSerializer  # the request's schema

    @extend_schema(
        request=TransferInputSerializer,
        responses={201: ReceiptSerializer, 202: HeldTransferSerializer},
        parameters=[IDEMPOTENCY_PARAMETER, *STEP_UP_PARAMETERS],
    )
    @step_up(action="transfer", when=_transfer_needs_step_up)  # outside the money transaction: see customers.stepup
    @idempotent
    def post(self, request: Request) -> Response:
        data = transfer_input(request.data)
        _refuse_staff_without_till(request.user)
        # Both accounts and, on the destination, whether the caller saved it as a beneficiary
        # that is still cooling off (such a payee stays capped whichever endpoint pays it,
        # issue 7): one query.
        source, destination = transfer_accounts_get(
            user=request.user,
            source=data["source_account"],
            destination=data["destination_account"],
            extra=("cooling_off_payee", *beneficiary_in_cooling_off_sql(owner_user=request.user, account="a.id")),
        )
        if destination is None:
            raise ApplicationError(
                "account_not_found",
                "No account with this number exists at this bank.",
                field="destination_account",
            )
        payee = Beneficiary.objects.get(pk=destination.cooling_off_payee) if destination.cooling_off_payee else None
        move = partial(beneficiary_transfer_create, beneficiary=payee) if payee else services.transfer_create
        transfer = {
            "source": source,
            "destination": destination,
            "amount": data["amount"],
            "description": data["description"],
            "initiated_by": request.user,
        }
        if not settings.FRAUD_SCREENING:
            return receipt_response(move(**transfer), request.user, status.HTTP_201_CREATED)
        screened = transfer_screen(**transfer, move=move, savepoint=not owns_transaction(request))
        if screened.held:
            # Nothing posted: the money is set aside until staff review the alert (202).
            body = HeldTransferSerializer(
                {"status": "held", "hold": screened.hold.pk, "alert": screened.alert.pk,
                 "amount": screened.hold.amount, "source_account": source.number,
                 "destination_account": destination.number,
                 "detail": "This transfer is held for a security review; the amount is set aside, not sent."}
            ).data  # fmt: skip
            return Response(body, status=status.HTTP_202_ACCEPTED)
        return receipt_response(screened.journal, request.user, status.HTTP_201_CREATED)


class TransferItemsField(serializers.Field):
    """The items of a batch, validated by hand: DRF's per-field machinery costs more than
    the database work for 1,000 transfers. Same rules and messages as TransferApi."""

    FIELDS = {"source_account", "destination_account", "amount", "description"}

    def to_internal_value(self, data: object) -> list[dict]:
        if not isinstance(data, list):
            raise serializers.ValidationError("Send a list of transfers.")
        if not 1 <= len(data) <= services.BATCH_MAX:
            raise serializers.ValidationError(f"A batch holds 1 to {services.BATCH_MAX} transfers.")
        items, errors = [], {}
        valid_numbers: set[str] = set()  # a batch names the same accounts many times
        for index, raw in enumerate(data):
            item, problems = self._item(raw, valid_numbers)
            items.append(item)
            if problems:
                errors[str(index)] = problems
        if errors:
            raise serializers.ValidationError(errors)
        return items

    def _item(self, raw: object, valid_numbers: set[str]) -> tuple[dict, dict[str, list[str]]]:
        if not isinstance(raw, dict):
            return {}, {"non_field_errors": ["Each transfer is an object."]}
        problems: dict[str, list[str]] = {name: ["Unknown field."] for name in sorted(set(raw) - self.FIELDS)}
        for name in ("source_account", "destination_account"):
            number = raw.get(name)
            if number is None:
                problems[name] = ["This field is required."]
            elif isinstance(number, str) and number in valid_numbers:
                continue
            elif not isinstance(number, str) or not account_number_is_valid(number):
                problems[name] = ["Not a valid account number (check digit mismatch)."]
            else:
                valid_numbers.add(number)
        amount = parse_decimal_string(raw.get("amount"))
        if amount is None:
            problems["amount"] = [MoneyField.default_error_messages["invalid"]]
        elif abs(amount) > MONEY_MAX:
            problems["amount"] = [MoneyField.default_error_messages["too_large"]]
        description = raw.get("description", "")
        if not isinstance(description, str) or len(description) > 140:
            problems["description"] = ["A string of at most 140 characters."]
        return {**raw, "amount": amount, "description": description}, problems


class TransferBatchItemSerializer(serializers.Serializer):
    source_account = serializers.CharField()
    destination_account = serializers.CharField()
    amount = serializers.CharField(help_text='Decimal string, e.g. "1250.50"')
    description = serializers.CharField(required=False)


class TransferBatchResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["posted", "refused"])
    transaction = serializers.IntegerField(required=False)
    reference = serializers.CharField(required=False)
    code = serializers.CharField(required=False)
    detail = serializers.CharField(required=False)


class TransferBatchOutputSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=["atomic", "independent"])
    posted = serializers.IntegerField()
    refused = serializers.IntegerField()
    results = TransferBatchResultSerializer(many=True)


class TransferBatchApi(APIView):
    class TransferBatchInputSerializer(StrictSerializer):
        mode = serializers.ChoiceField(
            choices=["atomic", "independent"],
            help_text="atomic: all or none (like linked transfers); independent: a result per transfer",
        )
        transfers = TransferItemsField()

    @extend_schema(
        request=inline_serializer(
            "TransferBatchRequest",
            {
                "mode": serializers.ChoiceField(choices=["atomic", "independent"]),
                "transfers": TransferBatchItemSerializer(many=True),
            },
        ),
        responses={201: TransferBatchOutputSerializer, 200: TransferBatchOutputSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """Up to 1,000 transfers committed in one database transaction."""
        data = self.TransferBatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        atomic = data.validated_data["mode"] == "atomic"
        items = data.validated_data["transfers"]
        sources, destinations = _batch_accounts(request.user, items)
        requests: list[services.TransferRequest] = []
        unresolved: dict[int, ApplicationError] = {}
        for index, item in enumerate(items):
            source = sources.get(item["source_account"])
            destination = destinations.get(item["destination_account"])
            if source is None or destination is None:
                field = "source_account" if source is None else "destination_account"
                unresolved[index] = ApplicationError("account_not_found", "No such account.", field=field)
                continue
            requests.append(services.TransferRequest(source, destination, item["amount"], item["description"]))
        if atomic and unresolved:
            raise ApplicationError(
                "batch_refused",
                f"{len(unresolved)} transfers name accounts that do not exist or are not yours; none was posted.",
                extra={"refused": [{"index": i, "code": e.code, "detail": e.detail} for i, e in unresolved.items()]},
            )
        outcomes = iter(
            services.transfer_batch_create(transfers=requests, atomic=atomic, initiated_by=request.user)
            if requests
            else []
        )
        results = []
        for index in range(len(items)):
            outcome = unresolved.get(index) or next(outcomes)
            if isinstance(outcome, ApplicationError):
                results.append({"index": index, "status": "refused", "code": outcome.code, "detail": outcome.detail})
            else:
                results.append(
                    {"index": index, "status": "posted", "transaction": outcome.pk, "reference": outcome.reference}
                )
        posted = sum(1 for r in results if r["status"] == "posted")
        body = {
            "mode": data.validated_data["mode"],
            "posted": posted,
            "refused": len(results) - posted,
            "results": results,
        }
        return Response(body, status=status.HTTP_201_CREATED if atomic else status.HTTP_200_OK)


def _batch_accounts(
    user: AbstractBaseUser, items: list[dict]
) -> tuple[dict[str, services.AccountRef], dict[str, services.AccountRef]]:
    """The batch's accounts in two queries: sources the caller may debit, any destination
    (as values: the service locks and reads the rows itself)."""
    _refuse_staff_without_till(user)
    source_numbers = {item["source_account"] for item in items}
    destination_numbers = {item["destination_account"] for item in items}
    fields = ("pk", "number", "currency")
    sources = {
        row[1]: services.AccountRef(*row)
        for row in account_list_for(user=user).filter(_number_in(source_numbers)).values_list(*fields)
    }
    destinations = {
        row[1]: services.AccountRef(*row)
        for row in Account.objects.filter(_number_in(destination_numbers), kind=Account.Kind.CUSTOMER).values_list(
            *fields
        )
    }
    return sources, destinations


def _number_in(numbers: set[str]) -> Q | RawSQL:
    """`number IN numbers`, on PostgreSQL as one array parameter: Django built and sent up to
    1,000 parameters per query, and psycopg converted the long text afresh each time (not
    cached past 4,096 characters): 6.9-8.5 -> 5.4-5.8 ms per query of 1,000 numbers."""
    if connection.vendor != "postgresql":
        return Q(number__in=numbers)
    table = Account._meta.db_table
    return RawSQL(f'"{table}"."number" = ANY(%s::text[])', [list(numbers)], BooleanField())  # noqa: S611  (our table's name)


# --- History ------------------------------------------------------------------------------


class TransactionListApi(generics.ListAPIView):
    """Ledger entries on the caller's accounts (all customer accounts for staff), newest first."""

    serializer_class = EntryOutputSerializer
    filterset_class = EntryFilter
    filter_backends = [EntryFilterBackend]

    def get_queryset(self) -> QuerySet[Entry]:
        # The filters apply to this; which accounts it covers is decided in list().
        return Entry.objects.order_by("-pk")

    def list(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        entries = self.filter_queryset(self.get_queryset())
        accounts = history_accounts(user=request.user, number=request.query_params.get("account") or None)
        if accounts is None:
            page = self.paginate_queryset(staff_history_rows(entries=entries)) or []
            data = entry_rows_data(page, lambda row: row["account__number"])
        else:
            page = self.paginate_queryset(EntriesOfAccounts(entries, list(accounts))) or []  # type: ignore[arg-type]
            data = entry_rows_data(page, lambda row: accounts[row["account_id"]])
        return self.get_paginated_response(data)


class TransactionDetailApi(APIView):
    @extend_schema(responses=ReceiptSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """The receipt of one transaction (journal)."""
        return receipt_response(journal_get_for(user=request.user, journal_id=pk), request.user)


class TransactionReverseApi(APIView):
    permission_classes = [IsTeller]
    throttle_scope = "money"

    class ReverseInputSerializer(StrictSerializer):
        reason = serializers.CharField(max_length=200)

    @extend_schema(
        request=ReverseInputSerializer, responses={201: ReceiptSerializer}, parameters=[IDEMPOTENCY_PARAMETER]
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        """Post a reversing journal (tellers and administrators)."""
        data = self.ReverseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        journal = services.journal_reverse(
            journal=journal_get_for(user=request.user, journal_id=pk),
            reason=data.validated_data["reason"],
            initiated_by=request.user,
        )
        return receipt_response(journal, request.user, status.HTTP_201_CREATED)


STATEMENT_CSV_COLUMNS = ["date", "reference", "kind", "description", "debit", "credit", "balance_after"]
_CSV_FIELDS = ("created_at", "journal__reference", "journal__kind", "journal__description", "amount", "balance_after")
CSV_CHUNK = 2000


def _newest_first_in_chunks(entries: QuerySet[Entry], fields: tuple[str, ...]) -> Iterator[tuple]:
    """`entries` newest first (by instant, then id, as the statement's pages) as value tuples,
    CSV_CHUNK rows per query, each chunk a keyset page below the last row sent. Memory stays
    at one chunk however long the statement, no transaction or server-side cursor stays open
    while the client reads, and the ledger being append-only, entries posted meanwhile
    (newer) never shift it."""
    below = None
    while True:
        chunk = entries if below is None else beyond_instant(entries, *below)
        rows = rows_fast(chunk.order_by("-created_at", "-pk").values_list("created_at", "pk", *fields)[:CSV_CHUNK])
        for row in rows:
            yield row[2:]
        if len(rows) < CSV_CHUNK:
            return
        below = rows[-1][:2]


class _Lines(list):
    write = list.append  # what csv.writer writes to


def _statement_csv_rows(entries: QuerySet[Entry], *, newest_first_chunks: bool = False) -> Iterator[str]:
    """The CSV of `entries` (in the queryset's order, through a server-side cursor), or
    newest first in keyset chunks (`newest_first_chunks`, the account statement), handed to
    the server CSV_CHUNK lines at a time: one write to the socket per line held the export
    to 25,000 lines a second under gunicorn, and gunicorn's worker timeout (30 s) cut a
    1,000,000-line statement off."""
    lines = _Lines()
    writer = csv.writer(lines)
    writer.writerow(STATEMENT_CSV_COLUMNS)
    yield lines.pop()
    local = timezone.get_current_timezone()
    # Inside the generator: it runs as the response streams, after list() has returned.
    with replica_reads():
        rows = (
            _newest_first_in_chunks(entries, _CSV_FIELDS)
            if newest_first_chunks
            else entries.values_list(*_CSV_FIELDS).iterator(chunk_size=CSV_CHUNK)
        )
        for created_at, reference, kind, description, amount, balance_after in rows:
            writer.writerow(
                [
                    created_at.astimezone(local).isoformat(),
                    reference,
                    kind,
                    description,
                    f"{-amount:.2f}" if amount < 0 else "",
                    f"{amount:.2f}" if amount > 0 else "",
                    f"{balance_after:.2f}",
                ]
            )
            if len(lines) >= CSV_CHUNK:
                yield "".join(lines)
                lines.clear()
    if lines:
        yield "".join(lines)


@extend_schema(
    parameters=[
        OpenApiParameter(
            "format", OpenApiTypes.STR, enum=["json", "csv"], description="csv streams the whole statement"
        )
    ]
)
class StatementApi(generics.ListAPIView):
    """An account's entries with running balance; filters as /transactions/; `?format=csv` streams CSV."""

    serializer_class = EntryOutputSerializer
    filterset_class = EntryFilter
    filter_backends = [EntryFilterBackend]
    pagination_class = NewestFirstByDatePagination

    def get_queryset(self) -> QuerySet[Entry]:
        if getattr(self, "swagger_fake_view", False):
            return Entry.objects.none()
        self.account = statement_account_get(user=self.request.user, number=self.kwargs["number"])
        return statement_entries(account=self.account)

    @replica_reads()
    def list(self, request: Request, *args, **kwargs) -> Response | StreamingHttpResponse:  # type: ignore[no-untyped-def]
        entries = self.filter_queryset(self.get_queryset())
        if request.query_params.get("format") == "csv":
            response = StreamingHttpResponse(
                _statement_csv_rows(entries, newest_first_chunks=True), content_type="text/csv"
            )
            response["Content-Disposition"] = f'attachment; filename="statement-{kwargs["number"]}.csv"'
            return response
        page = self.paginate_queryset(entries.values(*ENTRY_ROW_FIELDS)) or []
        return self.get_paginated_response(entry_rows_data(page, lambda row: self.account.number))


class LedgerIntegritySerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    checked_at = serializers.DateTimeField()
    journals = serializers.IntegerField()
    entries = serializers.IntegerField()
    accounts = serializers.IntegerField()
    unbalanced_journals = serializers.ListField(child=serializers.DictField())
    balance_mismatches = serializers.ListField(child=serializers.DictField())
    overdraft_breaches = serializers.ListField(child=serializers.DictField())
    hold_mismatches = serializers.ListField(child=serializers.DictField())
    daily_debit_mismatches = serializers.ListField(child=serializers.DictField())
    orphan_entries = serializers.ListField(child=serializers.DictField())
    totals_by_currency = serializers.DictField(child=serializers.CharField())


class LedgerIntegrityApi(APIView):
    permission_classes = [IsAuditor]

    @extend_schema(responses=LedgerIntegritySerializer)
    @replica_reads()
    def get(self, request: Request) -> Response:
        """Proves every journal balances, every balance equals its entries, and the ledger sums to zero."""
        return Response(LedgerIntegritySerializer(ledger_integrity_report().as_dict()).data)
