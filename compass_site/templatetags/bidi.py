"""Bidirectional text in sentences: names, dates and numbers isolated with <bdi>.

A name in Latin letters inside an Arabic sentence (or an Arabic name inside an English one) is
laid out on its own, so the punctuation and numbers around it stay where the sentence put them.
Loaded as a builtin (settings.TEMPLATES): ``{% blocktranslate with name=leader_name|bdi %}``.
Never for <title>, attributes or <option> text, which cannot hold markup.
"""

from django import template
from django.template.loader import get_template
from django.utils.formats import localize
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter(expects_localtime=True)
def bdi(value):
    """``value`` localized (dates, numbers: the reader's format), escaped and wrapped in
    <bdi>…</bdi>; empty stays empty."""
    if value is None or value == "":
        return value
    html = get_template("_bdi.html").render({"value": localize(value)})
    # The template file ends with a newline, which must not stand inside the sentence; what
    # it rendered is already escaped.
    return mark_safe(html.strip())  # noqa: S308
