"""Forms of the HR pages. They validate what was typed; hr_actions.py, cycles.py and imports.py
decide what may happen."""

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from assessments.models import NOMINATED_GROUPS, Cycle, Rater, RaterGroup
from assessments.running.hr_actions import CYCLE_FIELDS, locked_fields
from assessments.running.imports import MAX_BYTES
from assessments.running.reminders import ALL, AUDIENCES, GROUP, NO_SELF, ORG_UNIT
from assessments.validators import no_control_characters
from compass.models import GRL_EDITION_PREFIX, Level, is_compass_edition

LIMIT_PAIRS = (
    ("min_peers", "max_peers", _("peers")),
    ("min_direct_reports", "max_direct_reports", _("direct reports")),
    ("min_partners", "max_partners", _("partners")),
)
MOST_RATERS_PER_GROUP = 30


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CycleForm(forms.ModelForm):
    """Create or edit a cycle. Fields that can no longer change are shown disabled (a disabled
    field ignores whatever is posted for it)."""

    edition = forms.ChoiceField(label=_("Compass edition"))

    class Meta:
        model = Cycle
        fields = list(CYCLE_FIELDS)
        widgets = {"opens_on": DateInput(), "closes_on": DateInput()}

    def clean_language(self):
        return self.cleaned_data.get("language") or Cycle._meta.get_field("language").default

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        editions = sorted(
            {e for e in Level.objects.values_list("edition", flat=True) if is_compass_edition(e)}
            | {self.instance.edition},
            reverse=True,
        )
        self.fields["edition"].choices = [(e, e) for e in editions]
        grl_editions = sorted(
            set(
                Level.objects.filter(edition__startswith=GRL_EDITION_PREFIX).values_list(
                    "edition", flat=True
                )
            )
            | ({self.instance.grl_edition} - {""}),
            reverse=True,
        )
        self.fields["grl_edition"] = forms.ChoiceField(
            label=_("Gender-responsive leadership section"),
            required=False,
            choices=[("", _("Not included"))]
            + [(e, _("Included (edition %(edition)s)") % {"edition": e}) for e in grl_editions],
            help_text=Cycle._meta.get_field("grl_edition").help_text,
        )
        self.fields["name"].validators.append(no_control_characters)
        # Left out of a post (an older form, a script): the site's default language.
        self.fields["language"].required = False
        k = self.fields["anonymity_threshold"]
        k.widget.attrs["min"] = 3
        k.error_messages["min_value"] = _(
            "The anonymity threshold must be at least 3: with fewer, raters could be recognised "
            "from their answers."
        )
        for fewest, most, _label in LIMIT_PAIRS:
            for name in (fewest, most):
                self.fields[name].widget.attrs.update({"min": 0, "max": MOST_RATERS_PER_GROUP})
                self.fields[name].validators.append(MaxValueValidator(MOST_RATERS_PER_GROUP))
        cycle = self.instance
        if cycle.pk:
            locked = locked_fields(cycle)
            for name in locked:
                self.fields[name].disabled = True
            if locked and cycle.state != Cycle.State.RELEASED:
                self.fields[locked[0]].help_text = _(
                    "The edition, the anonymity threshold, the rater limits and approvals are "
                    "fixed once the cycle opens, and the edition once participants are enrolled."
                )

    def clean_anonymity_threshold(self):
        k = self.cleaned_data["anonymity_threshold"]
        if k is not None and k < 3:
            raise forms.ValidationError(
                self.fields["anonymity_threshold"].error_messages["min_value"]
            )
        return k

    def clean(self):
        cleaned = super().clean()
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("The close date cannot be before the open date."))
        for fewest, most, label in LIMIT_PAIRS:
            low, high = cleaned.get(fewest), cleaned.get(most)
            if low is not None and high is not None and low > high:
                self.add_error(
                    fewest,
                    _("The fewest %(group)s cannot be more than the most (%(most)s).")
                    % {"group": label, "most": high},
                )
        return cleaned

    def changes(self):
        """{field: new value} for what the form changed (disabled fields never change)."""
        return {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if not self.fields[name].disabled
        }


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 CSV, comma or semicolon separated, at most 2 MB and 5,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB. Split the cohort into several files.")
                % {"mb": MAX_BYTES // (1024 * 1024)}
            )
        return upload

    def read(self):
        upload = self.cleaned_data["file"]
        return b"".join(upload.chunks())


STATUS_CHOICES = [
    ("", _("Any status")),
    ("self_not_submitted", _("Self-assessment not submitted")),
    ("self_submitted", _("Self-assessment submitted")),
    ("nominations_not_sent", _("Nominations not sent")),
    ("below_k", _("A rater group below the threshold")),
    ("not_invited", _("Not invited yet")),
]

SORT_CHOICES = [
    ("name", _("Name (A→Z)")),
    ("-name", _("Name (Z→A)")),
    ("level", _("Level")),
    ("-level", _("Level, highest first")),
    ("org_unit", _("Org unit (A→Z)")),
    ("-org_unit", _("Org unit (Z→A)")),
    ("response_rate", _("Response rate, lowest first")),
    ("-response_rate", _("Response rate, highest first")),
]


