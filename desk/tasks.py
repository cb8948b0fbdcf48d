from django_tasks import task

from . import services


@task()
def purge_expired_cases() -> int:
    return services.purge_expired()
