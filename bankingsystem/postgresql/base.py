"""django_prometheus's PostgreSQL backend, the same metrics counted with less work per statement.

Its cursor looked up the label children of three metrics on every statement (`labels()`
takes a lock and a dict look-up each), and built a `Histogram.time()` timer and an
exception counter (copying its labels) around it: about 7% of an HTTP transfer's CPU in the
web process (py-spy, ten statements a request). Here the children are looked up once per
connection. Same metric names, labels and counts: django_db_execute_total,
django_db_execute_many_total, django_db_query_duration_seconds and django_db_errors_total
(by exception type); connections are counted by django_prometheus's own wrapper."""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter
from typing import Any

from django.db.backends.postgresql import base as postgresql
from django_prometheus.db import errors_total, execute_many_total, execute_total, query_duration_seconds
from django_prometheus.db.backends.postgresql import base as prometheus


def counting_cursor(cursor_class: type, alias: str, vendor: str) -> type:
    """`cursor_class` counting and timing its statements (django_prometheus's
    ExportingCursorWrapper, with each label child looked up once)."""
    executed = execute_total.labels(alias=alias, vendor=vendor)
    executed_many = execute_many_total.labels(alias=alias, vendor=vendor)
    duration = query_duration_seconds.labels(alias=alias, vendor=vendor)

    def timed(run: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        started = perf_counter()
        try:
            return run(*args, **kwargs)
        except BaseException as error:
            errors_total.labels(alias=alias, vendor=vendor, type=type(error).__name__).inc()
            raise
        finally:
            duration.observe(perf_counter() - started)

    class CountingCursor(cursor_class):  # type: ignore[misc, valid-type]
        def execute(self, *args: Any, **kwargs: Any) -> Any:
            executed.inc()
            return timed(super().execute, *args, **kwargs)

        def executemany(self, query: Any, param_list: Any, *args: Any, **kwargs: Any) -> Any:
            executed.inc(len(param_list))
            executed_many.inc(len(param_list))
            return timed(super().executemany, query, param_list, *args, **kwargs)

    CountingCursor.__name__ = CountingCursor.__qualname__ = f"Counting{cursor_class.__name__}"
    return CountingCursor


class DatabaseWrapper(prometheus.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = postgresql.DatabaseWrapper.get_connection_params(self)
        params["cursor_factory"] = counting_cursor(params["cursor_factory"], self.alias, self.vendor)
        return params
