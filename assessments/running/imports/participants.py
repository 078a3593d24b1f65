"""Importing participants: ``email, full_name, level, supervisor_email, org_unit, gender,
language``."""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments import languages
from assessments.answering import invitations
from assessments.models import AuditEvent, Cycle, Participant, Rater, RaterGroup, User
from assessments.running import cycles
from assessments.running.imports.table import (
    ORG_UNIT_MAX,
    ImportRejected,
    RowError,
    cell_key,
    check_importable,
    check_name,
    clean_email,
    in_file_order,
    read_table,
)
from compass.models import Level

COLUMNS = ("email", "full_name", "level", "supervisor_email", "org_unit", "gender", "language")
REQUIRED = ("email", "full_name", "level")


@dataclass
class ParticipantRow:
    row: int
    email: str
    full_name: str
    level: object  # compass.models.Level
    supervisor_email: str = ""
    org_unit: str = ""
    gender: str = ""
    language: str = ""  # blank: the cycle's


@dataclass
class ImportSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    accounts_created: int = 0
    without_supervisor: int = 0


GENDER_WORDS = {
    "woman": Participant.Gender.WOMAN,
    "man": Participant.Gender.MAN,
    "another": Participant.Gender.ANOTHER,
    "another gender": Participant.Gender.ANOTHER,
    "undisclosed": Participant.Gender.UNDISCLOSED,
    "prefer not to say": Participant.Gender.UNDISCLOSED,
}


def _gender_lookup():
    """Keys and labels, in English and in the current language, lower-cased."""
    lookup = dict(GENDER_WORDS)
    lookup.update({str(label).lower(): value for value, label in Participant.Gender.choices})
    return lookup


def level_lookup(levels):
    """{lower-cased name or slug: Level} for the levels of one edition.

    A level is found by its name in any language of the compass, so a file written in
    English imports the same whatever language the HR admin reads the site in.
    """
    lookup = {}
    for level in levels:
        lookup[level.slug.lower()] = level
        for code, _name in settings.LANGUAGES:
            name = getattr(level, f"name_{code}", None)
            if name:
                lookup[name.lower()] = level
        lookup[level.name.lower()] = level
    return lookup


def parse_participants(data, *, levels):
    """Read a participants CSV. ``levels`` are the levels of the cycle's edition.

    Pure: no database access; returns a ParseResult of ParticipantRow and RowError.
    """
    records, result = read_table(data, columns=COLUMNS, required=REQUIRED)
    levels_by_word = level_lookup(levels)
    level_names = ", ".join(level.name for level in levels)
    genders = _gender_lookup()
    first_seen = {}
    for number, values in records:
        errors_before = len(result.errors)
        raw_email = values.get("email", "")
        email = clean_email(raw_email) if raw_email else None
        if not raw_email:
            result.add(number, "email", _("The email address is missing."))
        elif email is None:
            result.add(
                number,
                "email",
                _("“%(value)s” is not a valid email address.") % {"value": raw_email},
            )
        elif email in first_seen:
            result.add(
                number,
                "email",
                _("%(email)s is already on row %(row)s: each participant appears once.")
                % {"email": email, "row": first_seen[email]},
            )
        else:
            first_seen[email] = number

        full_name = values.get("full_name", "")
        check_name(result, number, "full_name", full_name, _("The full name is missing."))

        raw_level = values.get("level", "")
        level = levels_by_word.get(cell_key(raw_level))
        if not raw_level:
            result.add(number, "level", _("The level is missing."))
        elif level is None:
            result.add(
                number,
                "level",
                _("Unknown level “%(value)s”. The levels are: %(levels)s.")
                % {"value": raw_level, "levels": level_names},
            )

        raw_supervisor = values.get("supervisor_email", "")
        supervisor_email = clean_email(raw_supervisor) if raw_supervisor else ""
        if supervisor_email is None:
            result.add(
                number,
                "supervisor_email",
                _("“%(value)s” is not a valid email address.") % {"value": raw_supervisor},
            )
        elif supervisor_email and supervisor_email == email:
            result.add(
                number,
                "supervisor_email",
                _("A participant cannot be their own supervisor."),
            )

        org_unit = values.get("org_unit", "")
        if len(org_unit) > ORG_UNIT_MAX:
            result.add(
                number,
                "org_unit",
                _("The org unit is longer than %(max)s characters.") % {"max": ORG_UNIT_MAX},
            )

        raw_gender = values.get("gender", "")
        gender = genders.get(cell_key(raw_gender), None) if raw_gender else ""
        if gender is None:
            result.add(
                number,
                "gender",
                _(
                    "Unknown gender “%(value)s”. Use woman, man, another gender or "
                    "prefer not to say, or leave it blank."
                )
                % {"value": raw_gender},
            )
        raw_language = values.get("language", "")
        language = languages.parse(raw_language) if raw_language else ""
        if language is None:
            result.add(
                number,
                "language",
                _(
                    "Unknown language “%(value)s”. Use %(codes)s, or leave it blank for the "
                    "cycle's language."
                )
                % {"value": raw_language, "codes": ", ".join(languages.codes())},
            )
        if len(result.errors) == errors_before:
            result.rows.append(
                ParticipantRow(
                    row=number,
                    email=email,
                    full_name=full_name,
                    level=level,
                    supervisor_email=supervisor_email,
                    org_unit=org_unit,
                    gender=gender,
                    language=language,
                )
            )
    return result


