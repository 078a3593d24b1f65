"""The pieces of a section page rendered once per process, language and compass version (the
questionnaire holds them, ``Questionnaire.fragments``) and only marked with what is the rater's:
each item with its answer choices, and the section buttons of the page's navigation. A section
holds up to a few dozen items: drawing them with the template language on every request cost
more than the rest of the page."""

from django.template.loader import render_to_string
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
