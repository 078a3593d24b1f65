"""Who may see what (PRODUCT §2), and the only place that says it. Views fetch objects through
these helpers — one ``…_for(user, id)`` per object, as healthchecks' ``_get_check_for_user`` —
which answer 404 for anything the user may not see, so a page never confirms that someone else's
exists. HR pages sit behind ``hr_required``."""

from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from assessments.models import (
    HR_ADMINS_GROUP,
    Action,
    ActionPlan,
    Cycle,
    EmailDelivery,
    FocusArea,
    Participant,
    Rater,
    RaterGroup,
    ReportArchive,
)
from assessments.reporting import group_reports
from assessments.reporting.anonymity import reports_visible

LEADER, SUPERVISOR, HR = "leader", "supervisor", "hr"


def is_hr(user):
    return user.is_authenticated and user.groups.filter(name=HR_ADMINS_GROUP).exists()


def hr_required(view):
    """Sign in first; then HR admins only, everyone else 404 (the page does not confirm that
    it exists). The one HR guard: HR's pages and the cohort report's."""

    @login_required
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not is_hr(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return guarded


# --- HR pages ------------------------------------------------------------------------------


def hr_cycle_for(cycle_id):
    """The cycle of an HR page (HR admins see every cycle; ``hr_required`` let only them in)."""
    return get_object_or_404(Cycle, pk=cycle_id)


def hr_participant_for(cycle, participant_id):
    """A participant of that cycle, else 404 (an id of another cycle does not leak across)."""
    return get_object_or_404(
        Participant.objects.select_related("person", "level", "supervisor", "cycle"),
        pk=participant_id,
        cycle=cycle,
    )


def hr_rater_for(participant, rater_id):
    """A rater of that participant, else 404."""
    rater = get_object_or_404(
        Rater.objects.select_related("response"), pk=rater_id, participant=participant
    )
    rater.participant = participant
    return rater


def hr_rater_of(cycle_id, participant_id, rater_id):
    """The cycle, participant and rater of a rater's URL, each of the one before it (else 404)."""
    cycle = hr_cycle_for(cycle_id)
    participant = hr_participant_for(cycle, participant_id)
    return cycle, participant, hr_rater_for(participant, rater_id)


def hr_delivery_for(cycle, delivery_id):
    """An email of that cycle that HR may send again, else 404."""
    return get_object_or_404(EmailDelivery, pk=delivery_id, cycle=cycle)


def hr_archive_for(cycle, archive_id):
    """A finished zip of that cycle's reports, else 404."""
    return get_object_or_404(
        ReportArchive.objects.select_related("cycle"),
        pk=archive_id,
        cycle=cycle,
        state=ReportArchive.State.READY,
    )


# --- reports -------------------------------------------------------------------------------


def report_participant_for(user, participant_id):
    """The participant whose individual report ``user`` may read: their own, a team member's
    who shared it, or any for HR — and only once the cycle is released."""
    participant = (
        Participant.objects.select_related("cycle", "person", "level", "supervisor")
        .filter(pk=participant_id)
        .first()
    )
    if participant is None or not may_open_report(user, participant):
        raise Http404
    return participant


def may_open_report(user, participant):
    """Whether ``user`` may read ``participant``'s individual report (the same rule as
    ``report_participant_for``, for a participant already fetched). Earlier cycles' numbers,
    such as the change since the previous 360, are shown only to those who may open them."""
    if not reports_visible(participant.cycle):
        return False
    if participant.person_id == user.pk:
        return True
    if participant.shared_with_supervisor and participant.supervisor_id == user.pk:
        return True
    return is_hr(user)


def report_role(user, participant):
    """Why ``user`` may read ``participant``'s report, once ``report_participant_for`` let them:
    their own (leader), shared with them (supervisor), or HR."""
    if participant.person_id == user.pk:
        return LEADER
    if participant.shared_with_supervisor and participant.supervisor_id == user.pk:
        return SUPERVISOR
    return HR


def released_cycle(cycle_id):
    """A released cycle, for the cohort report behind ``hr_required``; 404 before release: no
    report of any kind exists before then."""
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    if not reports_visible(cycle):
        raise Http404
    return cycle


def team_report_for(user, cycle_id):
    """(cycle, team report) of the released cycle ``cycle_id`` for its supervisor ``user``; 404
    before release and for anyone who supervises nobody in it."""
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    if not reports_visible(cycle):
        raise Http404
    report = group_reports.team_report(cycle=cycle, supervisor=user)
    if not report.size:
        raise Http404
    return cycle, report


# --- action plans ----------------------------------------------------------------------------
# The plan's content belongs to the leader: the supervisor reads and comments once the leader
# shares it; HR is nobody special here (counts only). Only after the report's release.


def may_read_plan(user, plan):
    participant = plan.participant
    if participant.person_id == user.pk:
        return True
    return plan.shared_with_supervisor and participant.supervisor_id == user.pk


def _released_participation(participant_id):
    participant = (
        _participations()
        # the id of its progress pulse, if one was started: no query of its own when none was
        .annotate(
            pulse_id=Subquery(Participant.objects.filter(follows=OuterRef("pk")).values("pk")[:1])
        )
        .filter(pk=participant_id)
        .first()
    )
    if participant is None or not reports_visible(participant.cycle):
        raise Http404
    return participant


def _plan_of(participant):
    plan, _created = ActionPlan.objects.get_or_create(participant=participant)
    plan.participant = participant  # the rules read it: spare them a query
    return plan


def own_plan_for(user, participant_id):
    """The plan of participation ``participant_id`` (created empty on first use) if ``user`` is
    its leader and the report is released; 404 otherwise."""
    participant = _released_participation(participant_id)
    if participant.person_id != user.pk:
        raise Http404
    return _plan_of(participant)


def plan_for(user, participant_id):
    """(plan, role) if ``user`` may read the plan: its leader, or the supervisor once the leader
    shared it. Anyone else — HR included — gets 404."""
    participant = _released_participation(participant_id)
    if participant.person_id == user.pk:
        return _plan_of(participant), LEADER
    plan = ActionPlan.objects.filter(participant=participant).first()
    if plan is None:
        raise Http404
    plan.participant = participant
    if not may_read_plan(user, plan):
        raise Http404
    return plan, SUPERVISOR


def focus_of(plan, focus_id):
    """A focus area of ``plan`` (already fetched for this user); 404 for anyone else's."""
    return get_object_or_404(FocusArea.objects.select_related("enabler"), pk=focus_id, plan=plan)


def action_of(plan, action_id):
    """An action of ``plan`` (already fetched for this user); 404 for anyone else's."""
    return get_object_or_404(Action, pk=action_id, focus__plan=plan)


def plan_role(user, participant):
    """Who ``user`` is to ``participant``'s plan, for a link to it from the report: the leader
    always, the supervisor only while the leader shares the plan (one query), else None."""
    if participant.person_id == user.pk:
        return LEADER
    if participant.supervisor_id is not None and participant.supervisor_id == user.pk:
        shared = ActionPlan.objects.filter(
            participant=participant, shared_with_supervisor=True
        ).exists()
        if shared:
            return SUPERVISOR
    return None


def team_report_cycles_for(user):
    """Released cycles in which ``user`` supervises someone: a team report each (its page says
    so when the team is below k). A progress pulse has no team report."""
    supervised = Participant.objects.filter(
        supervisor=user, cycle__state=Cycle.State.RELEASED, cycle__kind=Cycle.Kind.FULL
    )
    return Cycle.objects.filter(pk__in=supervised.values("cycle")).order_by("-released_at", "name")


def shared_reports_for(user):
    """The released reports ``user``'s team members chose to share with them."""
    return (
        Participant.objects.filter(
            supervisor=user,
            cycle__state=Cycle.State.RELEASED,
            cycle__kind=Cycle.Kind.FULL,
            shared_with_supervisor=True,
        )
        .select_related("cycle", "person")
        .order_by("-cycle__released_at", "cycle__name", "person__full_name")
    )


def shared_plans_for(user):
    """The action plans ``user``'s team members chose to share with them, once released."""
    return (
        ActionPlan.objects.filter(
            shared_with_supervisor=True,
            participant__supervisor=user,
            participant__cycle__state=Cycle.State.RELEASED,
        )
        .select_related("participant__person", "participant__cycle")
        .order_by("-participant__cycle__released_at", "participant__person__full_name")
    )


# --- participations ------------------------------------------------------------------------


def _participations():
    return Participant.objects.select_related("cycle", "person", "level", "supervisor")


def own_participation(user, participant_id):
    """The participation ``participant_id`` if ``user`` is its leader; 404 otherwise."""
    return get_object_or_404(_participations(), pk=participant_id, person=user)


def own_released_360(user, participant_id):
    """``user``'s own participation in a released 360 (from which a progress pulse starts);
    404 otherwise. Whom a pulse asks is the leader's choice: HR gets 404 too."""
    participant = (
        _participations().filter(pk=participant_id, person=user, follows__isnull=True).first()
    )
    if participant is None or not reports_visible(participant.cycle):
        raise Http404
    return participant


def own_pulse(user, participant_id):
    """``user``'s own participation in a progress pulse, with the 360 it follows; 404
    otherwise (HR follows a pulse on its cycle pages, as any cycle)."""
    return get_object_or_404(
        _participations().select_related("follows__cycle"),
        pk=participant_id,
        person=user,
        follows__isnull=False,
    )


def own_nominee_for(user, participant_id, rater_id, **only):
    """(participation, rater): a rater of ``user``'s own participation (``only`` narrows it,
    e.g. to raters without email); 404 otherwise."""
    participant = own_participation(user, participant_id)
    return participant, get_object_or_404(Rater, pk=rater_id, participant=participant, **only)


def self_assessment_for(user, participant_id, raters):
    """The self-assessment of ``user``'s own participation ``participant_id``, from the
    queryset ``raters`` (the questionnaire's narrow one); 404 otherwise."""
    return get_object_or_404(
        raters, participant_id=participant_id, participant__person=user, group=RaterGroup.SELF
    )


def supervised_participation(user, participant_id):
    """The participation ``participant_id`` if ``user`` is its leader's supervisor; else 404."""
    return get_object_or_404(_participations(), pk=participant_id, supervisor=user)


def set_hr_admin(user, *, member):
    """Put ``user`` in the HR admins group, or take them out of it. Returns True if it changed."""
    group, _created = Group.objects.get_or_create(name=HR_ADMINS_GROUP)
    if member == user.groups.filter(pk=group.pk).exists():
        return False
    if member:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    return True


@transaction.atomic
def make_hr_admin(*, email):
    """The first HR admin of a deployment (``manage.py make_hr_admin``): the account with this
    email (any case), created without a password when there is none, joins the HR admins group.
    Returns (user, created)."""
    User = get_user_model()
    user = User.objects.filter(email__iexact=email.strip()).first()
    created = user is None
    if created:
        user = User.objects.create_user(email.strip())
    set_hr_admin(user, member=True)
    return user, created


# --- feedback asked of a signed-in person ------------------------------------------------------

# A request shows once the rater has been invited (not while the leader is still choosing or the
# supervisor still approving), and until the cycle closes.
_ASKED = (
    Rater.Status.INVITED,
    Rater.Status.STARTED,
    Rater.Status.SUBMITTED,
    Rater.Status.DECLINED,
)


def _requests_of(user):
    """The rater roles of ``user`` in open cycles: linked to the account, or addressed to its
    email (a peer nominated by email has no account link), never the self-assessment."""
    return (
        Rater.objects.filter(Q(user=user) | Q(email__iexact=user.email))
        .filter(participant__cycle__state=Cycle.State.OPEN, status__in=_ASKED)
        .exclude(group=RaterGroup.SELF)
        .select_related("participant__cycle", "participant__person", "participant__level")
    )


def feedback_requests(user):
    """ "Feedback requested from you" on the home page, in one query: soonest close first."""
    return list(
        _requests_of(user).order_by(
            "participant__cycle__closes_on", "participant__person__full_name", "pk"
        )
    )


def own_feedback_request(user, rater_id):
    """The rater role ``rater_id`` if it was asked of ``user`` in an open cycle; 404 otherwise."""
    return get_object_or_404(_requests_of(user), pk=rater_id)
