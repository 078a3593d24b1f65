# Placeholder while the leader views are being written.
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render


@login_required
def home(request):
    return render(request, "home.html")


def _todo(request, *args, **kwargs):
    raise Http404


index = participation = nominate = remove_nomination = submit_nominations = approvals = _todo
