from typing import Any

from django.core.management.base import BaseCommand

from members.models import Member
from members.signals import index_member


class Command(BaseCommand):
    help = "Rebuild the search index of members (after a restore or a change of search engine)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        for member in Member.objects.iterator(chunk_size=500):
            index_member(member)
            count += 1
        self.stdout.write(f"{count} members indexed.")
