"""Bidirectional text in sentences: names, dates and numbers isolated with <bdi>.

A name in Latin letters inside an Arabic sentence (or an Arabic name inside an English one) is
laid out on its own, so the punctuation and numbers around it stay where the sentence put them.
Loaded as a builtin (settings.TEMPLATES): ``{% blocktranslate with name=leader_name|bdi %}``.
Never for <title>, attributes or <option> text, which cannot hold markup.
"""

from functools import cache

from django import template
from django.template.loader import get_template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

TEMPLATE = "_bdi.html"
_MARK = "bdi-value-goes-here"


@cache
def _wrapping():
    """The markup ``_bdi.html`` puts before and after the value, rendered once per process.

    The filter runs many times on a page; rendering a template each time cost more than the
    rest of the filter. The markup stays in the template: rendered once around a marker, it is
    split into the text before and after the value (a template that does not show the value
    exactly once is refused). The template file ends with a newline, which must not stand
    inside the sentence. Edits to the template take effect when the process restarts.
    """
    html = get_template(TEMPLATE).render({"value": _MARK})
    before, marker, after = html.partition(_MARK)
    if not marker or _MARK in after:
        raise template.TemplateSyntaxError(f"{TEMPLATE} must show {{{{ value }}}} exactly once")
    return before.lstrip(), after.rstrip()


@register.filter(expects_localtime=True)
def bdi(value):
    """``value`` localized (dates, numbers: the reader's format), escaped and wrapped in
    <bdi>…</bdi>; empty stays empty."""
    if value is None or value == "":
        return value
    before, after = _wrapping()
    # The template's own markup around the value, escaped as the template would escape it.
    return mark_safe(before + conditional_escape(localize(value)) + after)  # noqa: S308
