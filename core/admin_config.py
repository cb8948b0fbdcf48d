from django.contrib.admin.apps import AdminConfig


class RaadhuisAdminConfig(AdminConfig):
    """The back office: Django's admin, restricted to administrators through core.permissions."""

    default_site = "core.admin_site.RaadhuisAdminSite"
