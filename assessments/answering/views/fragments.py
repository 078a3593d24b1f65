"""The pieces of a section page rendered once per process, language and compass version (the
questionnaire holds them, ``Questionnaire.fragments``) and only marked with what is the rater's:
each item with its answer choices, and the section buttons of the page's navigation. A section
holds up to a few dozen items: drawing them with the template language on every request cost
more than the rest of the page."""

import re
from types import SimpleNamespace

from django.contrib.messages import get_messages
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe

from assessments.answering.questionnaire import NOT_OBSERVED, NOT_OBSERVED_LABEL, prompt


def choices_row(item, current=None, missing=False, error=None, *, is_self):
    current = str(current) if current is not None else None
    choices = [(str(v), label) for v, label in item.scale]
    choices.append((NOT_OBSERVED, NOT_OBSERVED_LABEL))
    described_by = []
    if item.context:
        described_by.append(f"ctx-{item.key}")
    if missing or error:
        described_by.append(f"err-{item.key}")
    return {
        "item": item,
        "text": prompt(item, is_self=is_self),
        "choices": [
            {"value": v, "label": label, "checked": v == current, "id": f"{item.key}-{v}"}
            for v, label in choices
        ],
        "missing": missing,
        "error": error,
        "described_by": " ".join(described_by),
    }


def item_html(questionnaire, item, current, *, read_only, is_self):
    """An item with its answer choices, rendered once per process, language and compass version
    (the questionnaire holds them) and marked with the rater's answer: the only thing that
    varies."""
    key = (item.key, read_only, is_self)
    html = questionnaire.fragments.get(key)
    if html is None:
        html = render_to_string(
            "assessments/questionnaire/_item.html",
            {"row": choices_row(item, is_self=is_self), "read_only": read_only},
        )
        questionnaire.fragments[key] = html
    if current is None:
        return html
    value = str(current)
    marker = f'id="{item.key}-{value}" value="{value}"'
    return mark_safe(html.replace(marker, f"{marker} checked", 1))  # noqa: S308 (our own HTML)


class Row(dict):
    """An item's row on a section page: the item, its answer, whether it is marked (missing or
    wrong) and, unless marked, its HTML from the process's fragments. Its answer choices and
    prompt are worked out only when read (the page never reads those of unmarked items)."""

    def __missing__(self, key):
        if key not in _LAZY_KEYS:
            raise KeyError(key)
        full = choices_row(
            self["item"], self["current"], self["missing"], self["error"], is_self=self["is_self"]
        )
        self.update(full)
        return full[key]


_LAZY_KEYS = frozenset({"text", "choices", "described_by"})  # what choices_row adds


def section_rows(questionnaire, section, answers, missing, errors, context):
    """(rows, runs): each group's items as rows (``Row``), and as the template shows them, in
    order: runs of unmarked items joined into one piece of HTML (a section holds up to a few
    dozen items, and a loop over them in the template cost more than the rest of the page),
    and the row of each marked item, which the template renders in full."""
    read_only, is_self = context["read_only"], context["is_self"]

    def row(item):
        current = answers.get(item.key)
        missing_here, error = item.key in missing, errors.get(item.key)
        row = Row(item=item, current=current, missing=missing_here, error=error, is_self=is_self)
        if not (missing_here or error):
            row["html"] = item_html(
                questionnaire, item, current, read_only=read_only, is_self=is_self
            )
        return row

    groups = {
        "general": section.general_items,
        "level": section.level_items,
        "next": section.next_items,
        "pitfalls": section.pitfall_items,
        "focus": section.focus_items,
        "changes": section.change_items,
    }
    rows = {name: [row(item) for item in items] for name, items in groups.items()}
    return rows, {name: runs(group_rows) for name, group_rows in rows.items()}


def runs(rows):
    shown, run = [], []
    for row in [*rows, None]:  # None: the end, which closes the last run
        if row is not None and "html" in row:
            run.append(row["html"])
            continue
        if run:  # fragments of our own templates, each escaped when rendered
            shown.append({"html": mark_safe("".join(run))})  # noqa: S308
            run = []
        if row is not None:
            shown.append(row)
    return shown


