"""Forms of the leader's pages. They validate what was typed; the rules in nominations.py decide."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.answering.questionnaire import NOT_OBSERVED
from assessments.models import COMMENT_MAX_LENGTH, NOMINATED_GROUPS, Comment, Rater
from assessments.validators import no_control_characters, without_control_characters


class NominationForm(forms.Form):
    """A rater the leader nominates: name, email and one of the nominated groups."""

    name = forms.CharField(
        validators=[no_control_characters],
        label=_("Name"),
        max_length=Rater._meta.get_field("name").max_length,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        max_length=Rater._meta.get_field("email").max_length,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    group = forms.ChoiceField(
        label=_("Rater group"),
        choices=[("", _("Choose a group…")), *((g.value, g.label) for g in NOMINATED_GROUPS)],
        error_messages={"invalid_choice": _("Choose peers, direct reports or partners.")},
    )
    without_email = forms.BooleanField(
        label=_("This person has no email address: I will give them a printed card"),
        required=False,
        help_text=_(
            "The card carries their personal link, a QR code and a short code to type in. "
            "Their reminders come to you, to pass on."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        # The page writes the <form> tag: it knows the participant the form posts to.
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("name", css_class="col-md-4"),
                Column("email", css_class="col-md-4"),
                Column("group", css_class="col-md-4"),
            ),
            "without_email",
        )

    def clean(self):
        data = super().clean()
        if data.get("without_email"):
            if data.get("email"):
                self.add_error(
                    "email",
                    _(
                        "Leave the email empty for a rater who gets a printed card, "
                        "or untick the box."
                    ),
                )
        elif "email" in data and not data["email"]:
            self.add_error(
                "email",
                _("Enter the email address, or tick the box below for a rater without email."),
            )
        return data

    def rater_fields(self):
        """What ``nominations.nominate_rater`` takes: an empty email means a printed card."""
        return {key: self.cleaned_data[key] for key in ("name", "email", "group")}


APPROVE = "approve"
REJECT = "reject"


class ReplaceNominationForm(forms.Form):
    """Someone else in a nominee's place: the leader corrects a mistyped name or address."""

    name = forms.CharField(
        label=_("Name"),
        max_length=Rater._meta.get_field("name").max_length,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=Rater._meta.get_field("email").max_length,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    @classmethod
    def for_rater(cls, rater, data=None):
        return cls(data, initial={"name": rater.name, "email": rater.email})


class ApprovalForm(forms.Form):
    """One choice per pending nomination: approve, reject, or leave it for later."""

    def __init__(self, *args, raters, **kwargs):
        super().__init__(*args, **kwargs)
        self.raters = list(raters)
        for rater in self.raters:
            self.fields[self._field_name(rater)] = forms.ChoiceField(
                label=rater.name,
                choices=[("", _("Decide later")), (APPROVE, _("Approve")), (REJECT, _("Reject"))],
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                required=False,
                initial="",
            )

    @staticmethod
    def _field_name(rater):
        return f"rater_{rater.pk}"

    def rows(self):
        """(rater, its bound field), in the order the raters were given."""
        return [(rater, self[self._field_name(rater)]) for rater in self.raters]

    def decisions(self, *, approve_rest=False, shown=()):
        """(approved rater ids, rejected rater ids) from the cleaned data.

        ``approve_rest`` ("Approve all"): every rater the supervisor was shown (``shown``, the
        ids the page listed) and did not mark "Reject" is approved; a nomination that arrived
        after the page was shown is left for later.
        """
        chosen = {rater.pk: self.cleaned_data.get(self._field_name(rater)) for rater in self.raters}
        if approve_rest:
            shown = {str(pk) for pk in shown}
            chosen = {
                pk: (REJECT if choice == REJECT else APPROVE if str(pk) in shown else choice)
                for pk, choice in chosen.items()
            }
        approved = [pk for pk, choice in chosen.items() if choice == APPROVE]
        rejected = [pk for pk, choice in chosen.items() if choice == REJECT]
        return approved, rejected


class SectionCommentsForm(forms.Form):
    """The two comments of a questionnaire section, as a rater (or the leader) typed them."""

    comment_strength = forms.CharField(
        required=False, strip=False, validators=[no_control_characters]
    )
    comment_improvement = forms.CharField(
        required=False, strip=False, validators=[no_control_characters]
    )

    def clean(self):
        data = super().clean()
        for name in ("comment_strength", "comment_improvement"):
            text = data.get(name) or ""
            if len(text) > COMMENT_MAX_LENGTH:
                self.add_error(
                    name,
                    _("Please keep this under %(max)s characters (it has %(n)s).")
                    % {"max": COMMENT_MAX_LENGTH, "n": len(text)},
                )
        return data

    def comments(self):
        """{comment kind: text}, as the rules take them."""
        return {
            "strength": self.cleaned_data.get("comment_strength", ""),
            "improvement": self.cleaned_data.get("comment_improvement", ""),
        }


_answer_fields = {}


def _answer_field(scale):
    """The field of an answer on ``scale``, made once per process and shared by every section
    form (a section has up to a few dozen): it only cleans what was posted (the page draws its
    own radios), which changes nothing in it, and its message is translated when shown."""
    values = tuple(str(value) for value, _label in scale)
    field = _answer_fields.get(values)
    if field is None:
        field = _answer_fields[values] = forms.ChoiceField(
            required=False,
            choices=[("", ""), *((v, v) for v in values), (NOT_OBSERVED, NOT_OBSERVED)],
            error_messages={"invalid_choice": _("An answer is outside the scale.")},
        )
    return field


class SectionForm(SectionCommentsForm):
    """One questionnaire section as posted: an answer per item (blank leaves it as it was; a
    value off the item's scale is refused) and the two comments (none in a progress pulse's
    section, whose change question is on its own scale, −3 … +3)."""

    def __init__(self, data, *, section):
        super().__init__(data)
        self.section = section
        for item in section.items:
            self.fields[item.key] = _answer_field(item.scale)

    def values(self):
        """{item key: what was posted}, the blank ones included, as the rules take them."""
        return {item.key: self.data.get(item.key, "") for item in self.section.items}

    def comments(self):
        return {} if self.section.is_pulse else super().comments()

    def first_errors(self):
        """{field name: its first message}; empty when the form is valid."""
        return {} if self.is_valid() else {n: m[0] for n, m in self.errors.items()}

    def typed_comments(self):
        """The comments to show again: as typed, without what cannot be stored."""
        if self.section.is_pulse or self.is_valid():
            return self.comments()
        return {
            kind: without_control_characters(self.data.get(f"comment_{kind}", ""))
            for kind in Comment.Kind.values
        }


DECLINE_REASON_MAX = 2000


class DeclineForm(forms.Form):
    reason = forms.CharField(required=False, validators=[no_control_characters])

    def clean_reason(self):
        reason = self.cleaned_data["reason"]
        if len(reason) > DECLINE_REASON_MAX:
            raise forms.ValidationError(
                _("Please keep the reason under %(max)s characters.") % {"max": DECLINE_REASON_MAX}
            )
        return reason
