"""The staff side of loans: products are edited here; officers review applications (with
the model's advice beside them) and approve or reject through the same service as the API,
so maker-checker holds whichever door they use."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse

from bankingsystem.admin import ReadOnlyAdmin, ReadOnlyInline
from bankingsystem.errors import ApplicationError
from customers import roles

from . import services
from .models import Instalment, Loan, LoanDecision, LoanProduct, Repayment


@admin.register(LoanProduct)
class LoanProductAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "kind",
        "currency",
        "annual_rate",
        "min_term_months",
        "max_term_months",
        "min_amount",
        "max_amount",
        "amortization",
        "late_fee",
        "grace_days",
        "is_active",
    ]
    list_filter = ["kind", "amortization", "currency", "is_active"]
    search_fields = ["code", "name"]


class LoanDecisionInline(ReadOnlyInline):
    model = LoanDecision
    fields = ["officer", "outcome", "reason", "created_at"]
    readonly_fields = fields


class InstalmentInline(ReadOnlyInline):
    model = Instalment
    fields = [
        "number",
        "due_date",
        "principal",
        "interest",
        "fee",
        "outstanding",
        "paid_principal",
        "paid_interest",
        "paid_fee",
        "paid_on",
    ]
    readonly_fields = fields


class LoanDecisionForm(forms.Form):
    outcome = forms.ChoiceField(choices=LoanDecision.Outcome.choices, widget=forms.RadioSelect)
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    """Loans change only through the services: the decision form below, and the API."""

    list_display = [
        "id",
        "customer",
        "product",
        "amount",
        "term_months",
        "status",
        "risk_band",
        "risk_probability",
        "approvals_required",
        "bucket",
        "created_at",
    ]
    list_filter = ["status", "risk_band", "bucket", "product", "created_at"]
    search_fields = ["id", "customer__user__username", "customer__user__last_name", "account__number"]
    list_select_related = ["customer__user", "product"]
    date_hierarchy = "created_at"
    inlines = [LoanDecisionInline, InstalmentInline]
    change_form_template = "admin/loans/loan/change_form.html"

    def get_urls(self):  # type: ignore[no-untyped-def]
        extra = [
            path(
                "<int:loan_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="loans_loan_decide",
            )
        ]
        return extra + super().get_urls()

    def decide_view(self, request: HttpRequest, loan_id: int) -> HttpResponse:
        if not roles.has_role(request.user, roles.LOAN_OFFICER, roles.ADMIN):
            messages.error(request, "Only loan officers decide on loans.")
            return HttpResponseRedirect(reverse("admin:loans_loan_change", args=[loan_id]))
        loan = get_object_or_404(Loan, pk=loan_id)
        form = LoanDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                loan = services.loan_decide(loan=loan, officer=request.user, **form.cleaned_data)
            except ApplicationError as error:
                messages.error(request, error.detail)
            else:
                messages.success(request, f"Loan {loan.pk} is now {loan.get_status_display().lower()}.")
                return HttpResponseRedirect(reverse("admin:loans_loan_change", args=[loan_id]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Decide on loan {loan.pk}",
            "loan": loan,
            "form": form,
            "opts": self.model._meta,
        }
        return render(request, "admin/loans/loan/decide.html", context)


@admin.register(Repayment)
class RepaymentAdmin(ReadOnlyAdmin):
    list_display = ["id", "loan", "amount", "fee_part", "interest_part", "principal_part", "source", "created_at"]
    list_filter = ["source", "created_at"]
    search_fields = ["loan__id", "journal__reference", "loan__customer__user__username"]
    list_select_related = ["loan", "journal"]
    date_hierarchy = "created_at"


@admin.register(LoanDecision)
class LoanDecisionAdmin(ReadOnlyAdmin):
    list_display = ["loan", "officer", "outcome", "reason", "created_at"]
    list_filter = ["outcome", "created_at"]
    search_fields = ["loan__id", "officer__username", "reason"]


@admin.register(Instalment)
class InstalmentAdmin(ReadOnlyAdmin):
    list_display = ["loan", "number", "due_date", "principal", "interest", "fee", "outstanding", "paid_on"]
    list_filter = ["due_date", "paid_on"]
    search_fields = ["loan__id", "loan__customer__user__username"]
