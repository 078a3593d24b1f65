"""What HR watches while a cycle runs: response rates per cycle, participant and group.

Every read here aggregates in the database, in a fixed number of queries whatever the size of
the cohort. These are participation counts only (who was invited, who answered); no answer and
no score is read here, so nothing in this module touches the anonymity rule.

"Invited" means a link was sent: a rater who is invited, started, submitted or declined. The
response rate of a participant is submitted ÷ invited over every rater except the leader themself
(the self-assessment is counted apart).
"""

from dataclasses import dataclass

from django.db.models import Case, Count, F, FloatField, Max, Q, Value, When
from django.db.models.functions import Cast

from assessments.answering import invitations
from assessments.models import ANONYMOUS_GROUPS, Cycle, Participant, Rater, RaterGroup

Status = Rater.Status

INVITED_STATUSES = (Status.INVITED, Status.STARTED, Status.SUBMITTED, Status.DECLINED)
# Groups whose progress HR watches beside the self-assessment, in the compass's order.
WATCHED_GROUPS = (
    RaterGroup.SUPERVISOR,
    RaterGroup.PEER,
    RaterGroup.DIRECT_REPORT,
    RaterGroup.PARTNER,
)
MEASURES = {
    "invited": Q(status__in=INVITED_STATUSES),
    "started": Q(status=Status.STARTED),
    "submitted": Q(status=Status.SUBMITTED),
    "declined": Q(status=Status.DECLINED),
}
# Raters a reminder goes to: they have a link and have neither answered nor declined.
REMINDABLE = Q(status__in=(Status.INVITED, Status.STARTED))


def _prefixed(q, prefix):
    """``q`` (written on Rater) seen from a model that reaches raters through ``prefix``."""
    children = []
    for child in q.children:
        if isinstance(child, Q):
            children.append(_prefixed(child, prefix))
        else:
            key, value = child
            children.append((f"{prefix}{key}", value))
    return Q(*children, _connector=q.connector, _negated=q.negated)


def _rate(numerator, denominator):
    """numerator ÷ denominator as a float in the database; NULL when nobody was invited."""
    return Case(
        When(**{denominator: 0}, then=Value(None)),
        default=Cast(F(numerator), FloatField()) / Cast(F(denominator), FloatField()),
        output_field=FloatField(),
    )


# --- the dashboard -------------------------------------------------------------------------


def cycles_with_rates():
    """Every cycle with its participant count and response rates, in one query."""
    others = Q(participants__raters__group__in=WATCHED_GROUPS)
    return Cycle.objects.annotate(
        participant_count=Count("participants", distinct=True),
        invited_participants=Count(
            "participants", filter=Q(participants__invited_at__isnull=False), distinct=True
        ),
        self_submitted=Count(
            "participants__raters",
            filter=Q(
                participants__raters__group=RaterGroup.SELF,
                participants__raters__status=Status.SUBMITTED,
            ),
            distinct=True,
        ),
        others_invited=Count(
            "participants__raters",
            filter=others & _prefixed(MEASURES["invited"], "participants__raters__"),
            distinct=True,
        ),
        others_submitted=Count(
            "participants__raters",
            filter=others & _prefixed(MEASURES["submitted"], "participants__raters__"),
            distinct=True,
        ),
    ).order_by("-opens_on", "name")


def cycle_totals(cycle):
    """One cycle's progress in one query: participants invited, self-assessments and raters."""
    others = Q(raters__group__in=WATCHED_GROUPS)
    totals = Participant.objects.filter(cycle=cycle).aggregate(
        participants=Count("pk", distinct=True),
        invited_participants=Count("pk", filter=Q(invited_at__isnull=False), distinct=True),
        nominations_sent=Count(
            "pk", filter=Q(nominations_submitted_at__isnull=False), distinct=True
        ),
        self_submitted=Count(
            "raters",
            filter=Q(raters__group=RaterGroup.SELF, raters__status=Status.SUBMITTED),
            distinct=True,
        ),
        others_invited=Count(
            "raters", filter=others & _prefixed(MEASURES["invited"], "raters__"), distinct=True
        ),
        others_submitted=Count(
            "raters", filter=others & _prefixed(MEASURES["submitted"], "raters__"), distinct=True
        ),
        remindable=Count("raters", filter=_prefixed(REMINDABLE, "raters__"), distinct=True),
    )
    totals["response_rate"] = (
        totals["others_submitted"] / totals["others_invited"] if totals["others_invited"] else None
    )
    totals["self_rate"] = (
        totals["self_submitted"] / totals["participants"] if totals["participants"] else None
    )
    return totals


def invitations_on_opening(cycle):
    """How many emails opening ``cycle`` sends: what ``invitations.invite_cycle`` will send."""
    return Rater.objects.filter(invitations.OWED_LINK, participant__cycle=cycle).count()


