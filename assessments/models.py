import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compass.models import CURRENT_EDITION

# Longest comment a rater may write, in characters; the form says so before it is reached.
COMMENT_MAX_LENGTH = 4000


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address.

    Raters outside the organization never get one: they answer through their personal link.
    """

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Whether the user can sign in to the Django admin."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language of the pages and emails. Blank: the browser's."),
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_unique_email_ci"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return (self.full_name or self.email).split()[0]


HR_ADMINS_GROUP = "HR admins"


def closing_moment(closes_on):
    """Midnight after ``closes_on``, in settings.TIME_ZONE, as an aware datetime."""
    next_day = datetime.datetime.combine(closes_on + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(next_day, timezone.get_default_timezone())


class Cycle(models.Model):
    """A cohort run of the 360: one questionnaire window for many participants.

    A progress pulse (issue 19, ``running/pulses.py``) is a cycle too, of its own kind: it
    ``follows`` a released 360, asks the leaders' raters of that 360 again about the focus
    areas of their action plans, and runs as any cycle does (links, reminders, monitoring,
    closing and release), without self-assessment or nominations.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        RELEASED = "released", _("Released")

    class Kind(models.TextChoices):
        FULL = "full", _("360 feedback")
        PULSE = "pulse", _("Progress pulse")

    name = models.CharField(_("name"), max_length=200)
    edition = models.CharField(_("compass edition"), max_length=20, default=CURRENT_EDITION)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_(
            "Emails and questionnaires use it unless a person has a language of their own."
        ),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    anonymity_threshold = models.PositiveSmallIntegerField(
        _("anonymity threshold (k)"),
        default=3,
        validators=[MinValueValidator(3)],
        help_text=_("A rater group is shown on its own only with at least this many answers."),
    )
    min_peers = models.PositiveSmallIntegerField(_("fewest peers"), default=3)
    max_peers = models.PositiveSmallIntegerField(_("most peers"), default=8)
    min_direct_reports = models.PositiveSmallIntegerField(_("fewest direct reports"), default=3)
    max_direct_reports = models.PositiveSmallIntegerField(_("most direct reports"), default=8)
    min_partners = models.PositiveSmallIntegerField(_("fewest partners"), default=0)
    max_partners = models.PositiveSmallIntegerField(_("most partners"), default=5)
    next_level_part = models.BooleanField(
        _("next-level part"),
        default=False,
        help_text=_(
            "Leaders are also rated on the indicators of the level above theirs (not for the "
            "Executive Office): the report places them on a ladder per enabler."
        ),
    )
    supervisor_approval_required = models.BooleanField(
        _("supervisors approve nominations"), default=False
    )
    # The edition of the gender-responsive leadership section the questionnaire adds (its own
    # framework, compass.models.GRL_EDITION), or empty for none.
    grl_edition = models.CharField(
        _("gender-responsive leadership section"),
        max_length=20,
        blank=True,
        default="",
        help_text=_(
            "Adds a section on the five core skills of gender-responsive leadership (Folke "
            "Bernadotte Academy), reported on its own rows beside the compass enablers."
        ),
    )
    contact_email = models.EmailField(
        _("contact email"),
        blank=True,
        help_text=_(
            "Who raters and leaders write to with questions: the Reply-To of every email of "
            "this cycle. Leave empty to use the address of the HR admin who created it."
        ),
    )
    created_by = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    # Scheduled reminders (reminders.py): every N days while open, and/or N days before close.
    remind_every_days = models.PositiveSmallIntegerField(
        _("remind every (days)"), null=True, blank=True
    )
    remind_days_before_close = models.PositiveSmallIntegerField(
        _("remind this many days before the close date"), null=True, blank=True
    )
    last_reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    # When release froze the answers into ItemTally rows; reports read those from then on.
    tallied_at = models.DateTimeField(null=True, blank=True, editable=False)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.FULL)
    # The released 360 a progress pulse follows up; empty for a 360.
    follows = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pulses",
        verbose_name=_("follows"),
    )

    class Meta:
        ordering = ["-opens_on", "name"]
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(anonymity_threshold__gte=3), name="cycle_k_at_least_3"
            ),
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="cycle_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=models.Q(min_peers__lte=models.F("max_peers"))
                & models.Q(min_direct_reports__lte=models.F("max_direct_reports"))
                & models.Q(min_partners__lte=models.F("max_partners")),
                name="cycle_rater_limits_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="full", follows__isnull=True)
                | models.Q(kind="pulse", follows__isnull=False),
                name="cycle_pulse_follows_a_cycle",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_pulse(self):
        return self.kind == self.Kind.PULSE

    @property
    def is_open(self):
        return self.state == self.State.OPEN

    @property
    def accepts_changes(self):
        """Draft or open: people, raters, nominations, imports and cards may still change.
        Once closed, the answers are what they are (re-opening is HR's explicit act)."""
        return self.state in CHANGING_STATES

    @property
    def closes_at(self):
        """The end of the close date in the site's time zone (settings.TIME_ZONE): the moment
        links stop taking answers and the cycle closes itself."""
        return closing_moment(self.closes_on)

    def accepts_answers(self, now=None):
        return self.is_open and (now or timezone.now()) < self.closes_at

    @property
    def contact(self):
        """The address raters and leaders write to: the cycle's contact, else its creator's,
        else the site's (settings.CONTACT_EMAIL); never the no-reply sender."""
        if self.contact_email:
            return self.contact_email
        if self.created_by_id and self.created_by.email:
            return self.created_by.email
        return settings.CONTACT_EMAIL

    # The fewest and most raters a leader nominates per nominated group (``rater_limits``).
    RATER_LIMIT_FIELDS = (
        "min_peers",
        "max_peers",
        "min_direct_reports",
        "max_direct_reports",
        "min_partners",
        "max_partners",
    )
    # What a cycle that follows this one (a progress pulse) asks and protects in the same way.
    CARRIED_SETTINGS = (
        "edition",
        "language",
        "anonymity_threshold",
        *RATER_LIMIT_FIELDS,
        "next_level_part",
        "grl_edition",
        "contact_email",
    )

    def carried_settings(self):
        """The settings a following cycle takes over unchanged: the same questionnaire, the
        same anonymity threshold and rater limits, the same contact for raters."""
        return {name: getattr(self, name) for name in self.CARRIED_SETTINGS}

    def rater_limits(self):
        """(fewest, most) raters a leader nominates per nominated group."""
        return {
            RaterGroup.PEER: (self.min_peers, self.max_peers),
            RaterGroup.DIRECT_REPORT: (self.min_direct_reports, self.max_direct_reports),
            RaterGroup.PARTNER: (self.min_partners, self.max_partners),
        }


