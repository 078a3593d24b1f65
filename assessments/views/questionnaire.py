# Placeholder while the questionnaire views are being written.
from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


start = section = review = decline = thanks = _todo
self_start = self_section = self_review = self_thanks = _todo
