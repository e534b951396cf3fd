"""Two officers confirming at the same moment: the row lock and the check constraint keep capacity (PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from maharat.core.testing import Personas
from maharat.mentoring import services
from maharat.mentoring.models import MentorProfile, Pairing
from maharat.mentoring.tests.factories import make_mentor, make_request


@pytest.mark.django_db(transaction=True)
class ConcurrentConfirmTests:
    def test_simultaneous_confirmations_never_exceed_capacity(self, personas: Personas) -> None:
        if connection.vendor != "postgresql":
            pytest.skip("SQLite serializes writers itself; row locks are exercised on PostgreSQL")
        mentor = make_mentor(personas, capacity=1)
        requests = [make_request(personas), make_request(personas, personas.hassan)]
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def confirm(request_id: int, actor: Any) -> None:
            try:
                barrier.wait()
                services.pairings_confirm(
                    actor=actor, choices=[services.PairChoice(request_id, mentor.pk)], org_ids=None
                )
                outcomes.append("ok")
            except ValidationError:
                outcomes.append("refused")
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=confirm, args=(r.pk, user))
            for r, user in zip(requests, [personas.officer, personas.admin], strict=True)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["ok", "refused"]
        assert Pairing.objects.count() == 1
        assert MentorProfile.objects.get(pk=mentor.pk).active_mentees == 1
