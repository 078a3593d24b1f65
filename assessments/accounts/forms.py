"""The account forms the app changes from Django's."""

from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation

from assessments import languages
from assessments.models import User


class AccountPasswordResetForm(PasswordResetForm):
    """Password reset that also reaches accounts HR created by import, which have no password
    yet (Django's form skips them): their owners choose one through the emailed link. The
    answer never says whether an account exists."""

    def get_users(self, email):
        return User.objects.filter(email__iexact=email, is_active=True)

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        """In the account's language, else the language of the page that asked."""
        language = languages.of_user(context["user"], fallback=translation.get_language())
        with languages.speaking(language):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)
