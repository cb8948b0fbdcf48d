import json
import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from tests.test_authorization_matrix import FULL_MATRIX, ROLES, ANONYMOUS, outcome, world, database_writes, REFUSED  # noqa
from core.roles import Role

KEYS = [l.split()[1] for l in open("/tmp/h18b_missing.txt")]

@pytest.mark.django_db
def test_probe(world):
    out = {}
    for key in KEYS:
        for i, case in enumerate(FULL_MATRIX[key]):
            if case.method != "get":
                continue
            row = {}
            for role in [*ROLES, *(k for k in case.expected if k not in ROLES)]:
                url = case.url(world, role)
                if url is None:
                    continue
                client = Client()
                if role != ANONYMOUS:
                    client.force_login(world.users[role])
                with transaction.atomic(), CaptureQueriesContext(connection) as q:
                    r = client.post(url, {})
                    transaction.set_rollback(True)
                got = outcome(r)
                if role == Role.EXPERT and got == 302 and r["Location"] == world.networks["expert_home"]:
                    got = "to own network"
                w = database_writes(q)
                exp = case.expected[role]
                row[role] = f"{got}" + ("" if got == exp else f"(get {exp})") + (f" W{w}" if w else "")
            out[f"{key}#{i} {case.label}"] = row
    with open("/tmp/h18b_probe.json", "w") as f:
        json.dump(out, f, indent=1)
