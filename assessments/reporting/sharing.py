"""Sharing an individual report with the supervisor (PRODUCT §2, §5).

The report is the leader's: only they decide whether their supervisor reads it, only once it
is released, and they may stop sharing at any time (the supervisor then gets 404 again). The
views check that the signed-in user is the leader; this module holds the rule.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from assessments.errors import DomainError
from assessments.models import AuditEvent, Participant
from assessments.reporting.anonymity import reports_visible
from assessments.running import cycles

Action = AuditEvent.Action


@transaction.atomic
def share_report(*, participant, shared):
    """Share (``shared=True``) or stop sharing the report; returns the updated participant.

    Refused before release (no report exists yet) and when no supervisor is recorded. Asking
    for the state it is already in changes nothing and records nothing, so a form posted twice
    is harmless.
    """
    # Lock only the participant row: a join with FOR UPDATE would also lock the cycle, and
    # PostgreSQL refuses FOR UPDATE on the nullable side of the supervisor join.
    locked = Participant.objects.select_for_update(of=("self",)).get(pk=participant.pk)
    if not reports_visible(locked.cycle):
        raise DomainError(_("Your report can be shared once it is released."))
    if locked.supervisor_id is None:
        raise DomainError(
            _("No supervisor is recorded for you in this cycle, so there is no one to share with.")
        )
    shared = bool(shared)
    if locked.shared_with_supervisor != shared:
        locked.shared_with_supervisor = shared
        locked.save(update_fields=["shared_with_supervisor"])
        cycles.record(
            cycle=locked.cycle,
            actor=locked.person,
            action=Action.REPORT_SHARED if shared else Action.REPORT_UNSHARED,
            detail=str(locked.person),
        )
    return locked
