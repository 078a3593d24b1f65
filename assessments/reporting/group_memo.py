"""Team and cohort figures kept per process, by a fingerprint of everything they rest on.

A released cycle's figures are frozen (``tallies``: a released cycle never re-opens, and its
tallies are written again only with a new ``tallied_at``), so a team or cohort report computed
once can be served again — as long as nothing else it reads has moved. The key is therefore
not a name but a digest of all of it: the database, the cycle's release (``tallied_at``) and
settings (k, edition, next-level part, gender-responsive leadership section), the language of
the labels, each participant's row and their submitted responses per rater group
(``group_reports.read_people``: who is in which cell, and each participant's units), the
compass rows the report shows, and whatever else the caller passes (the team members whose
reports the supervisor may open). Anything that changes one of them — a participant edited,
removed or erased, a rater rejected or removed by retention, a new release, the compass
edited — gives a new key, so a stale report is never served; the old entry simply ages out.

Only frozen cycles are kept (live figures are not). At most ``KEPT`` entries per process; what
is kept is shared, so callers never modify it.
"""

import hashlib
import threading
from collections import OrderedDict

from django.db import connection
from django.utils import translation

KEPT = 32
_kept = OrderedDict()
_lock = threading.Lock()


def _state(instance):
    """A model instance's own field values, in a stable order."""
    return sorted((k, repr(v)) for k, v in vars(instance).items() if not k.startswith("_"))


def fingerprint(kind, cycle, people, compass, *extra):
    """The key of ``kind`` (a report) for ``cycle`` over ``people`` (``read_people``), with
    ``compass`` (model instances the report shows) and ``extra``; None when the cycle's
    figures are not frozen (nothing is kept then)."""
    if cycle.tallied_at is None:
        return None
    data = (
        kind,
        connection.vendor,
        connection.settings_dict["NAME"],
        cycle.pk,
        cycle.tallied_at.isoformat(),
        cycle.anonymity_threshold,
        cycle.edition,
        cycle.grl_edition,
        cycle.next_level_part,
        translation.get_language(),
        people.rows,
        people.responses,
        [_state(instance) for instance in compass],
        extra,
    )
    return hashlib.sha256(repr(data).encode()).hexdigest()


def kept(key, build):
    """The value kept under ``key``, or ``build()`` kept there (``key`` None: built, not kept)."""
    if key is None:
        return build()
    with _lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
    value = build()
    with _lock:
        _kept[key] = value
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return value


def forget():
    """Drop everything kept (tests that count queries of a first view)."""
    with _lock:
        _kept.clear()
