"""Importing raters HR nominates for the leaders: ``participant_email, rater_email, rater_name,
group``, under the very rules of a leader's own nomination."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from assessments.answering import nominations
from assessments.errors import DomainError
from assessments.models import NOMINATED_GROUPS, AuditEvent, Cycle, Participant, RaterGroup
from assessments.running import cycles
from assessments.running.imports.table import (
    ImportRejected,
    RowError,
    cell_key,
    check_importable,
    check_name,
    clean_email,
    in_file_order,
    read_table,
)

COLUMNS = ("participant_email", "rater_email", "rater_name", "group")
REQUIRED = COLUMNS


@dataclass
class RaterRow:
    row: int
    participant_email: str
    rater_email: str
    rater_name: str
    group: str


GROUP_WORDS = {
    "peer": RaterGroup.PEER,
    "peers": RaterGroup.PEER,
    "direct report": RaterGroup.DIRECT_REPORT,
    "direct reports": RaterGroup.DIRECT_REPORT,
    "direct_report": RaterGroup.DIRECT_REPORT,
    "direct_reports": RaterGroup.DIRECT_REPORT,
    "partner": RaterGroup.PARTNER,
    "partners": RaterGroup.PARTNER,
}


def parse_raters(data):
    """Read a raters CSV (HR nominating raters for leaders). Pure, like parse_participants."""
    records, result = read_table(data, columns=COLUMNS, required=REQUIRED)
    groups = dict(GROUP_WORDS)
    groups.update({str(g.label).lower(): g.value for g in NOMINATED_GROUPS})
    seen = {}
    for number, values in records:
        errors_before = len(result.errors)
        emails = {}
        for column in ("participant_email", "rater_email"):
            raw = values.get(column, "")
            emails[column] = clean_email(raw) if raw else None
            if not raw:
                result.add(number, column, _("The email address is missing."))
            elif emails[column] is None:
                result.add(
                    number, column, _("“%(value)s” is not a valid email address.") % {"value": raw}
                )
        participant_email, rater_email = emails["participant_email"], emails["rater_email"]
        if participant_email and rater_email:
            if participant_email == rater_email:
                result.add(
                    number,
                    "rater_email",
                    _("A leader cannot be their own rater: the self-assessment covers that."),
                )
            elif (participant_email, rater_email) in seen:
                result.add(
                    number,
                    "rater_email",
                    _("This rater is already nominated for this leader on row %(row)s.")
                    % {"row": seen[(participant_email, rater_email)]},
                )
            else:
                seen[(participant_email, rater_email)] = number
        name = values.get("rater_name", "")
        check_name(result, number, "rater_name", name, _("The rater's name is missing."))
        raw_group = values.get("group", "")
        group = groups.get(cell_key(raw_group))
        if group is None:
            result.add(
                number,
                "group",
                _("Unknown group “%(value)s”. Use peer, direct report or partner.")
                % {"value": raw_group}
                if raw_group
                else _("The group is missing. Use peer, direct report or partner."),
            )
        if len(result.errors) == errors_before:
            result.rows.append(
                RaterRow(
                    row=number,
                    participant_email=participant_email,
                    rater_email=rater_email,
                    rater_name=name,
                    group=group,
                )
            )
    return result


@transaction.atomic
def import_raters(*, cycle, data, by):
    """HR nominates raters for the cycle's leaders from a CSV, all or nothing.

    Each row goes through ``nominations.nominate_rater``, the very rule a leader's own
    nomination follows (duplicates, the leader themself, the most allowed per group); every
    refusal is collected with its row before everything is rolled back. Returns the number of
    raters nominated.
    """
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    check_importable(cycle)
    result = parse_raters(data)
    if any(error.row is None for error in result.errors):
        raise ImportRejected(result.errors)
    participants = {
        p.person.email.lower(): p
        for p in Participant.objects.filter(cycle=cycle)
        .select_related("person")
        .prefetch_related("raters")
    }
    errors = list(result.errors)
    added = 0
    for row in result.rows:
        participant = participants.get(row.participant_email)
        if participant is None:
            errors.append(
                RowError(
                    row.row,
                    "participant_email",
                    _("%(email)s is not a participant of this cycle.")
                    % {"email": row.participant_email},
                )
            )
            continue
        if any(r.email.lower() == row.rater_email for r in participant.raters.all()):
            errors.append(
                RowError(
                    row.row,
                    "rater_email",
                    _("%(email)s is already one of %(leader)s's raters.")
                    % {"email": row.rater_email, "leader": participant.person.get_full_name()},
                )
            )
            continue
        try:
            nominations.nominate_rater(
                participant=participant,
                name=row.rater_name,
                email=row.rater_email,
                group=row.group,
            )
        except DomainError as error:
            column = {"email": "rater_email", "name": "rater_name"}.get(error.field, "group")
            message = _("For %(leader)s: %(message)s") % {
                "leader": participant.person.get_full_name(),
                "message": error.message,
            }
            errors.append(RowError(row.row, column, message))
        else:
            added += 1
    if errors:
        raise ImportRejected(in_file_order(errors))
    cycles.record(
        cycle=cycle,
        actor=by,
        action=AuditEvent.Action.IMPORT_RATERS,
        detail=_("Raters imported: %(n)s nominated.") % {"n": added},
    )
    return added
