import rules

from core.roles import is_administrator

rules.add_rule("accounts.manage_invitations", is_administrator)
