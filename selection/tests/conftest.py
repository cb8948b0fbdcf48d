from typing import Any

import pytest


@pytest.fixture
def mailed(django_capture_on_commit_callbacks: Any) -> Any:
    """`with mailed(): ...`: the e-mails queued inside the block (after commit) are sent to
    mail.outbox when the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
