from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import selectors


@login_required
def matrix(request, edition=None):
    context = selectors.compass_matrix(edition or selectors.latest_edition())
    return render(request, "compass/matrix.html", context)


@login_required
def enabler_detail(request, edition, slug):
    return render(request, "compass/enabler.html", selectors.enabler_growth(edition, slug))


@login_required
def level_detail(request, edition, slug):
    return render(request, "compass/level.html", selectors.level_profile(edition, slug))


@login_required
def cell_detail(request, edition, level_slug, enabler_slug):
    context = selectors.compass_cell(edition, level_slug, enabler_slug)
    return render(request, "compass/cell.html", context)