# The states of ``Cycle.accepts_changes``, for queries (``cycle__state__in=CHANGING_STATES``).
CHANGING_STATES = (Cycle.State.DRAFT, Cycle.State.OPEN)


class RaterGroup(models.TextChoices):
    """Who a rater is to the leader: the compass's directions, seen from the leader."""

    SELF = "self", _("Self")
    SUPERVISOR = "supervisor", _("Supervisor")
    PEER = "peer", _("Peers")
    DIRECT_REPORT = "direct_report", _("Direct reports")
    PARTNER = "partner", _("Partners")


# Groups whose raters are protected by the anonymity rule; self and supervisor are named.
ANONYMOUS_GROUPS = (RaterGroup.PEER, RaterGroup.DIRECT_REPORT, RaterGroup.PARTNER)
NOMINATED_GROUPS = ANONYMOUS_GROUPS
GROUP_DIRECTIONS = {
    RaterGroup.SELF: "leading-yourself",
    RaterGroup.SUPERVISOR: "leaders-above",
    RaterGroup.PEER: "peers",
    RaterGroup.DIRECT_REPORT: "team-members",
    RaterGroup.PARTNER: "partners-outside",
}


class Participant(models.Model):
    """A leader taking part in one cycle, at one level, reporting to one supervisor."""

    class Gender(models.TextChoices):
        WOMAN = "woman", _("Woman")
        MAN = "man", _("Man")
        ANOTHER = "another", _("Another gender")
        UNDISCLOSED = "undisclosed", _("Prefer not to say")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey("User", on_delete=models.PROTECT, related_name="participations")
    level = models.ForeignKey("compass.Level", on_delete=models.PROTECT, related_name="+")
    supervisor = models.ForeignKey(
        "User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised_participations",
    )
    org_unit = models.CharField(_("org unit"), max_length=200, blank=True)
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, blank=True)
    nominations_submitted_at = models.DateTimeField(null=True, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    shared_with_supervisor = models.BooleanField(_("report shared with supervisor"), default=False)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    # In a progress pulse: the participation of the released 360 it follows up (once each).
    follows = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="pulses"
    )

    class Meta:
        ordering = ["cycle", "person__full_name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person"], name="participant_once_per_cycle"),
            # One progress pulse per participation of a released 360 (two starts at once: one
            # wins, the other is told).
            models.UniqueConstraint(fields=["follows"], name="participant_one_pulse_each"),
            models.CheckConstraint(
                condition=~models.Q(supervisor=models.F("person")),
                name="participant_not_own_supervisor",
            ),
        ]

    def __str__(self):
        return f"{self.person} · {self.cycle}"


