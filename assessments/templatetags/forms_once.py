from django import template
from django.utils.html import format_html

from assessments.idempotency import FIELD, new_token

register = template.Library()


@register.simple_tag
def form_token():
    """A hidden one-time token for a create form (assessments/idempotency.py)."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())
