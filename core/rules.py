"""Who may do what in the core app. Rule names are the permission names passed to core.permissions.can."""

import rules

from .roles import has_any_role, is_administrator

rules.add_rule("core.view_home", rules.is_authenticated)
rules.add_rule("core.view_body", rules.is_authenticated & has_any_role)
rules.add_rule("core.use_admin", is_administrator)
