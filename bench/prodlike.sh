#!/usr/bin/env bash
# A production-like raadhuis on this machine, set up the way docs/OPERATIONS.md tells an operator:
# production settings from an environment file, a fresh PostgreSQL database, Redis as the shared
# cache, collectstatic (WhiteNoise), one gunicorn with 2 worker processes, 2 task workers
# (manage.py run_worker), an SMTP server (aiosmtpd, storing into a Maildir) as the mail provider.
# Plain HTTP on loopback, so SECURE_SSL_REDIRECT=false (behind a TLS proxy in real life).
#
# Then it checks: check --deploy, /healthz (database and worker heartbeat), pages for a visitor
# and for a logged-in member, static files, that a task runs (a password reset asked for over HTTP
# is mailed by a worker), that /healthz fails when the workers stop and recovers when they start,
# and that a backup restores identically into a fresh database.
#
#   bench/prodlike.sh            # set up, check, stop everything
#   bench/prodlike.sh --keep     # leave it running (stop: kill the pids in var/ops/pids)
#
# Environment: OPS_PG (server, default postgres://postgres@127.0.0.1:5432), OPS_PORT (8100),
# OPS_SMTP_PORT (8125), OPS_REDIS_PORT (6391). The database raadhuis_ops is dropped and recreated.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY="$ROOT/.venv/bin/python"
OPS="$ROOT/var/ops"
PG=${OPS_PG:-postgres://postgres@127.0.0.1:5432}
PORT=${OPS_PORT:-8100}
SMTP_PORT=${OPS_SMTP_PORT:-8125}
REDIS_PORT=${OPS_REDIS_PORT:-6391}
DB=raadhuis_ops
KEEP=0
for arg in "$@"; do
  case $arg in
    --keep) KEEP=1 ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }
