"""``{% error_summary form … %}``: the errors of the page's forms at the top of the page.

The GOV.UK pattern: a box headed "There is a problem" listing every error, each a link to its
field, shown above the page's content; ``static/js/error-summary.js`` moves the focus to it, so
a refused form is never answered by a page that reloads at the top with the error far below.
Django marks each field ``aria-invalid`` and points its ``aria-describedby`` at the message.
"""

from django import template

register = template.Library()


def _forms(values):
    for value in values:
        if value is None or value == "":
            continue
        if isinstance(value, list | tuple):
            yield from _forms(value)
        else:
            yield value


def _anchor(field):
    """The id the link goes to: the field, or the first of its radios or checkboxes (whose
    group has no id of its own)."""
    if field.id_for_label:
        return field.id_for_label
    subwidgets = field.subwidgets
    if subwidgets and subwidgets[0].id_for_label:
        return subwidgets[0].id_for_label
    return field.auto_id or None


def summary_items(*forms):
    """[(message, anchor or None)] for every error of ``forms`` (bound forms only), non-field
    errors first, then the fields in the form's order."""
    items = []
    for form in _forms(forms):
        if not getattr(form, "is_bound", False) or not form.errors:
            continue
        items += [(str(error), None) for error in form.non_field_errors()]
        for field in form:
            for error in field.errors:
                items.append((str(error), _anchor(field)))
    return items


@register.inclusion_tag("_error_summary.html")
def error_summary(*forms):
    return {"items": summary_items(*forms)}