def _users_by_email(emails):
    users = User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    return {user.email_lower: user for user in users}


def _placeholder_name(email):
    return email.split("@", 1)[0]


@transaction.atomic
def import_participants(*, cycle, data, by):
    """Import a participants CSV into ``cycle``, all or nothing. Returns an ImportSummary.

    New people get an account (no password: the invitation lets them choose one); supervisors
    who are not participants get one too, named after the part of their email before the @
    until a later import or their own sign-in says better. Existing accounts are matched by
    email, case-insensitively. Someone already in the cycle is updated in place: org unit and
    gender always; level and supervisor only while the cycle is a draft, because once it is open
    answers and invitations depend on them (a change is then refused for that row).
    Importing the same file twice therefore changes nothing the second time.
    """
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    check_importable(cycle)
    levels = list(Level.objects.filter(edition=cycle.edition))
    result = parse_participants(data, levels=levels)
    if any(error.row is None for error in result.errors):
        raise ImportRejected(result.errors)
    rows = result.rows
    names_in_file = {row.email: row.full_name for row in rows}
    languages_in_file = {row.email: row.language or cycle.language for row in rows}
    all_emails = set(names_in_file) | {row.supervisor_email for row in rows if row.supervisor_email}

    users = _users_by_email(all_emails)
    existing = {
        p.person.email.lower(): p
        for p in Participant.objects.filter(cycle=cycle)
        .select_related("person", "supervisor", "level")
        .prefetch_related("raters")
    }
    errors = list(result.errors)
    is_draft = cycle.state == Cycle.State.DRAFT
    for row in rows:
        participant = existing.get(row.email)
        if participant is None:
            continue
        current_supervisor = participant.supervisor.email.lower() if participant.supervisor else ""
        name = participant.person.get_full_name()
        if is_draft:
            if row.supervisor_email and row.supervisor_email != current_supervisor:
                clash = [
                    r
                    for r in participant.raters.all()
                    if r.email.lower() == row.supervisor_email and r.group != RaterGroup.SUPERVISOR
                ]
                if clash:
                    errors.append(
                        RowError(
                            row.row,
                            "supervisor_email",
                            _("%(email)s is already one of %(name)s's raters.")
                            % {"email": row.supervisor_email, "name": name},
                        )
                    )
            continue
        if participant.level_id != row.level.pk:
            errors.append(
                RowError(
                    row.row,
                    "level",
                    _(
                        "%(name)s already takes part at level “%(level)s”. The level cannot "
                        "change once the cycle is open."
                    )
                    % {"name": name, "level": participant.level.name},
                )
            )
        if row.supervisor_email != current_supervisor:
            errors.append(
                RowError(
                    row.row,
                    "supervisor_email",
                    _(
                        "%(name)s's supervisor is %(current)s. It cannot change by import once "
                        "the cycle is open: replace the supervisor on the participant's page."
                    )
                    % {"name": name, "current": current_supervisor or _("nobody")},
                )
            )
    if errors:
        raise ImportRejected(in_file_order(errors))

    summary = ImportSummary()
    # Accounts first, so that supervisors listed further down the file exist when needed.
    new_users = []
    for email in sorted(all_emails - set(users)):
        user = User(
            email=email,
            full_name=names_in_file.get(email) or _placeholder_name(email),
            # A new account reads in the language of its row, until its owner picks another.
            language=languages_in_file.get(email, ""),
        )
        user.set_unusable_password()
        new_users.append(user)
    User.objects.bulk_create(new_users)
    summary.accounts_created = len(new_users)
    for email, user in users.items():
        # Fill in the name of an account made from a supervisor's email, never one chosen by
        # its owner.
        better = names_in_file.get(email)
        placeholder = user.full_name in ("", _placeholder_name(email))
        if better and placeholder and better != user.full_name and not user.has_usable_password():
            user.full_name = better
            user.save(update_fields=["full_name"])
    users = _users_by_email(all_emails)

    for row in rows:
        person = users[row.email]
        supervisor = users.get(row.supervisor_email) if row.supervisor_email else None
        if supervisor is None:
            summary.without_supervisor += 1
        participant = existing.get(row.email)
        if participant is None:
            cycles.add_participant(
                cycle=cycle,
                person=person,
                level=row.level,
                supervisor=supervisor,
                org_unit=row.org_unit,
                gender=row.gender,
                language=row.language or cycle.language,
            )
            summary.added += 1
            continue
        changed = _update_participant(
            participant, row, supervisor, is_draft=is_draft, cycle_language=cycle.language
        )
        if changed:
            summary.updated += 1
        else:
            summary.unchanged += 1

    cycles.record(
        cycle=cycle,
        actor=by,
        action=AuditEvent.Action.IMPORT,
        detail=_(
            "Participants imported: %(added)s added, %(updated)s updated, %(unchanged)s "
            "unchanged; %(accounts)s accounts created."
        )
        % {
            "added": summary.added,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "accounts": summary.accounts_created,
        },
    )
    if summary.added and cycle.state == Cycle.State.OPEN:
        # Late joiners of an open cycle are invited like everyone was at opening; the task skips
        # everyone already invited.
        transaction.on_commit(lambda: invitations.send_cycle_invitations.enqueue(cycle.pk))
    return summary


