from django import template

from assessments.idempotency import FIELD, new_token

register = template.Library()


@register.inclusion_tag("_form_token.html")
def form_token():
    """A hidden one-time token for a create form (assessments/idempotency.py)."""
    return {"name": FIELD, "value": new_token()}
