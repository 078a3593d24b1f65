"""Account pages the project changes from Django's own."""

from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect

from assessments.accounts import password_reset
from assessments.accounts.forms import AccountPasswordResetForm
from assessments.throttle import client_address


class PasswordResetView(auth_views.PasswordResetView):
    """Django's page, but the email is throttled and sent by the worker; the answer is the same
    "check your email" page in every case."""

    form_class = AccountPasswordResetForm

    def form_valid(self, form):
        password_reset.request_reset(
            email=form.cleaned_data["email"], address=client_address(self.request)
        )
        return HttpResponseRedirect(self.get_success_url())
