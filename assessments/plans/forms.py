"""Forms of the action plan pages. They check what was typed; ``action_plans`` decides.

The focus form offers every behaviour and pitfall of the leader's report as a choice: which of
them belong to the chosen enabler, how many focus areas a plan may have and whether an enabler
is already chosen are the rules' to say.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import COMMENT_MAX_LENGTH, Action
from assessments.validators import no_control_characters

TEXT_MAX_LENGTH = 2000
NOT_THIS_ENABLER = _("Link only behaviours and pitfalls of this enabler from your report.")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def report_items_field(label):
    """Behaviours or pitfalls of the report to link to a focus area: only those of its enabler."""
    return forms.TypedMultipleChoiceField(
        label=label,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": NOT_THIS_ENABLER},
    )


class FocusForm(forms.Form):
    """A focus area: one enabler of the report, a goal, and report items to link it to.

    ``enablers`` are the enablers of the report's edition; ``items`` the questionnaire items of
    the report (indicators and pitfalls of every enabler).
    """

    enabler = forms.ChoiceField(
        label=_("Enabler"),
        error_messages={"invalid_choice": _("Choose one of the seven enablers of your report.")},
    )
    goal = forms.CharField(
        validators=[no_control_characters],
        label=_("Your goal"),
        max_length=TEXT_MAX_LENGTH,
        help_text=_("What you want to be different in a year, in a sentence or two."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the goal.")},
    )
    indicators = report_items_field(_("Behaviours from your report"))
    pitfalls = report_items_field(_("Pitfalls from your report"))

    def __init__(self, *args, enablers, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.enablers = {enabler.slug: enabler for enabler in enablers}
        self.fields["enabler"].choices = [(slug, e.name) for slug, e in self.enablers.items()]
        self.fields["indicators"].choices = [
            (item.indicator_id, item.text) for item in items if item.indicator_id
        ]
        self.fields["pitfalls"].choices = [
            (item.pitfall_id, item.title) for item in items if item.pitfall_id
        ]

    def clean_enabler(self):
        return self.enablers[self.cleaned_data["enabler"]]


class ActionForm(forms.Form):
    text = forms.CharField(
        validators=[no_control_characters],
        label=_("Action"),
        max_length=TEXT_MAX_LENGTH,
        help_text=_("Something you will do, that someone could see you doing."),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write the action.")},
    )
    due_on = forms.DateField(
        label=_("Due on"),
        widget=DateInput(),
        error_messages={
            "required": _("Give the action a due date."),
            "invalid": _("Enter the due date as a date, e.g. 2026-03-31."),
        },
    )


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=Action.Status.choices,
        error_messages={"invalid_choice": _("Choose a status from the list.")},
    )


class SharePlanForm(forms.Form):
    shared = forms.TypedChoiceField(
        choices=[("1", _("Share")), ("0", _("Stop sharing"))],
        coerce=lambda value: value == "1",
    )


class PlanCommentForm(forms.Form):
    text = forms.CharField(
        validators=[no_control_characters],
        label=_("Your comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write a comment.")},
    )


class PulseRatersForm(forms.Form):
    """The raters of the 360 a leader asks again in a progress pulse: every candidate, ticked
    by default (``running/pulses.py`` decides who may be asked)."""

    raters = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        label=_("Raters to ask again"),
        error_messages={"invalid_choice": _("Choose raters from the list.")},
    )

    def __init__(self, *args, raters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["raters"].choices = [(rater.pk, rater.name) for rater in raters]
