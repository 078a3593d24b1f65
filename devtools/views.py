"""Development pages: nothing here is part of the application a user sees."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def loadrun_bare(request):
    """The framework's own ceiling for ``make loadrun``: the middleware and a response, no
    database. Answers 404 unless the server was started with LOADRUN_BARE_VIEW=on, which only
    bench/loadrun.sh does: it is no part of the application."""
    if not settings.LOADRUN_BARE_VIEW:
        raise Http404
    return HttpResponse("ok", content_type="text/plain")
