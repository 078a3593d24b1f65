"""From report to growth (PRODUCT §6): action plans, the supervisor conversation, and the
change since the previous cycle.

A plan belongs to one released participation. Only the leader writes it; the supervisor reads
and comments once the leader shares it; HR sees counts only.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.tasks import task
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from assessments import access, emails
from assessments.answering.questionnaire import questionnaire_for
from assessments.errors import DomainError
from assessments.models import (
    COMMENT_MAX_LENGTH,
    Action,
    ActionPlan,
    FocusArea,
    Participant,
    PlanComment,
)
from assessments.reporting import reports
from assessments.reporting.anonymity import reports_visible, shown_mean
from assessments.reporting.presenting import numbers

MAX_FOCUS_AREAS = 3
SUGGESTIONS = 3


def _check_released(participant):
    if not reports_visible(participant.cycle):
        raise DomainError(_("An action plan can be written once your report is released."))


def plan_for(participant):
    """The participant's plan, created empty on first use."""
    _check_released(participant)
    plan, _created = ActionPlan.objects.get_or_create(participant=participant)
    return plan


@dataclass
class Suggestion:
    enabler: object
    reasons: list


def suggest_focus(report):
    """Enablers worth focusing on, strongest signal first: the lowest scores from others, the
    biggest blind spots, the most frequent pitfalls."""
    reasons = {}

    def note(enabler, reason):
        reasons.setdefault(enabler.pk, (enabler, []))[1].append(reason)

    # The compass's enablers only: the gender-responsive skills never weigh on their average.
    compass = [s for s in report.sections if not s.is_grl]
    shown = [s for s in compass if s.row.others.shown]
    average = sum(s.row.others.mean for s in shown) / len(shown) if shown else 0
    below = [s for s in shown if s.row.others.mean < average]
    for section in sorted(below, key=lambda s: s.row.others.mean)[:SUGGESTIONS]:
        note(
            section.enabler,
            _("others rate it %(mean)s, among your lowest")
            % {"mean": number_format(shown_mean(section.row.others.mean), 1)},
        )
    spots = [s for s in compass if s.gap is not None and s.gap >= reports.BLIND_SPOT_GAP]
    for section in sorted(spots, key=lambda s: -s.gap)[:SUGGESTIONS]:
        note(
            section.enabler,
            _("you rate yourself %(gap)s above others")
            % {"gap": number_format(shown_mean(section.gap), 1)},
        )
    for line in [p for p in report.pitfalls if numbers.flagged(p.row.others.mean)][:3]:
        note(line.enabler, _("pitfall seen often: %(title)s") % {"title": line.item.title})
    ordered = sorted(reasons.values(), key=lambda pair: -len(pair[1]))
    return [Suggestion(enabler=e, reasons=r) for e, r in ordered][:SUGGESTIONS]


def _clean_text(text, field, missing):
    text = (text or "").strip()
    if not text:
        raise DomainError(missing, field=field)
    if len(text) > 2000:
        raise DomainError(_("Please keep it under 2000 characters."), field=field)
    return text


@transaction.atomic
def add_focus(*, participant, enabler, goal, indicator_ids=(), pitfall_ids=()):
    """Focus the plan on ``enabler``, linked to report items of that enabler only."""
    plan = plan_for(participant)
    ActionPlan.objects.select_for_update().get(pk=plan.pk)
    goal = _clean_text(goal, "goal", _("Write the goal."))
    if plan.focus_areas.filter(enabler=enabler).exists():
        raise DomainError(_("This enabler is already one of your focus areas."), field="enabler")
    if plan.focus_areas.count() >= MAX_FOCUS_AREAS:
        raise DomainError(
            _("Choose at most %(n)s focus areas: a plan with fewer lasts longer.")
            % {"n": MAX_FOCUS_AREAS},
            field="enabler",
        )
    section = questionnaire_for(participant).section_for_enabler(enabler.pk)
    allowed_indicators = {i.indicator_id for i in section.items if i.indicator_id}
    allowed_pitfalls = {i.pitfall_id for i in section.items if i.pitfall_id}
    if not set(indicator_ids) <= allowed_indicators or not set(pitfall_ids) <= allowed_pitfalls:
        raise DomainError(_("Link only behaviours and pitfalls of this enabler from your report."))
    focus = FocusArea.objects.create(plan=plan, enabler=enabler, goal=goal)
    focus.indicators.set(indicator_ids)
    focus.pitfalls.set(pitfall_ids)
    return focus


@transaction.atomic
def remove_focus(*, focus):
    focus.delete()


