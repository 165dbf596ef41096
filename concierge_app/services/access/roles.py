"""Roles enforced in the services: `require(session, actor, permission)` raises NotAllowed
("Your role does not allow refunds. Ask an admin.") unless the actor may do it. The rules:
`domain.roles`; the check itself: `services.shared.permissions`."""

from __future__ import annotations

from concierge_app.domain.roles import NotAllowed, Permission, Role
from concierge_app.services.shared.permissions import require, require_in, roles_of

__all__ = ["NotAllowed", "Permission", "Role", "require", "require_in", "roles_of"]
