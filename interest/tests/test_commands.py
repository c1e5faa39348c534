"""`run_interest`: the operator's catch-up, with a progress bar."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from interest.models import AccrualRun, InterestPosting

from .conftest import account_on, on


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("run_interest", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_accrue_catches_up_then_post_posts(customer, saver, capsys):
    account = account_on(date(2025, 12, 31), owner=customer, account_type=saver, balance="36500.00")
    with on(date(2026, 2, 3)):
        out, _ = run("--accrue", "2026-01-31", "--from", "2026-01-01")
        assert "Accrued 31 day(s) through 2026-01-31." in out
        assert "2026-01-05: 1 accounts, credit 4.0000" in out
        assert "31/31" in capsys.readouterr().err  # the progress bar
        out, _ = run("--accrue", "2026-02-02")  # resumes after the latest run
        assert "Accrued 2 day(s)" in out
        out, _ = run("--post", "2026-01", "--no-progress")
    assert "2026-01-31: 1 postings, 1 journals, 0 failures" in out
    assert InterestPosting.objects.get(account=account).amount == 124
    assert AccrualRun.objects.count() == 33


def test_refusals_are_reported_as_command_errors(saver):
    with on(date(2026, 2, 3)):
        with pytest.raises(CommandError, match="day_not_ended"):
            run("--accrue", "2026-02-03")
        with pytest.raises(CommandError, match="accrual_incomplete"):
            run("--post", "2026-01", "--no-progress")
