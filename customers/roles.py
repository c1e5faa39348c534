"""Staff roles are Django groups; the permission classes and selectors ask through here."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

TELLER = "teller"
AUDITOR = "auditor"
LOAN_OFFICER = "loan_officer"
ADMIN = "admin"
STAFF_ROLES = (TELLER, AUDITOR, LOAN_OFFICER, ADMIN)


def user_roles(user: AbstractBaseUser | AnonymousUser | None) -> set[str]:
    if user is None or not user.is_authenticated:
        return set()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = roles_remember(user, user.groups.values_list("name", flat=True))  # type: ignore[attr-defined]
    return cached


def roles_remember(user: AbstractBaseUser, group_names: Iterable[str]) -> set[str]:
    """Keep the user's roles on the user object, from group names read with it (the token
    authentication reads them in the same query as the user and session)."""
    roles = set(group_names)
    if user.is_superuser:  # type: ignore[attr-defined]
        roles.add(ADMIN)
    user._role_cache = roles  # type: ignore[attr-defined]
    return roles


def has_role(user: AbstractBaseUser | AnonymousUser | None, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def is_staff_member(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """Bank staff see across customers; customers see only their own."""
    return has_role(user, *STAFF_ROLES)


# Model permissions each role gets in the Django admin, as "app_label.action_model".
# Ledger rows are never editable there, whatever the role (see transactions/admin.py).
_VIEW_ALL = [
    f"{app}.view_{model}"
    for app, model in [
        ("customers", "customer"),
        ("customers", "address"),
        ("accounts", "branch"),
        ("accounts", "accounttype"),
        ("accounts", "account"),
        ("transactions", "journal"),
        ("transactions", "entry"),
        ("interest", "interestproduct"),
        ("interest", "interestrate"),
        ("interest", "accrualrun"),
        ("interest", "interestaccrual"),
        ("interest", "interestaccountstate"),
        ("interest", "postingrun"),
        ("interest", "interestposting"),
        ("interest", "postingfailure"),
    ]
]
_CUSTOMER_DESK = [
    "customers.add_customer",
    "customers.change_customer",
    "customers.add_address",
    "customers.change_address",
]
# Login history is for auditors and administrators; administrators also lift lockouts,
# revoke sessions, and reset a customer's two-factor devices or PIN (lost phone).
_SECURITY_VIEW = ["customers.view_loginevent", "customers.view_authsession"]
_SECURITY_ADMIN = [
    *_SECURITY_VIEW,
    "customers.unlock_login",
    "customers.view_transactionpin",
    "customers.change_transactionpin",
    "customers.delete_transactionpin",
    "otp_totp.view_totpdevice",
    "otp_totp.delete_totpdevice",
    "otp_static.view_staticdevice",
    "otp_static.delete_staticdevice",
]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    TELLER: [*_VIEW_ALL, *_CUSTOMER_DESK, "accounts.change_account"],
    AUDITOR: [*_VIEW_ALL, *_SECURITY_VIEW, "auth.view_user", "transactions.view_idempotencykey"],
    LOAN_OFFICER: ["customers.view_customer", "accounts.view_account", "transactions.view_entry"],
    ADMIN: [
        *_VIEW_ALL,
        *_CUSTOMER_DESK,
        "auth.view_user",
        "auth.change_user",
        "auth.add_user",
        "accounts.add_branch",
        "accounts.change_branch",
        "accounts.add_accounttype",
        "accounts.change_accounttype",
        "accounts.change_account",
        "transactions.view_idempotencykey",
        *_SECURITY_ADMIN,
        "interest.add_interestproduct",
        "interest.change_interestproduct",
        "interest.add_interestrate",
        "interest.change_interestrate",
    ],
}

# Loans (loans/): officers review applications and see the schedule and payments;
# administrators also edit loan products.
_LOANS_VIEW = [f"loans.view_{model}" for model in ("loanproduct", "loan", "loandecision", "instalment", "repayment")]
ROLE_PERMISSIONS[LOAN_OFFICER] += _LOANS_VIEW
ROLE_PERMISSIONS[AUDITOR] += _LOANS_VIEW
ROLE_PERMISSIONS[ADMIN] += [*_LOANS_VIEW, "loans.add_loanproduct", "loans.change_loanproduct"]

# Everyday banking (issue 7): staff see cards, payees, standing orders, tickets and
# statements; tellers and administrators work tickets and publish announcements; the audit
# trail is for auditors and administrators. Changes go through the services (admin actions).
_EVERYDAY_VIEW = [
    "accounts.view_accountchange",
    "accounts.view_closedaccount",
    "cards.view_card",
    "payments.view_beneficiary",
    "payments.view_standingorder",
    "payments.view_standingorderrun",
    "support.view_ticket",
    "support.view_ticketmessage",
    "support.view_announcement",
    "statements.view_statement",
]
_SUPPORT_DESK = ["support.change_ticket", "support.add_ticketmessage", "support.add_announcement",
                 "support.change_announcement"]  # fmt: skip
_AUDIT_VIEW = ["audit.view_auditevent", "audit.view_auditchainhead"]
ROLE_PERMISSIONS[TELLER] += [*_EVERYDAY_VIEW, *_SUPPORT_DESK]
ROLE_PERMISSIONS[AUDITOR] += [*_EVERYDAY_VIEW, *_AUDIT_VIEW]
ROLE_PERMISSIONS[ADMIN] += [*_EVERYDAY_VIEW, *_SUPPORT_DESK, *_AUDIT_VIEW]
