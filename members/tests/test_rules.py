import pytest

from core.permissions import can
from core.roles import Role
from tests.factories import BranchFactory, make_role_user

pytestmark = pytest.mark.django_db


def test_branch_official_manages_only_their_own_branch() -> None:
    official = make_role_user(Role.BRANCH_OFFICIAL)
    own = official.member.branch_functions.get().branch
    other = BranchFactory()
    assert can(official, "members.manage_branch", own)
    assert not can(official, "members.manage_branch", other)
    assert can(make_role_user(Role.ADMINISTRATOR), "members.manage_branch", other)
    assert not can(make_role_user(Role.ADVISER), "members.manage_branch", own)


def test_an_ended_function_gives_no_rights() -> None:
    import datetime

    official = make_role_user(Role.BRANCH_OFFICIAL)
    function = official.member.branch_functions.get()
    function.end_date = datetime.date(2024, 1, 1)
    function.save()
    assert not can(official, "members.manage_branch", function.branch)


def test_unknown_permission_is_an_error_not_a_silent_no() -> None:
    with pytest.raises(LookupError):
        can(make_role_user(Role.MEMBER), "members.fly_to_the_moon")