class Rater(models.Model):
    """Someone asked for feedback on one participant, reached through a personal link.

    The link's token is derived from ``link_secret`` with a server key (answering/tokens.py);
    only its SHA-256 is stored, so a database leak alone gives no working links.

    A rater without an email address (``email`` empty: a partner in a field office) is given a
    printed card instead of emails: the link, its QR code and a short code typed at ``/r/``
    (``code_hash`` is the SHA-256 of that code). Their reminders go to the leader.
    """

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("Not invited yet")
        INVITED = "invited", _("Invited")
        STARTED = "started", _("Started")
        SUBMITTED = "submitted", _("Submitted")
        DECLINED = "declined", _("Declined")

    class Approval(models.TextChoices):
        NOT_NEEDED = "not_needed", _("Not needed")
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="raters")
    group = models.CharField(_("rater group"), max_length=16, choices=RaterGroup.choices)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email address"), blank=True)
    user = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="rater_roles"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NOMINATED
    )
    approval = models.CharField(
        _("approval"), max_length=10, choices=Approval.choices, default=Approval.NOT_NEEDED
    )
    link_secret = models.CharField(max_length=64, blank=True, default="")
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # The link a rater held before the key rotated (or before links were derived).
    previous_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # The short code of a rater without email (their printed card), hashed like the link.
    code_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    declined_reason = models.TextField(_("reason for declining"), blank=True, max_length=2000)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["participant", "group", "name"]
        verbose_name = _("rater")
        verbose_name_plural = _("raters")
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=models.Q(group="self"),
                name="rater_one_self_per_participant",
            ),
            models.UniqueConstraint(
                fields=["participant"],
                condition=models.Q(group="supervisor"),
                name="rater_one_supervisor_per_participant",
            ),
            models.UniqueConstraint(
                "participant",
                Lower("email"),
                condition=~models.Q(email=""),
                name="rater_once_per_participant",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_group_display()})"

    @property
    def is_anonymous(self):
        return self.group in ANONYMOUS_GROUPS

    @property
    def has_email(self):
        """False for a rater reached by a printed card (no email known)."""
        return bool(self.email)


class Response(models.Model):
    """A rater's answers for one participant: a draft until submitted, then final."""

    rater = models.OneToOneField(Rater, on_delete=models.CASCADE, related_name="response")
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self):
        return f"Response of {self.rater}"

    @property
    def is_submitted(self):
        return self.submitted_at is not None


class Answer(models.Model):
    """One questionnaire item answered: a score 1–5, or "not observed" (score left empty).

    "Not observed" is stored as an answer so that a draft knows it was given, and because the
    score is NULL, database averages leave it out by themselves.
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(
        "compass.Indicator", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pitfall = models.ForeignKey(
        "compass.Pitfall", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    # The item in one number, computed by the database: the indicator's id, or minus the
    # pitfall's.
    item = models.GeneratedField(
        expression=Coalesce(F("indicator_id"), Value(0) - F("pitfall_id")),
        output_field=models.IntegerField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(indicator__isnull=False, pitfall__isnull=True)
                    | models.Q(indicator__isnull=True, pitfall__isnull=False)
                ),
                name="answer_one_item",
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5),
                name="answer_score_on_scale",
            ),
            # one answer per item: a draft save upserts on it (``responses.save_section``)
            models.UniqueConstraint(fields=["response", "item"], name="answer_once_per_item"),
        ]

    def __str__(self):
        return f"{self.item_key}={self.score or 'not observed'}"

    @property
    def item_key(self):
        return f"i{self.indicator_id}" if self.indicator_id else f"p{self.pitfall_id}"


class Comment(models.Model):
    """An optional free-text comment on one enabler."""

    class Kind(models.TextChoices):
        STRENGTH = "strength", _("What does this leader do well here?")
        IMPROVEMENT = "improvement", _("What could they do differently?")

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="comments")
    enabler = models.ForeignKey("compass.Enabler", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    text = models.TextField(max_length=COMMENT_MAX_LENGTH)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "enabler", "kind"], name="comment_once_per_enabler_kind"
            ),
        ]

    def __str__(self):
        return self.text[:60]


class PulseFocus(models.Model):
    """What a progress pulse asks about one focus area of the leader's action plan, fixed when
    the pulse starts (the plan may change afterwards; the questions do not): the focus
    enabler and the indicators linked to it (running/pulses.py)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="pulse_focuses"
    )
    enabler = models.ForeignKey("compass.Enabler", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    indicators = models.ManyToManyField("compass.Indicator", related_name="+")

    class Meta:
        ordering = ["participant", "position"]
        verbose_name = _("pulse focus")
        verbose_name_plural = _("pulse focuses")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "enabler"], name="pulse_focus_once_per_enabler"
            ),
        ]

    def __str__(self):
        return str(self.enabler)


