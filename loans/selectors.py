from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import Http404

from customers import roles

from .models import Instalment, Loan, LoanDecision, LoanProduct, Repayment


def loan_product_list() -> QuerySet[LoanProduct]:
    return LoanProduct.objects.filter(is_active=True).order_by("code")


def loan_product_get(*, code: str) -> LoanProduct | None:
    return LoanProduct.objects.filter(code=code).first()


def loan_list_for(*, user: AbstractBaseUser) -> QuerySet[Loan]:
    """Loans this user may see: their own, or every customer's for bank staff."""
    loans = Loan.objects.select_related("product", "account", "customer__user")
    if roles.is_staff_member(user):
        return loans
    return loans.filter(customer__user=user)


def loan_get_for(*, user: AbstractBaseUser, loan_id: int) -> Loan:
    """One visible loan; another customer's loan is reported as missing (404), not forbidden."""
    loan = loan_list_for(user=user).filter(pk=loan_id).first()
    if loan is None:
        raise Http404("No such loan.")
    return loan


def loan_schedule(*, loan: Loan) -> QuerySet[Instalment]:
    return loan.instalments.order_by("number")


def loan_repayments(*, loan: Loan) -> QuerySet[Repayment]:
    return loan.repayments.select_related("journal").order_by("-pk")


def loan_decisions(*, loan: Loan) -> QuerySet[LoanDecision]:
    return loan.decisions.select_related("officer").order_by("pk")


def loan_approvals_missing(*, loan: Loan) -> int:
    """How many more officers must approve (0 once decided)."""
    if loan.status not in (Loan.Status.SUBMITTED, Loan.Status.UNDER_REVIEW):
        return 0
    approved = loan.decisions.filter(outcome=LoanDecision.Outcome.APPROVE).count()
    return max(loan.approvals_required - approved, 0)
