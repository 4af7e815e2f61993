"""Exactly one draw per round, even when two people press the button at the same moment.

Real concurrent connections on PostgreSQL (each thread has its own); SQLite serialises
writers on the whole database, so the race cannot be staged there.
"""

import threading

import pytest
from django.db import connection, connections

from tanhua.talks import services
from tanhua.talks.models import Draw, Talk

from .conftest import open_inputs, round_ready

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="concurrent connections: PostgreSQL"),
]


def test_two_simultaneous_draws_make_one(programme, cadres):
    round_ = round_ready(programme)
    services.freeze(programme.staff, round_)
    open_inputs(round_)
    barrier = threading.Barrier(2)
    outcomes = []

    def press():
        try:
            barrier.wait(timeout=10)
            outcomes.append(services.perform_draw(programme.staff, round_).record_hash)
        except services.DrawError as exc:
            outcomes.append(exc.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == 2
    assert sum("已抽取" in o for o in outcomes) == 1, outcomes
    assert Draw.objects.filter(round=round_, seq__isnull=False).count() == 1
    assert Talk.objects.filter(round=round_).count() == 4


def test_two_rounds_of_one_programme_drawn_at_once_keep_one_chain(programme, cadres):
    rounds = [round_ready(programme), round_ready(programme)]
    for round_ in rounds:
        services.freeze(programme.staff, round_)
        open_inputs(round_)
    barrier = threading.Barrier(2)
    errors = []

    def press(round_):
        try:
            barrier.wait(timeout=10)
            services.perform_draw(programme.staff, round_)
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=(r,)) for r in rounds]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    draws = list(Draw.objects.order_by("seq"))
    assert [d.seq for d in draws] == [1, 2] and draws[1].previous_hash == draws[0].record_hash
    assert connection.vendor == "postgresql"