class ChangeAnswer(models.Model):
    """A rater's answer, in a progress pulse, to "Over the past months, has this leader become
    more or less effective at this?" for one focus enabler: −3 … +3, or "not observed" (score
    left empty, so averages leave it out as they do for answers)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="changes")
    enabler = models.ForeignKey("compass.Enabler", on_delete=models.PROTECT, related_name="+")
    score = models.SmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("change answer")
        verbose_name_plural = _("change answers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=-3, score__lte=3),
                name="change_answer_on_scale",
            ),
            models.UniqueConstraint(
                fields=["response", "enabler"], name="change_answer_once_per_enabler"
            ),
        ]

    def __str__(self):
        return f"c{self.enabler_id}={self.score if self.score is not None else 'not observed'}"


def _compass_key(model, *, null=True):
    """A tally's reference to a compass row: no database constraint nor index (see
    ``ItemTally``), and the compass row stays protected while tallies name it."""
    return models.ForeignKey(
        model,
        on_delete=models.PROTECT,
        null=null,
        blank=null,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )


class ItemTally(models.Model):
    """A participant's submitted answers to one item summed at release, per rater group
    (reporting.tallies): one row per participant × rater group × item, keyed by those three.

    ``item`` is the answer's item (``Answer.item``: the indicator's id, or minus the pitfall's);
    ``kind`` says which, and ``indicator``/``pitfall``, ``enabler`` and ``level`` (of the
    indicator's behaviour) name it. ``raters`` counts the raters who gave a real answer (one
    answer each, so it equals ``answered``); ``total`` and ``answered`` sum and count the real
    answers; ``not_observed`` counts the rest; ``squares`` sums each answer's square, for the
    spread of the raters' views. Answers cannot change after release, so these rows are the
    figures every report reads; an enabler's or a level's figure is combined from them when
    read (the anonymity rule decides per item first).

    Written only by ``tallies.freeze`` from rows that exist, so the foreign keys carry no
    database constraint and no index of their own: a release writes hundreds of thousands of
    rows, and checking or indexing each key would cost more than summing the answers. The
    primary key is the one index: readers and deletions find a participant's rows by it.
    Deleting a participant still takes its tallies along, and the compass rows stay
    protected (Django's collector does both).
    """

    class Kind(models.TextChoices):
        ITEM = "item", "indicator"
        PITFALL = "pitfall", "pitfall"

    pk = models.CompositePrimaryKey("participant", "group", "item")
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="tallies",
        db_index=False,
        db_constraint=False,
    )
    group = models.CharField(max_length=16, choices=RaterGroup.choices)
    item = models.IntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    enabler = _compass_key("compass.Enabler", null=False)
    level = _compass_key("compass.Level")
    indicator = _compass_key("compass.Indicator")
    pitfall = _compass_key("compass.Pitfall")
    total = models.PositiveIntegerField()
    answered = models.PositiveIntegerField()
    raters = models.PositiveIntegerField()
    not_observed = models.PositiveIntegerField()
    squares = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")

    def __str__(self):
        return f"{self.participant_id} {self.group} {self.kind} {abs(self.item)}"


class AuditEvent(models.Model):
    """Who did what to a cycle, when and why: the trail HR reads on the cycle page."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        EDIT = "edit", _("Edited")
        IMPORT = "import", _("Participants imported")
        IMPORT_RATERS = "import_raters", _("Raters imported")
        OPEN = "open", _("Opened")
        RESEND = "resend", _("Link resent")
        REPLACE_RATER = "replace_rater", _("Rater replaced")
        REMOVE_RATER = "remove_rater", _("Rater removed")
        REPLACE_NOMINATION = "replace_nomination", _("Nominee replaced by the leader")
        WITHDRAW_NOMINATION = "withdraw_nomination", _("Nominee withdrawn by the leader")
        EXTEND = "extend", _("Close date extended")
        REMIND = "remind", _("Reminders sent")
        REMINDER_SCHEDULE = "reminder_schedule", _("Reminder schedule set")
        CLOSE = "close", _("Closed")
        REOPEN = "reopen", _("Re-opened")
        RELEASE = "release", _("Reports released")
        RETRY_EMAIL = "retry_email", _("Email sent again")
        ADD_CARD_RATER = "add_card_rater", _("Rater without email added")
        REPORT_SHARED = "report_shared", _("Report shared with the supervisor")
        REPORT_UNSHARED = "report_unshared", _("Report no longer shared with the supervisor")
        PULSE = "pulse", _("Progress pulse started")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=40, choices=Action.choices)
    detail = models.CharField(max_length=500, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self):
        return f"{self.action} · {self.cycle}"


