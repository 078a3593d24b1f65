"""Who reads in which language: the one place that decides it.

Languages are the codes of ``settings.LANGUAGES`` (en, fr, es, ar). A person's language is, in
order: what they chose themselves (their account, or a rater on the start page), what HR's import
said (a participant's or a rater's row), and the cycle's language. Emails are rendered inside
``translation.override(language)`` with the recipient's language; pages follow the signed-in
user's choice, the rater's choice, or else the browser (Django's LocaleMiddleware).
"""

from contextlib import contextmanager

from django.conf import settings
from django.utils import translation

from assessments.models import RaterGroup

# What an import may write in its ``language`` column for each code, besides the code itself:
# the language's name in English and in itself, lower-cased.
NAMES = {
    "en": ("english", "anglais", "inglés", "ingles", "الإنجليزية", "الانجليزية", "الإنكليزية"),
    "fr": ("french", "français", "francais", "francés", "frances", "الفرنسية"),
    "es": ("spanish", "español", "espanol", "espagnol", "castellano", "الإسبانية", "الاسبانية"),
    "ar": ("arabic", "arabe", "árabe", "عربي", "العربية"),
}


def codes():
    return [code for code, _name in settings.LANGUAGES]


def is_supported(code):
    return code in codes()


def parse(value):
    """The language code an import cell names ("fr", "FR", "fr-FR", "French", "Français"…), or
    None when it names none of ours."""
    word = " ".join(str(value).strip().lower().split())
    if not word:
        return None
    base = word.replace("_", "-").split("-", 1)[0]
    if is_supported(base) and len(word) <= 5:
        return base
    for code, names in NAMES.items():
        if word in names and is_supported(code):
            return code
    return None


def default():
    return settings.LANGUAGE_CODE


def of_participant(participant):
    """The language of a leader taking part in a cycle: their own choice, else the import's,
    else the cycle's."""
    person = participant.person
    return (
        (person.language if person is not None else "")
        or participant.language
        or participant.cycle.language
        or default()
    )


def of_rater(rater):
    """The language of a rater: their own choice (start page) or the import's; the
    self-assessment follows the leader; else the cycle's."""
    participant = rater.participant
    if rater.group == RaterGroup.SELF:
        return rater.language or of_participant(participant)
    if rater.language:
        return rater.language
    if rater.user_id is not None and rater.user.language:
        return rater.user.language
    return participant.cycle.language or default()


def of_user(user, *, fallback=None):
    """A signed-in person's language: their choice, else ``fallback`` (e.g. a cycle's)."""
    return (user.language if user is not None else "") or fallback or default()


@contextmanager
def speaking(code):
    """Render (an email, a subject) in ``code``, whatever the current request's language."""
    with translation.override(code if is_supported(code) else default()):
        yield


def activate_for_request(request, code):
    """Pages of this request in ``code`` (a rater's or a user's chosen language)."""
    if code and is_supported(code):
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()


def choose_for_user(user, code):
    """A signed-in user's own choice, saved on the account."""
    if is_supported(code) and user.language != code:
        user.language = code
        user.save(update_fields=["language"])


def choose_for_rater(rater, code):
    """A rater's choice of questionnaire language (start page, or any page of it), saved on the
    rater; answers are untouched."""
    if is_supported(code) and rater.language != code:
        rater.language = code
        rater.save(update_fields=["language"])
