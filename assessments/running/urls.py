"""HR admins' pages: cycles, imports, monitoring, transitions, exports."""

from django.urls import path

from assessments.running.views import archives, cycles, participants, pulses, raters, reminders

app_name = "hr"

cycle = "cycles/<int:cycle_id>/"
rater = cycle + "participants/<int:participant_id>/raters/<int:rater_id>/"

urlpatterns = [
    path("", cycles.dashboard, name="dashboard"),
    path("cycles/new/", cycles.cycle_create, name="cycle_create"),
    path(cycle, cycles.cycle_detail, name="cycle_detail"),
    path(cycle + "edit/", cycles.cycle_edit, name="cycle_edit"),
    path(cycle + "import/", participants.import_participants, name="import_participants"),
    path(cycle + "import-raters/", participants.import_raters, name="import_raters"),
    path(cycle + "open/", cycles.cycle_open, name="cycle_open"),
    path(cycle + "close/", cycles.cycle_close, name="cycle_close"),
    path(cycle + "reopen/", cycles.cycle_reopen, name="cycle_reopen"),
    path(cycle + "release/", cycles.cycle_release, name="cycle_release"),
    path(cycle + "extend/", cycles.cycle_extend, name="cycle_extend"),
    path(cycle + "remind/", reminders.cycle_remind, name="cycle_remind"),
    path(
        cycle + "reminders/schedule/",
        reminders.cycle_reminder_schedule,
        name="cycle_reminder_schedule",
    ),
    path(cycle + "reports/pdf/", archives.cycle_report_pdfs, name="cycle_report_pdfs"),
    path(
        cycle + "reports/pdf/<int:archive_id>/",
        archives.report_archive_download,
        name="report_archive_download",
    ),
    path(cycle + "export/", participants.export_participation, name="export_participation"),
    path(cycle + "pulse/", pulses.start, name="pulse_start"),
    path(
        cycle + "participants/<int:participant_id>/",
        participants.participant_detail,
        name="participant_detail",
    ),
    path(cycle + "emails/<int:delivery_id>/retry/", raters.delivery_retry, name="delivery_retry"),
    path(rater + "resend/", raters.rater_resend, name="rater_resend"),
    path(rater + "replace/", raters.rater_replace, name="rater_replace"),
    path(rater + "remove/", raters.rater_remove, name="rater_remove"),
    path(rater + "card/", raters.rater_card, name="rater_card"),
    path(
        cycle + "participants/<int:participant_id>/raters/add-without-email/",
        raters.rater_add_without_email,
        name="rater_add_without_email",
    ),
    path(
        "templates/participants.csv",
        participants.participants_template,
        name="participants_template",
    ),
    path("templates/raters.csv", participants.raters_template, name="raters_template"),
]
