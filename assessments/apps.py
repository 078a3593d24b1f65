from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from compass_site.middleware import remember_sign_in

        user_logged_in.connect(remember_sign_in, dispatch_uid="idle-timeout-start")
