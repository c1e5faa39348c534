"""The auditor's query tool: questions in words, or a SELECT, over two read-only views.

Supported questions (case-insensitive; amounts in rupees, numbers as digits):
- "transfers above 50000 in the last 30 days"
- "top 5 customers by outflow in the last 90 days"
- "suspicious transfers for account 1010001000000012"
- "open alerts"

Each becomes a SQL template whose values are checked by the question's own pattern; a
SELECT sent as `sql` is allowed too. Either way the SQL is parsed by sqlglot and refused
unless it is one SELECT reading only ALLOWED_TABLES, with only ALLOWED_FUNCTIONS, no set
operations (UNION...), no comments or semicolons, no writes; then it runs in a READ ONLY
transaction with a statement timeout, at most ROW_LIMIT rows. Defence in depth: the
patterns, the parser's allow-list, then PostgreSQL's read-only transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import sqlglot
from django.db import connection, transaction
from django.utils import timezone
from rest_framework import status
from sqlglot import exp

from bankingsystem.errors import ApplicationError

ALLOWED_TABLES = {"risk_auditor_transfers", "risk_auditor_alerts"}
ALLOWED_FUNCTIONS = {exp.Sum, exp.Count, exp.Max, exp.Min, exp.Avg, exp.Round, exp.Coalesce, exp.Lower, exp.Upper}
ROW_LIMIT = 500
TIMEOUT_MS = 3000

QUESTIONS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"^transfers (?:above|over) (?P<amount>\d{1,12}(?:\.\d{1,2})?) in the last (?P<days>\d{1,4}) days?$"
        ),
        "SELECT reference, created_at, amount, source_account, destination_account, customer "
        "FROM risk_auditor_transfers WHERE amount > {amount} AND created_at >= '{since}' "
        "ORDER BY amount DESC",
    ),
    (
        re.compile(r"^top (?P<n>\d{1,3}) customers by outflow in the last (?P<days>\d{1,4}) days?$"),
        "SELECT customer, SUM(amount) AS outflow, COUNT(*) AS transfers FROM risk_auditor_transfers "
        "WHERE created_at >= '{since}' GROUP BY customer ORDER BY outflow DESC LIMIT {n}",
    ),
    (
        re.compile(r"^suspicious transfers for account (?P<account>\d{16})$"),
        "SELECT id, created_at, amount, score, verdict, status, destination_account FROM risk_auditor_alerts "
        "WHERE source_account = '{account}' ORDER BY created_at DESC",
    ),
    (
        re.compile(r"^open alerts$"),
        "SELECT id, created_at, amount, score, verdict, source_account, destination_account "
        "FROM risk_auditor_alerts WHERE status = 'open' ORDER BY score DESC",
    ),
]


@dataclass(frozen=True)
class QueryResult:
    sql: str
    columns: list[str]
    rows: list[list]


def _refuse(detail: str) -> ApplicationError:
    return ApplicationError("query_refused", detail, status=status.HTTP_400_BAD_REQUEST)


def sql_for_question(question: str) -> str:
    text = " ".join(question.lower().split()).rstrip("?.")
    for pattern, template in QUESTIONS:
        match = pattern.match(text)
        if match:
            values = match.groupdict()
            if "days" in values:
                values["since"] = (timezone.now() - timedelta(days=int(values["days"]))).isoformat()
            return template.format(**values)
    raise ApplicationError(
        "question_not_understood",
        "Ask one of: 'transfers above <amount> in the last <n> days', 'top <n> customers by outflow in the last "
        "<n> days', 'suspicious transfers for account <number>', 'open alerts'; or send a SELECT as `sql`.",
        status=status.HTTP_400_BAD_REQUEST,
    )


def sql_check(sql: str) -> str:
    """The SQL if it is one read-only SELECT over the allowed views; refused otherwise."""
    if ";" in sql or "--" in sql or "/*" in sql:
        raise _refuse("One statement, without semicolons or comments.")
    try:
        statements = sqlglot.parse(sql, read="postgres")
    except sqlglot.errors.ParseError as error:
        raise _refuse(f"Not SQL we can read: {str(error).splitlines()[0][:200]}") from error
    if len(statements) != 1 or not isinstance(statements[0], exp.Select):
        raise _refuse("Only a single SELECT is allowed.")
    tree = statements[0]
    if tree.args.get("locks") or tree.args.get("into"):
        raise _refuse("Row locks and SELECT INTO are not allowed.")
    if any(True for _ in tree.find_all(exp.Union, exp.Intersect, exp.Except)):
        raise _refuse("UNION, INTERSECT and EXCEPT are not allowed.")
    if any(True for _ in tree.find_all(exp.Insert, exp.Update, exp.Delete, exp.Create, exp.Drop, exp.Alter)):
        raise _refuse("Only reads are allowed.")
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    tables = {table.name for table in tree.find_all(exp.Table)} - ctes
    if not tables or not tables <= ALLOWED_TABLES or any(t.args.get("db") for t in tree.find_all(exp.Table)):
        raise _refuse(f"Only these views may be read: {', '.join(sorted(ALLOWED_TABLES))}.")
    for function in tree.find_all(exp.Func):
        if isinstance(function, (exp.Binary, exp.Connector, exp.Predicate, exp.Unary, exp.Cast)):
            continue  # operators (AND, >, IN, NOT...) are functions to sqlglot, not calls
        if type(function) not in ALLOWED_FUNCTIONS:
            raise _refuse(f"The function {function.sql()[:40]!r} is not allowed.")
    return tree.sql(dialect="postgres")


def auditor_query(*, question: str = "", sql: str = "") -> QueryResult:
    checked = sql_check(sql if sql else sql_for_question(question))
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET TRANSACTION READ ONLY")
            cursor.execute(f"SET LOCAL statement_timeout = {TIMEOUT_MS}")
        cursor.execute(f"SELECT * FROM ({checked}) AS answer LIMIT {ROW_LIMIT}")  # noqa: S608 - checked above
        columns = [column.name for column in cursor.description]
        # Money stays a decimal string on the way out, never a float.
        rows = [[str(v) if isinstance(v, Decimal) else v for v in row] for row in cursor.fetchall()]
    return QueryResult(sql=checked, columns=columns, rows=rows)
