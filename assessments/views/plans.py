# Placeholder while the action plan views are being written.
from django.http import Http404


def plan(request, participant_id):
    raise Http404
