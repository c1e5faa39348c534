from rest_framework.permissions import BasePermission

from . import roles


class IsTeller(BasePermission):
    message = "Only tellers and administrators may do this."

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return roles.has_role(request.user, roles.TELLER, roles.ADMIN)


class IsAuditor(BasePermission):
    message = "Only auditors and administrators may do this."

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return roles.has_role(request.user, roles.AUDITOR, roles.ADMIN)


class IsStaffMember(BasePermission):
    message = "Only bank staff may see this."

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return roles.is_staff_member(request.user)
