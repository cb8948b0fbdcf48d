"""One test for each permission check of the API tokens that the authorization matrix alone does not
catch (issue 18, point 7; see tests/mutation/permission_mutants.py). Each names the check it guards.
Zero-argument tests (no fixtures), so that the mutation script also runs them in process; they look
only at the objects they create."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from api import services
from api.models import ApiToken
from core.roles import Role
from tests.factories import make_role_user

pytestmark = pytest.mark.django_db


def test_only_an_association_member_gets_a_token() -> None:
    """services.create_token: `api.manage_tokens`, checked by the service itself."""
    for outsider in (make_role_user(Role.EDITOR), make_role_user(Role.GRIFFIE_CONTACT)):
        with pytest.raises(ValidationError) as refused:
            services.create_token(user=outsider, name="Spreadsheet", expires_in_days=30)
        assert "geen API-tokens" in str(refused.value)
        assert not ApiToken.objects.filter(user=outsider).exists()
    member = make_role_user(Role.MEMBER)
    token, secret = services.create_token(user=member, name="Spreadsheet", expires_in_days=30)
    assert list(ApiToken.objects.filter(user=member)) == [token] and secret.startswith("rh_")


def test_a_token_stops_working_when_its_owner_is_no_longer_a_member() -> None:
    """services.authenticate: `api.manage_tokens` of the token's owner, asked at every use."""
    member = make_role_user(Role.MEMBER)
    token, secret = services.create_token(user=member, name="Website", expires_in_days=None)
    assert services.authenticate(secret) == token
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=None)
    member.groups.set([Group.objects.get_or_create(name=Role.EDITOR)[0]])  # the member role taken away
    with pytest.raises(services.TokenRefused) as refused:
        services.authenticate(secret)
    assert refused.value.code == "token_owner_inactive"
    assert ApiToken.objects.get(pk=token.pk).last_used_at is None  # the refused use is not recorded
