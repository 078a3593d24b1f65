"""Team and cohort figures kept, by a fingerprint of everything they rest on.

A released cycle's figures are frozen (``tallies``: a released cycle never re-opens, and its
tallies are written again only with a new ``tallied_at``), so a team or cohort report computed
once can be served again — as long as nothing else it reads has moved. The key is therefore
not a name but a digest of all of it: the database, the cycle's release (``tallied_at``) and
settings (k, edition, next-level part, gender-responsive leadership section), each
participant's row and their submitted responses per rater group
(``group_reports.read_people``: who is in which cell, and each participant's units), the
compass rows the report shows, and whatever else the caller passes (the team members whose
reports the supervisor may open). Anything that changes one of them — a participant edited,
removed or erased, a rater rejected or removed by retention, a new release, the compass
edited — gives a new key, so a stale report is never served; the old entry simply ages out.

Two layers: at most ``KEPT`` entries per process in front of Django's shared cache (the
database cache in production), so what one process (or the worker, right after release:
``group_reports.keep_cohort_figures``) computed serves every other. What is kept holds figures
and ids, no translated label (the reports put those in on reading), so one entry serves every
language. Only frozen cycles are kept (live figures are not); what is kept is shared, so
callers never modify it.
"""

import hashlib
import threading
from collections import OrderedDict

from django.core.cache import cache
from django.db import connection

KEPT = 32
SHARED_SECONDS = 30 * 24 * 3600  # an entry nobody reads for a month leaves the shared cache
_kept = OrderedDict()
_written = set()  # the shared cache's keys this process wrote (``forget``)
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
        people.rows,
        people.responses,
        [_state(instance) for instance in compass],
        extra,
    )
    return hashlib.sha256(repr(data).encode()).hexdigest()


def kept(key, build):
    """The value kept under ``key`` in this process, else in the shared cache, else
    ``build()`` kept in both (``key`` None: built, not kept)."""
    if key is None:
        return build()
    with _lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
    shared = f"group-figures:{key}"
    value = cache.get(shared)
    if value is None:
        value = build()
        cache.set(shared, value, SHARED_SECONDS)
        with _lock:
            _written.add(shared)
    with _lock:
        _kept[key] = value
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return value


def forget(*, shared=True):
    """Drop everything kept in this process and, with ``shared``, what it wrote to the shared
    cache (tests and the benchmark's first views); ``shared=False`` is another process's
    first view."""
    with _lock:
        _kept.clear()
        written = list(_written) if shared else []
        if shared:
            _written.clear()
    cache.delete_many(written)
