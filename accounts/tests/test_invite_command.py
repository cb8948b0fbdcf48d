import pytest
from django.core.management import CommandError, call_command

from accounts.models import Invitation
from accounts.services import accept_invitation


@pytest.mark.django_db
def test_first_administrator_is_invited_from_the_command_line(capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("invite_user", "eerste@example.org", "Eerste Beheerder", role=["administrator"])
    link = capsys.readouterr().out.strip()
    assert "/uitnodiging/" in link
    user = accept_invitation(token=link.rstrip("/").rsplit("/", 1)[1], password="een-sterk-wachtwoord-9")
    assert user.roles == {"administrator"}
    with pytest.raises(CommandError):
        call_command("invite_user", "eerste@example.org", "Nog een keer", role=["member"])
    assert Invitation.objects.count() == 1