def _check_due_on(due_on, *, unchanged_from=None):
    """A due date is today or later; a past date an action already had may stay (editing its
    text must not force a new date on an overdue action)."""
    if due_on is None:
        raise DomainError(_("Give the action a due date."), field="due_on")
    if due_on < timezone.localdate() and due_on != unchanged_from:
        raise DomainError(
            _("The due date is in the past: choose today or a later date."), field="due_on"
        )


@transaction.atomic
def add_action(*, focus, text, due_on):
    text = _clean_text(text, "text", _("Describe the action."))
    _check_due_on(due_on)
    return Action.objects.create(focus=focus, text=text, due_on=due_on)


@transaction.atomic
def update_action(*, action, text, due_on):
    """Change an action's wording or due date (its status has its own control)."""
    text = _clean_text(text, "text", _("Describe the action."))
    _check_due_on(due_on, unchanged_from=action.due_on)
    action.text = text
    action.due_on = due_on
    action.save(update_fields=["text", "due_on"])
    return action


@transaction.atomic
def delete_action(*, action):
    action.delete()


@transaction.atomic
def set_action_status(*, action, status):
    if status not in Action.Status.values:
        raise DomainError(_("Choose a status from the list."), field="status")
    action.status = status
    action.save(update_fields=["status"])
    return action


@transaction.atomic
def share_plan(*, plan, shared):
    if shared and plan.participant.supervisor_id is None:
        raise DomainError(_("You have no supervisor recorded to share the plan with."))
    plan.shared_with_supervisor = shared
    plan.save(update_fields=["shared_with_supervisor"])
    return plan


@transaction.atomic
def comment_on_plan(*, plan, author, text):
    """The leader or, on a shared plan, the supervisor adds to the conversation. A comment of the
    supervisor is mailed to the leader."""
    if not access.may_read_plan(author, plan):
        raise DomainError(_("Only the leader and, once shared, their supervisor can comment."))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write a comment."), field="text")
    if len(text) > COMMENT_MAX_LENGTH:
        raise DomainError(
            _("Please keep comments under %(n)s characters.") % {"n": COMMENT_MAX_LENGTH},
            field="text",
        )
    comment = PlanComment.objects.create(plan=plan, author=author, text=text)
    if author.pk != plan.participant.person_id:
        transaction.on_commit(lambda: send_plan_comment_notice.enqueue(comment.pk))
    return comment


# --- across cycles ------------------------------------------------------------------------


def previous_participation(participant):
    """The same person's most recent earlier participation whose report is released."""
    earlier = (
        Participant.objects.filter(
            person_id=participant.person_id, cycle__state="released", cycle__kind="full"
        )
        .exclude(pk=participant.pk)
        .select_related("cycle", "level", "person")
    )
    if participant.cycle.released_at is not None:
        earlier = earlier.filter(cycle__released_at__lt=participant.cycle.released_at)
    return earlier.order_by("-cycle__released_at").first()


@dataclass
class EnablerChange:
    enabler: object
    self_before: float | None
    self_now: float | None
    others_before: float | None
    others_now: float | None

    @property
    def self_change(self):
        return _change(self.self_before, self.self_now)

    @property
    def others_change(self):
        return _change(self.others_before, self.others_now)


def _change(before, now):
    """Now minus before as the two numbers are printed (``anonymity.shown_mean``)."""
    if before is None or now is None:
        return None
    return float(shown_mean(now) - shown_mean(before))


def change_since_previous(report, previous_report):
    """Per enabler, the change in self and others' scores; a change exists only where both
    numbers are shown in their own reports, so it never rests on a hidden number."""

    def mean(cell):
        return cell.mean if cell.shown else None

    before = {s.enabler.slug: s for s in previous_report.sections}
    changes = []
    for section in report.sections:
        old = before.get(section.enabler.slug)
        changes.append(
            EnablerChange(
                enabler=section.enabler,
                self_before=mean(old.row.self_cell) if old else None,
                self_now=mean(section.row.self_cell),
                others_before=mean(old.row.others) if old else None,
                others_now=mean(section.row.others),
            )
        )
    return changes


def plan_counts(cycle):
    """For HR: how many leaders of the cycle have a plan and how many shared it — numbers only."""
    counts = ActionPlan.objects.filter(participant__cycle=cycle).aggregate(
        plans=Count("pk", filter=Q(focus_areas__isnull=False), distinct=True),
        shared=Count(
            "pk", filter=Q(shared_with_supervisor=True, focus_areas__isnull=False), distinct=True
        ),
    )
    return {"plans": counts["plans"], "shared": counts["shared"]}


# --- background work ------------------------------------------------------------------------


@task
def send_plan_comment_notice(comment_id):
    comment = PlanComment.objects.select_related(
        "plan__participant__person", "plan__participant__cycle", "author"
    ).get(pk=comment_id)
    emails.send_plan_comment_notice(comment)
