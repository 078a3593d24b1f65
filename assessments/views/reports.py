# Placeholder while the report views are being written.
from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


individual = individual_print = share = _todo