class ParticipantFilterForm(forms.Form):
    """The GET filters of the cycle page. Invalid values are reported and ignored."""

    level = forms.ModelChoiceField(
        label=_("Level"), queryset=Level.objects.none(), required=False, empty_label=_("Any level")
    )
    org_unit = forms.ChoiceField(label=_("Org unit"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)

    def __init__(self, *args, cycle, levels, org_units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = levels
        self.fields["org_unit"].choices = [("", _("Any org unit"))] + [(u, u) for u in org_units]
        self.fields["status"].help_text = _(
            "Below the threshold: peers, direct reports or partners invited, but fewer than "
            "%(k)s submitted."
        ) % {"k": cycle.anonymity_threshold}

    def filters(self):
        """Keyword arguments for monitoring.filter_participants, and the sort key."""
        data = self.cleaned_data if self.is_valid() else {}
        return (
            {
                "level": data.get("level"),
                "org_unit": data.get("org_unit") or None,
                "status": data.get("status") or None,
            },
            data.get("sort") or "name",
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        validators=[no_control_characters],
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args, reason_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
        if reason_required:
            self.fields["reason"].error_messages["required"] = _("Say why.")


class ConfirmNameForm(forms.Form):
    """Type the cycle's name: asked before a final step when something is short."""

    cycle_name = forms.CharField(label=_("The cycle's name"), max_length=200)

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        self.fields["cycle_name"].help_text = _("Type “%(name)s” to confirm.") % {
            "name": cycle.name
        }
        self.fields["cycle_name"].widget.attrs["autocomplete"] = "off"
        self.fields["cycle_name"].error_messages["required"] = _(
            "Type the cycle's name to confirm."
        )

    def clean_cycle_name(self):
        typed = " ".join(self.cleaned_data["cycle_name"].split())
        if typed != " ".join(self.cycle.name.split()):
            raise forms.ValidationError(
                _("This is not the cycle's name: type “%(name)s”.") % {"name": self.cycle.name}
            )
        return typed


class ReminderAudienceForm(forms.Form):
    """Whom to remind. Read from the query string to preview, then posted to send."""

    audience = forms.ChoiceField(
        label=_("Remind"), choices=AUDIENCES, widget=forms.RadioSelect, initial=ALL
    )
    group = forms.ChoiceField(label=_("Rater group"), required=False)
    org_unit = forms.ChoiceField(label=_("Org unit"), required=False)

    def __init__(self, *args, org_units, pulse=False, **kwargs):
        super().__init__(*args, **kwargs)
        groups = RaterGroup.choices
        if pulse:  # a pulse has no self-assessment: nobody to remind of one
            self.fields["audience"].choices = [c for c in AUDIENCES if c[0] != NO_SELF]
            groups = [c for c in groups if c[0] != RaterGroup.SELF]
        self.fields["group"].choices = [("", _("Choose a group…")), *groups]
        self.fields["org_unit"].choices = [("", _("Choose an org unit…"))] + [
            (unit, unit) for unit in org_units
        ]

    def clean(self):
        data = super().clean()
        audience = data.get("audience")
        if audience == GROUP and not data.get("group"):
            self.add_error("group", _("Choose the rater group to remind."))
        if audience == ORG_UNIT and not data.get("org_unit"):
            self.add_error("org_unit", _("Choose the org unit to remind."))
        return data

    def chosen(self):
        """Keyword arguments for ``reminders.audience_raters``."""
        data = self.cleaned_data
        return {
            "audience": data["audience"],
            "group": data.get("group") if data["audience"] == GROUP else "",
            "org_unit": data.get("org_unit") if data["audience"] == ORG_UNIT else "",
        }


class ReminderScheduleForm(forms.Form):
    every_days = forms.IntegerField(
        label=_("Remind every … days"),
        required=False,
        min_value=1,
        max_value=60,
        help_text=_("Leave empty for no regular reminder."),
    )
    days_before_close = forms.IntegerField(
        label=_("And … days before the close date"),
        required=False,
        min_value=0,
        max_value=60,
        help_text=_("0 reminds on the close date itself; leave empty for none."),
    )


class ExtendForm(forms.Form):
    closes_on = forms.DateField(label=_("New close date"), widget=DateInput())


class ReplaceRaterForm(forms.Form):
    name = forms.CharField(
        validators=[no_control_characters],
        label=_("New rater's name"),
        max_length=Rater._meta.get_field("name").max_length,
    )
    email = forms.EmailField(
        label=_("New rater's email address"), max_length=Rater._meta.get_field("email").max_length
    )
    discard_submitted = forms.BooleanField(
        label=_("Also discard the response they submitted"), required=False
    )
    reason = forms.CharField(
        validators=[no_control_characters],
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("Recorded in the audit trail. Needed to discard a submitted response."),
    )

    def __init__(self, *args, rater, **kwargs):
        super().__init__(*args, **kwargs)
        if rater.status != Rater.Status.SUBMITTED:
            del self.fields["discard_submitted"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("discard_submitted") and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Say why the submitted response is discarded."))
        return cleaned


class CardRaterForm(forms.Form):
    """A rater without email that HR adds for a leader: a name and a group; they get a card."""

    name = forms.CharField(
        label=_("Name"),
        max_length=Rater._meta.get_field("name").max_length,
        validators=[no_control_characters],
    )
    group = forms.ChoiceField(
        label=_("Rater group"),
        choices=[(g.value, g.label) for g in NOMINATED_GROUPS],
    )


class PulseCohortForm(forms.Form):
    """HR's close date for a cohort's progress pulse (it opens at once)."""

    closes_on = forms.DateField(
        label=_("Closes on"),
        widget=DateInput(),
        help_text=_("Raters can answer until the end of this day. You can extend it later."),
    )