def _update_participant(participant, row, supervisor, *, is_draft, cycle_language):
    """Bring an existing participant in line with its row; True when something changed."""
    changed = []
    language = row.language or cycle_language
    if participant.language != language:
        participant.language = language
        changed.append("language")
    if participant.org_unit != row.org_unit:
        participant.org_unit = row.org_unit
        changed.append("org_unit")
    if participant.gender != row.gender:
        participant.gender = row.gender
        changed.append("gender")
    if is_draft and participant.level_id != row.level.pk:
        participant.level = row.level
        changed.append("level")
    supervisor_id = supervisor.pk if supervisor else None
    if is_draft and participant.supervisor_id != supervisor_id:
        participant.supervisor = supervisor
        changed.append("supervisor")
        # In a draft nobody has been invited: the supervisor rater is simply swapped.
        participant.raters.filter(group=RaterGroup.SUPERVISOR).delete()
        if supervisor is not None:
            Rater.objects.create(
                participant=participant,
                group=RaterGroup.SUPERVISOR,
                name=supervisor.full_name or supervisor.email,
                email=supervisor.email,
                user=supervisor,
            )
    if changed:
        participant.save(update_fields=changed)
    return bool(changed)


COLUMN_HELP = {
    "email": gettext_lazy("Required. The participant's work email; their sign-in."),
    "full_name": gettext_lazy("Required. As it should appear in emails and reports."),
    "level": gettext_lazy("Required. A level of the compass, by name or short name."),
    "supervisor_email": gettext_lazy(
        "The leader they report to. Leave it blank only at the top of the hierarchy."
    ),
    "org_unit": gettext_lazy("Optional. Used for filters and cohort breakdowns."),
    "gender": gettext_lazy("Optional: woman, man, another gender, prefer not to say, or blank."),
    "language": gettext_lazy(
        "Optional: en, fr, es or ar (or the language's name). Their emails and pages use it; "
        "blank: the cycle's language."
    ),
}
