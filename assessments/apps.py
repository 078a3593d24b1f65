from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from compass_site.middleware import remember_sign_in

        user_logged_in.connect(remember_sign_in, dispatch_uid="idle-timeout-start")

        from django.apps import apps
        from django.db.models.signals import post_delete, post_save

        from assessments.answering.questionnaire import compass_changed

        for model in apps.get_app_config("compass").get_models():
            for signal in (post_save, post_delete):
                signal.connect(compass_changed, sender=model, dispatch_uid=f"compass-{model}")
