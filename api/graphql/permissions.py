"""Who may call what: one permission class per kind of access (api/auth.py's roles).

A caller without a valid key is refused with UNAUTHENTICATED; a caller whose role
lacks the access with FORBIDDEN.
"""

from __future__ import annotations

from typing import Any, ClassVar

from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types import Info

from api.auth import Access
from api.graphql.context import Context
from api.graphql.errors import Forbidden, Unauthenticated

WHAT = {
    Access.READ: "read client figures",
    Access.AUDIT: "read the ledger's histories and event feed",
    Access.WRITE: "append events",
    Access.FORGET: "forget a client",
}
WHO = {
    Access.READ: "a reader, auditor or admin key",
    Access.AUDIT: "an auditor or admin key",
    Access.WRITE: "a writer or admin key",
    Access.FORGET: "an admin key",
}


class _Needs(BasePermission):
    access: ClassVar[Access]

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        principal = info.context.principal
        if principal is None:
            if info.context.credentials:
                raise Unauthenticated("the API key presented is not valid")
            raise Unauthenticated("an API key is needed to " + WHAT[self.access]
                                  + ": send 'Authorization: Bearer <key>'")
        if not principal.may(self.access):
            raise Forbidden(f"the {principal.role.value} role may not {WHAT[self.access]}; "
                            f"that takes {WHO[self.access]}")
        return True


class CanRead(_Needs):
    access = Access.READ


class CanAudit(_Needs):
    access = Access.AUDIT


class CanWrite(_Needs):
    access = Access.WRITE


class CanForget(_Needs):
    access = Access.FORGET


def needs(permission: type[_Needs]) -> list[FieldExtension]:
    """Field extensions checking a permission (without a schema directive in the SDL)."""
    return [PermissionExtension([permission()], use_directives=False)]
