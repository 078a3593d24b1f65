from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views import i18n as i18n_views
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from assessments import languages


@never_cache
@require_GET
def healthz(request):
    """For load balancers and monitoring: 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_POST
def set_language(request):
    """The header's language choice: Django's cookie for everyone, and the account for a
    signed-in user, so that pages and emails follow it on every device."""
    response = i18n_views.set_language(request)
    code = request.POST.get("language", "")
    if request.user.is_authenticated and languages.is_supported(code):
        languages.choose_for_user(request.user, code)
    return response
