# Placeholder while the team and cohort report views are being written.
from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


team = cohort = cohort_export = _todo
