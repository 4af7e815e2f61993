"""No GET changes data: every URL pattern, for every default role, with objects present.

Reuses the URL sweep's world and object ids (``tests/test_url_sweep.py``), adds what a GET
could be tempted to change (a talk not yet notified, unread notifications, an export large
enough for the background worker), then requests every pattern with GET (a POST-only view
answers 405, which proves it writes nothing on a GET either) and compares a digest of every
table before and after the walk; the statements each request ran name the one that wrote.

Left out of the digest, because they legitimately change on a read, and nothing else:
- the audit log (``audit_auditentry``): append-only; downloads and sensitive reads are audited;
- sessions (``django_session``): the idle timeout writes the last-seen time;
- the login log and django-axes' tables: written by logging in, not by pages;
- ``api_apitoken.last_used_at``: the JSON API notes when a token was last used.
The cache is a file or Redis cache, not a table.
"""

import datetime
import hashlib
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tanhua.accounts.models import Role
from tanhua.api.models import ApiToken
from tanhua.rectification.models import Notification
from tanhua.talks import services as talk_services
from tanhua.talks.models import Programme, Talk
from tests import test_url_sweep as url_sweep
from tests.test_url_sweep import CASES, ROLE_CODES, _objects, url_names

world = url_sweep.world  # the URL sweep's objects, as a fixture of this module too

SKIPPED_TABLES = {"audit_auditentry", "django_session", "accounts_loginevent", "axes_accessattempt",
                  "axes_accessattemptexpiration", "axes_accesslog", "axes_accessfailurelog"}
SKIPPED_COLUMNS = {("api_apitoken", "last_used_at")}


def digest():
    """{table: hash of its rows}, rows in a stable order, skipped columns blanked."""
    tables = sorted(set(connection.introspection.table_names()) - SKIPPED_TABLES)
    result = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # a table name, not input
            columns = [c[0] for c in cursor.description]
            blank = [i for i, c in enumerate(columns) if (table, c) in SKIPPED_COLUMNS]
            rows = []
            for row in cursor.fetchall():
                row = list(row)
                for i in blank:
                    row[i] = None
                rows.append(repr(row))
            result[table] = hashlib.sha256("\n".join(sorted(rows)).encode()).hexdigest()
    return result


def test_digest_sees_a_change(world):
    before = digest()
    Talk.objects.filter(pk=world["talks_in"]["talk"]).update(place="另一处")
    after = digest()
    assert [t for t in before if before[t] != after[t]] == ["talks_talk"]


def _args(pk):
    return [] if pk is None else list(pk) if isinstance(pk, tuple) else [pk]


@pytest.mark.parametrize("code", ROLE_CODES)
def test_no_get_changes_data(client, world, make_user, settings, code):
    # Every export goes through the background path, the one that could start a job on a GET.
    settings.TANHUA_BACKGROUND_EXPORT_ROWS = 0
    role = Role.objects.get(code=code)
    cadre = world["me_cadre"] if role.data_scope == "self" else None
    user = make_user(f"get-{code}", "CX", [code], cadre=cadre)
    # A talk not yet notified, whose group is the programme's (a 仅本人 member joins it below).
    programme = Programme.objects.get(pk=world["talks_in"]["programme"])
    planned = talk_services.targeted_talk(None, programme, cadre=world["me_cadre"], reason="提醒谈话",
                                          starts_at=timezone.now() + datetime.timedelta(days=7))
    inside, outside = _objects(world, user, role.data_scope)
    planned.members.set(programme.members.all())
    extra = {"talk": [planned.pk], "own_talk": [planned.pk] if user.cadre_id else []}
    for n in range(2):
        Notification.objects.create(user=user, key=f"sweep-{n}", text="整改事项将到期", created_at=timezone.now())
    _token, key = ApiToken.issue(user)
    client.force_login(user)
    client.get(reverse("home"))  # the session's first touch
    before = digest()
    writes = []
    for name in url_names():
        case = CASES.get(name)
        if case is None:
            continue  # test_url_sweep's coverage test names it
        ids = [None] if not case.obj else [inside.get(case.obj), outside.get(case.obj), *extra.get(case.obj, [])]
        for pk in (pk for pk in ids if pk is not None or not case.obj):
            url = reverse(name, args=_args(pk))
            with CaptureQueriesContext(connection) as queries:
                if case.token:
                    Client().get(url, headers={"Authorization": f"Bearer {key}"})
                else:
                    client.get(url)
            # Which request wrote (the digest below is the proof; this names the culprit).
            tables = sorted({t for q in queries.captured_queries for t in _written(q["sql"])} - SKIPPED_TABLES)
            if tables:
                writes.append(f"GET {url} ({name}) wrote {', '.join(tables)}")
    after = digest()
    changed = [t for t in after if before.get(t) != after[t]]
    assert not changed, f"role {code}: GET requests changed {changed}:\n" + "\n".join(writes)


WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
SET = re.compile(r'\sSET\s(.*?)\sWHERE\s', re.IGNORECASE | re.DOTALL)


def _written(sql):
    match = WRITE.match(sql)
    if not match:
        return []
    table, assigned = match.group(1), SET.search(sql)
    if assigned and all((table, c) in SKIPPED_COLUMNS for c in re.findall(r'"?(\w+)"?\s*=', assigned.group(1))):
        return []  # only a skipped column
    return [table]
