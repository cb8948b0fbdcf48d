"""Audit trail (django-auditlog) on people, roles and mandates."""

from auditlog.registry import auditlog
from django.apps import apps


def register() -> None:
    User = apps.get_model("accounts", "User")
    auditlog.register(User, m2m_fields={"groups"}, exclude_fields=["password", "last_login"])
    auditlog.register(apps.get_model("accounts", "Invitation"), m2m_fields={"roles"}, exclude_fields=["token_hash"])
    auditlog.register(apps.get_model("members", "Member"), m2m_fields={"topics"})
    auditlog.register(apps.get_model("members", "Mandate"))
    auditlog.register(apps.get_model("members", "BranchOfficial"))
    auditlog.register(apps.get_model("core", "Association"))
    # "History kept" of what councillors are entitled to, and of budget decisions.
    auditlog.register(apps.get_model("programme", "Entitlement"))
    auditlog.register(apps.get_model("programme", "BudgetRequest"))


register()