def nav_html(questionnaire, current, done):
    """The section buttons of an answering page (each saves the page, then goes to its
    section): one fragment per section, whether it is the current one and whether it is
    complete."""
    html = []
    for section in questionnaire.sections:
        state = (section.number == current, section.number in done)
        key = ("nav", section.number, *state)
        fragment = questionnaire.fragments.get(key)
        if fragment is None:
            context = {"s": section, "current": state[0], "done": state[1]}
            fragment = render_to_string("assessments/questionnaire/_section_button.html", context)
            questionnaire.fragments[key] = fragment
        html.append(fragment)
    return mark_safe("".join(html))  # noqa: S308 (fragments of our own template)


# --- the whole section page ---------------------------------------------------------------

PAGE_TEMPLATE = "assessments/questionnaire/section.html"
GROUPS = ("general", "level", "next", "pitfalls", "focus", "changes")
_SLOT = "slot-{}-goes-here"  # letters and hyphens: no escaping or filter changes them
_SLOTS = re.compile(r"slot-([a-z]+)-goes-here")
_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def _slot(name):
    return _SLOT.format(name)


def _plain_page(request, context):
    """Whether the page is the common one (a rater's link, answers still open, nothing marked,
    no message, nobody signed in): only then is it filled from the process's copy."""
    return (
        context["access"].by_token
        and not context["read_only"]
        and not context["missing_count"]
        and not context["comment_errors"]
        and not context.get("error")
        and context["leader_name"]  # |bdi leaves an empty name unwrapped
        and not request.GET.get("saved")
        and not request.user.is_authenticated
        and not get_messages(request)
    )


def section_page(request, questionnaire, section, context):
    """A section page's HTML from the copy rendered once per process, language, compass version
    and page shape (the questionnaire holds it), filled with what is this rater's, each value
    escaped as the template escapes it; None when the page must be rendered in full."""
    if not _plain_page(request, context):
        return None
    shape = (
        "page",
        section.number,
        context["sections_done"],  # the progress bar
        context["is_self"],
        context["is_supervisor"],
        context["is_last"],
        bool(context["previous_url"]),
    )
    parts = questionnaire.fragments.get(shape)
    if parts is None:
        parts = _page_parts(request, context)
        if parts is None:
            return None
        questionnaire.fragments[shape] = parts
    values = _values(request, context)
    return "".join(values[part] if i % 2 else part for i, part in enumerate(parts))


def _values(request, context):
    """What the copy's markers stand for on this rater's page."""
    runs = context["runs"]
    return {
        "leader": escape(context["leader_name"]),
        "cycle": escape(context["cycle"].name),
        "action": escape(context["action_url"]),
        "nav": context["nav_html"],
        "saved": escape(context.get("saved_at") or "0"),
        "strength": escape(context["comment_strength"]),
        "improvement": escape(context["comment_improvement"]),
        "csrf": escape(get_token(request)),
        **{group: runs[group][0]["html"] if runs[group] else "" for group in GROUPS},
    }


def _page_parts(request, context):
    """The page rendered once around a marker for each value that varies, split at them:
    [text, name, text, name, ..., text]. None if the page would keep anything of this rater."""
    slots = {
        "leader_name": _slot("leader"),
        "cycle": SimpleNamespace(name=_slot("cycle")),
        "action_url": _slot("action"),
        "nav_html": mark_safe(_slot("nav")),  # noqa: S308 (a marker)
        "saved_at": _slot("saved"),
        "comment_strength": _slot("strength"),
        "comment_improvement": _slot("improvement"),
        "runs": {
            group: [{"html": mark_safe(_slot(group))}] if context["runs"][group] else []  # noqa: S308
            for group in GROUPS
        },
    }
    html = render_to_string(PAGE_TEMPLATE, {**context, **slots}, request)
    html, found = _CSRF.subn(rf"\g<1>{_slot('csrf')}\g<2>", html)
    if found != 1 or str(context["access"].key) in html:
        return None
    return tuple(_SLOTS.split(html))
