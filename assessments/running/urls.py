"""HR admins' pages: cycles, imports, monitoring, transitions, exports."""

from django.urls import path

from assessments.running.views import hr

app_name = "hr"

cycle = "cycles/<int:cycle_id>/"
rater = cycle + "participants/<int:participant_id>/raters/<int:rater_id>/"

urlpatterns = [
    path("", hr.dashboard, name="dashboard"),
    path("cycles/new/", hr.cycle_create, name="cycle_create"),
    path(cycle, hr.cycle_detail, name="cycle_detail"),
    path(cycle + "edit/", hr.cycle_edit, name="cycle_edit"),
    path(cycle + "import/", hr.import_participants, name="import_participants"),
    path(cycle + "import-raters/", hr.import_raters, name="import_raters"),
    path(cycle + "open/", hr.cycle_open, name="cycle_open"),
    path(cycle + "close/", hr.cycle_close, name="cycle_close"),
    path(cycle + "reopen/", hr.cycle_reopen, name="cycle_reopen"),
    path(cycle + "release/", hr.cycle_release, name="cycle_release"),
    path(cycle + "extend/", hr.cycle_extend, name="cycle_extend"),
    path(cycle + "remind/", hr.cycle_remind, name="cycle_remind"),
    path(cycle + "reminders/schedule/", hr.cycle_reminder_schedule, name="cycle_reminder_schedule"),
    path(cycle + "reports/pdf/", hr.cycle_report_pdfs, name="cycle_report_pdfs"),
    path(
        cycle + "reports/pdf/<int:archive_id>/",
        hr.report_archive_download,
        name="report_archive_download",
    ),
    path(cycle + "export/", hr.export_participation, name="export_participation"),
    path(
        cycle + "participants/<int:participant_id>/",
        hr.participant_detail,
        name="participant_detail",
    ),
    path(cycle + "emails/<int:delivery_id>/retry/", hr.delivery_retry, name="delivery_retry"),
    path(rater + "resend/", hr.rater_resend, name="rater_resend"),
    path(rater + "replace/", hr.rater_replace, name="rater_replace"),
    path(rater + "remove/", hr.rater_remove, name="rater_remove"),
    path(rater + "card/", hr.rater_card, name="rater_card"),
    path(
        cycle + "participants/<int:participant_id>/raters/add-without-email/",
        hr.rater_add_without_email,
        name="rater_add_without_email",
    ),
    path("templates/participants.csv", hr.participants_template, name="participants_template"),
    path("templates/raters.csv", hr.raters_template, name="raters_template"),
]