PIDS=()
stop_all() {
  if [ "$KEEP" = 1 ]; then
    printf '%s\n' "${PIDS[@]}" >"$OPS/pids"
    echo "Left running (pids in $OPS/pids): http://127.0.0.1:$PORT/"
    return
  fi
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_all EXIT

if [ -f "$OPS/pids" ]; then
  # A previous --keep run: stop exactly those processes.
  while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$OPS/pids"
  rm -f "$OPS/pids"
  sleep 2
fi
rm -rf "$OPS"
mkdir -p "$OPS/media" "$OPS/static" "$OPS/backups"  # (the Maildir is made by the SMTP server)

step "Environment file ($OPS/raadhuis.env, as /etc/raadhuis/raadhuis.env would be)"
SECRET_KEY=$("$PY" -c "import secrets; print(secrets.token_urlsafe(64))")
ENCRYPTION_KEY=$("$PY" -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())")
cat >"$OPS/raadhuis.env" <<EOF
DJANGO_SETTINGS_MODULE=raadhuis.settings.production
DATABASE_URL=$PG/$DB
SECRET_KEY=$SECRET_KEY
RAADHUIS_ENCRYPTION_KEYS=$ENCRYPTION_KEY
ALLOWED_HOSTS=127.0.0.1,localhost
RAADHUIS_BASE_URL=http://127.0.0.1:$PORT
SECURE_SSL_REDIRECT=false
CACHE_URL=redis://127.0.0.1:$REDIS_PORT/0
EMAIL_URL=smtp://127.0.0.1:$SMTP_PORT
DEFAULT_FROM_EMAIL="Centrum voor Lokaal Bestuur <noreply@raadhuis.example>"
ADMINS="Beheer <beheer@raadhuis.example>"
MEDIA_ROOT=$OPS/media
STATIC_ROOT=$OPS/static
RAADHUIS_DATA_DIR=${RAADHUIS_DATA_DIR:-$(dirname "$ROOT")/shared/data}
LOG_FORMAT=json
WORKER_HEARTBEAT_INTERVAL=5
WORKER_HEARTBEAT_MAX_AGE=20
EOF
set -a
# shellcheck disable=SC1091
. "$OPS/raadhuis.env"
set +a
unset DEBUG

step "Mail server (aiosmtpd into a Maildir) and Redis"
"$PY" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$OPS/mailbox" \
  >"$OPS/smtp.log" 2>&1 &
PIDS+=($!)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no >"$OPS/redis.log" 2>&1 &
PIDS+=($!)

step "Fresh database $DB"
psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"

step "check --deploy (with SECURE_SSL_REDIRECT=true, as in production)"
SECURE_SSL_REDIRECT=true "$PY" manage.py check --deploy --fail-level WARNING

step "migrate, collectstatic, bodies, demo"
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py collectstatic --noinput -v 0
"$PY" manage.py load_bodies | tail -1
# Demo accounts have known passwords: never on a real installation (hence --force).
"$PY" manage.py load_demo --force >"$OPS/demo.log"
echo "demo loaded ($(grep -c '@demo.example' "$OPS/demo.log") accounts)"

step "gunicorn (2 worker processes) on 127.0.0.1:$PORT and 2 task workers"
"$PY" -m gunicorn raadhuis.wsgi --workers 2 --bind "127.0.0.1:$PORT" --timeout 60 --no-control-socket \
  --access-logfile "$OPS/access.log" --error-logfile "$OPS/gunicorn.log" &
PIDS+=($!)
start_workers() {
  for n in 1 2; do
    "$PY" manage.py run_worker --worker-id "ops-$n" >>"$OPS/worker-$n.log" 2>&1 &
    WORKERS[$n]=$!
    PIDS+=($!)
  done
}
declare -a WORKERS
start_workers

status() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$1"; }
for _ in $(seq 60); do
  [ "$(status /healthz)" = 200 ] && break
  sleep 1
done

step "Checks"
curl -s "http://127.0.0.1:$PORT/healthz"; echo
[ "$(status /healthz)" = 200 ] || fail "/healthz is not 200"
curl -s "http://127.0.0.1:$PORT/healthz" | grep -q '"worker": "ok"' || fail "/healthz does not report the worker"
[ "$(status '/healthz?checks=database')" = 200 ] || fail "/healthz?checks=database is not 200"
[ "$(status /)" = 200 ] || fail "the home page is not 200"
headers() { curl -s -D - -o /dev/null "http://127.0.0.1:$PORT$1"; }
headers / | grep -qi '^x-request-id: ' || fail "no X-Request-ID header"
css=$(curl -s "http://127.0.0.1:$PORT/" | grep -o '/static/[^"]*\.css' | head -1)
[ -n "$css" ] && [ "$(status "$css")" = 200 ] || fail "static file $css not served"
headers "$css" | grep -qi 'cache-control: max-age=315360000' \
  || fail "static files are not served with a far-future cache lifetime (collectstatic + manifest)"
echo "visitor: / 200, $css 200 (hashed name, cached for a year)"
[ "$(status /leden/)" = 302 ] || fail "/leden/ does not send a visitor to the login page"

"$PY" - "$PORT" "$OPS/mailbox" <<'PYTHON'
"""A logged-in member's pages, and a task that runs: a password reset asked for over HTTP."""
import http.client
import re
import sys
import time
from mailbox import Maildir

import django

django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

port, mailbox = int(sys.argv[1]), sys.argv[2]


def get(path, cookies=""):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Cookie": cookies})
    response = conn.getresponse()
    return response.status, response.read().decode(), response.getheader("Set-Cookie") or ""


client = Client()
client.force_login(get_user_model().objects.get(email="lid@demo.example"))
session = f"sessionid={client.cookies['sessionid'].value}"
for path in ("/leden/?tier=municipal", "/bibliotheek/?q=armoede", "/bijeenkomsten/"):
    status, body, _ = get(path, session)
    assert status == 200, (path, status)
    print(f"member: {path} {status} ({len(body)} bytes)")

# The password reset form: GET for the CSRF cookie and token, POST as a browser would.
status, body, set_cookie = get("/account/password/reset/")
assert status == 200, status
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
csrf = re.search(r"csrftoken=([^;]+)", set_cookie).group(1)
asked = timezone.now()
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
conn.request(
    "POST",
    "/account/password/reset/",
    body=f"csrfmiddlewaretoken={token}&email=lid%40demo.example",
    headers={
        "Cookie": f"csrftoken={csrf}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": f"http://127.0.0.1:{port}",
    },
)
response = conn.getresponse()
response.read()
assert response.status == 302, response.status
deadline = time.time() + 30
mails = []
while time.time() < deadline:
    task = DBTaskResult.objects.filter(enqueued_at__gte=asked, task_path="core.tasks.deliver_mail").first()
    mails = [
        message
        for message in Maildir(mailbox, create=False)
        if message["To"] == "lid@demo.example" and "/account/password/reset/key/" in str(message)
    ]
    if task and task.status == "SUCCESSFUL" and mails:
        break
    time.sleep(0.5)
else:
    raise SystemExit(f"the password reset mail was not sent: task {task and task.status}, {len(mails)} mails")
print(f"task: {task.task_path} {task.status}, run by worker {task.worker_ids[0]}; the mail is in the mailbox")
PYTHON
step "Workers stopped: /healthz fails within WORKER_HEARTBEAT_MAX_AGE, then recovers"
kill "${WORKERS[1]}" "${WORKERS[2]}"
wait "${WORKERS[1]}" "${WORKERS[2]}" 2>/dev/null || true
for _ in $(seq 40); do
  [ "$(status /healthz)" = 503 ] && break
  sleep 1
done
curl -s "http://127.0.0.1:$PORT/healthz"; echo
[ "$(status /healthz)" = 503 ] || fail "/healthz still 200 without workers"
[ "$(status '/healthz?checks=database')" = 200 ] || fail "the load balancer check should stay 200"
start_workers
for _ in $(seq 30); do
  [ "$(status /healthz)" = 200 ] && break
  sleep 1
done
[ "$(status /healthz)" = 200 ] || fail "/healthz did not recover"
echo "recovered: $(curl -s "http://127.0.0.1:$PORT/healthz")"

step "Backup, and restore into a fresh database"
"$PY" manage.py backup --output "$OPS/backups/raadhuis.tar.gz"
psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS ${DB}_restore WITH (FORCE)" -c "CREATE DATABASE ${DB}_restore"
DATABASE_URL="$PG/${DB}_restore" MEDIA_ROOT="$OPS/media-restore" CACHE_URL="redis://127.0.0.1:$REDIS_PORT/1" \
  "$PY" manage.py restore "$OPS/backups/raadhuis.tar.gz"
psql -q "$PG/postgres" -c "DROP DATABASE ${DB}_restore WITH (FORCE)"

step "Logs"
echo "application log (JSON), last line of worker 1: $(tail -1 "$OPS/worker-1.log")"
echo "access log: $(wc -l <"$OPS/access.log") requests"
echo
echo "prod-like check passed"
