"""Background work for members: bulk invitations."""

from django_tasks import task

from . import invitations


@task()
def run_invitations(run_id: int) -> None:
    invitations.process_run(run_id)