# --- the participants of a cycle -----------------------------------------------------------


def _group_annotations():
    annotations = {}
    for group in WATCHED_GROUPS:
        for measure, q in MEASURES.items():
            annotations[f"{group}_{measure}"] = Count(
                "raters", filter=Q(raters__group=group) & _prefixed(q, "raters__"), distinct=True
            )
    return annotations


def participants_with_progress(cycle):
    """The cycle's participants, each annotated with its progress (one query, any size).

    Per watched group ``<group>_invited|started|submitted|declined``; ``self_status``;
    ``others_invited``, ``others_submitted`` and ``response_rate`` (NULL before anyone was
    invited).
    """
    others = Q(raters__group__in=WATCHED_GROUPS)
    return (
        Participant.objects.filter(cycle=cycle)
        .select_related("person", "level", "supervisor")
        .annotate(
            **_group_annotations(),
            # Every participant has exactly one self rater, so MAX picks its status.
            self_status=Max(Case(When(raters__group=RaterGroup.SELF, then=F("raters__status")))),
            others_invited=Count(
                "raters", filter=others & _prefixed(MEASURES["invited"], "raters__"), distinct=True
            ),
            others_submitted=Count(
                "raters",
                filter=others & _prefixed(MEASURES["submitted"], "raters__"),
                distinct=True,
            ),
        )
        .annotate(response_rate=_rate("others_submitted", "others_invited"))
    )


# Filters HR can apply to the participants of a cycle (the form lists them).
STATUS_FILTERS = (
    "self_not_submitted",
    "self_submitted",
    "nominations_not_sent",
    "below_k",
    "not_invited",
)


def below_k(k):
    """Any anonymous group with raters invited but fewer than ``k`` submitted: its answers would
    be pooled or hidden in the report, so HR may want to remind or add raters."""
    condition = Q()
    for group in ANONYMOUS_GROUPS:
        condition |= Q(**{f"{group}_invited__gt": 0, f"{group}_submitted__lt": k})
    return condition


def filter_participants(queryset, *, cycle, level=None, org_unit=None, status=None):
    if level is not None:
        queryset = queryset.filter(level=level)
    if org_unit is not None:
        queryset = queryset.filter(org_unit=org_unit)
    if status == "self_not_submitted":
        queryset = queryset.exclude(self_status=Status.SUBMITTED)
    elif status == "self_submitted":
        queryset = queryset.filter(self_status=Status.SUBMITTED)
    elif status == "nominations_not_sent":
        queryset = queryset.filter(nominations_submitted_at__isnull=True)
    elif status == "below_k":
        queryset = queryset.filter(below_k(cycle.anonymity_threshold))
    elif status == "not_invited":
        queryset = queryset.filter(invited_at__isnull=True)
    return queryset


SORTS = {
    "name": ("person__full_name", "person__email"),
    "level": ("level__position", "person__full_name", "person__email"),
    "org_unit": ("org_unit", "person__full_name", "person__email"),
    "response_rate": ("response_rate", "person__full_name", "person__email"),
}


def sort_participants(queryset, sort):
    """Order by one of SORTS; a leading "-" reverses the first key (names stay A→Z)."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    first, *rest = SORTS.get(key, SORTS["name"])
    expression = F(first)
    # Participants nobody has been invited for yet sort last, on any database.
    expression = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
    return queryset.order_by(expression, *rest, "pk")


@dataclass
class GroupProgress:
    group: str
    label: str
    invited: int
    started: int
    submitted: int
    declined: int
    below_k: bool


def group_progress(participant, k):
    """The annotated counts of one participant, per watched group, for a template."""
    labels = dict(RaterGroup.choices)
    rows = []
    for group in WATCHED_GROUPS:
        counts = {m: getattr(participant, f"{group}_{m}") for m in MEASURES}
        rows.append(
            GroupProgress(
                group=group,
                label=labels[group],
                below_k=group in ANONYMOUS_GROUPS
                and counts["invited"] > 0
                and counts["submitted"] < k,
                **counts,
            )
        )
    return rows


def org_units(cycle):
    """The org units of the cycle's participants, A→Z (for the filter)."""
    return list(
        Participant.objects.filter(cycle=cycle)
        .exclude(org_unit="")
        .order_by("org_unit")
        .values_list("org_unit", flat=True)
        .distinct()
    )


def raters_of(participant):
    """The raters of one participant, with their response dates, in the compass's order."""
    order = {group: position for position, group in enumerate(RaterGroup.values)}
    raters = list(participant.raters.select_related("response"))
    raters.sort(key=lambda r: (order[r.group], r.name.lower()))
    return raters