class ReportArchive(models.Model):
    """A cycle's individual reports as one zip of PDFs, built in the background for HR."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting to start")
        BUILDING = "building", _("Building")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="report_archives")
    requested_by = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # In the database, like every other file the app keeps: web and worker share nothing else.
    content = models.BinaryField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report archive")
        verbose_name_plural = _("report archives")

    def __str__(self):
        return f"{self.cycle} · {self.get_state_display()}"


class ActionPlan(models.Model):
    """A leader's plan for growth after a released report (PRODUCT §6)."""

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="action_plan"
    )
    shared_with_supervisor = models.BooleanField(_("shared with supervisor"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self):
        return f"Action plan of {self.participant}"


class FocusArea(models.Model):
    """One of the one to three enablers a plan focuses on, linked to items of the report."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="focus_areas")
    enabler = models.ForeignKey("compass.Enabler", on_delete=models.PROTECT, related_name="+")
    goal = models.TextField(_("goal"), max_length=2000)
    indicators = models.ManyToManyField("compass.Indicator", blank=True, related_name="+")
    pitfalls = models.ManyToManyField("compass.Pitfall", blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "created_at", "pk"]
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        constraints = [
            models.UniqueConstraint(fields=["plan", "enabler"], name="focus_once_per_enabler"),
        ]

    def __str__(self):
        return str(self.enabler)


class Action(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    focus = models.ForeignKey(FocusArea, on_delete=models.CASCADE, related_name="actions")
    text = models.TextField(_("action"), max_length=2000)
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self):
        return self.text[:60]


class PlanComment(models.Model):
    """The leader and their supervisor talking about a shared plan."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("User", on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("plan comment")
        verbose_name_plural = _("plan comments")

    def __str__(self):
        return self.text[:60]


class EmailDelivery(models.Model):
    """One email, sent on its own and recorded: a failure stops nothing else and HR can retry it.

    ``kind`` says what to send again: an invitation or reminder (``rater``), an approval
    request or a report notice (``participant``), a plan comment notice (``object_id``)."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        RETRIED = "retried", _("Sent again")

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    rater = models.ForeignKey(
        Rater, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=30)
    to = models.EmailField()
    subject = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("email delivery")
        verbose_name_plural = _("email deliveries")
        indexes = [models.Index(fields=["cycle", "status"], name="delivery_cycle_status")]

    def __str__(self):
        return f"{self.kind} to {self.to}: {self.status}"


class Throttle(models.Model):
    """A counter per (what, who, time window), incremented atomically in the database so that
    parallel requests on several web processes cannot under-count (assessments/throttle.py)."""

    key = models.CharField(max_length=64, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.key}: {self.count}"


class FormSubmission(models.Model):
    """A one-time token of a create form, used once (assessments/idempotency.py): a second post
    of the same form creates nothing and lands where the first one did."""

    key = models.CharField(max_length=64, unique=True)
    result_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return self.key
