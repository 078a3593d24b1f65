"""The questionnaire for a participant at one level (PRODUCT §4).

One section per enabler: the enabler's description, the indicators of All leaders and of the
participant's level on the behaviour scale, the level's pitfalls on the pitfall scale, and two
optional comments. An indicator is rated as an item a rater could have seen (its
``rater_item``; the first-person ``self_item`` in the self-assessment), with the compass
sentence beside it as context. Texts are read in the active language when the questionnaire is
built, so a questionnaire kept for later use belongs to that language. Views, the draft save,
submission and reports all build it here, so the items a rater sees are exactly the items that
are checked and scored.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from compass.models import Enabler, Indicator, Level, Pitfall

NOT_OBSERVED = "na"

BEHAVIOUR_SCALE = [
    (1, _("Not yet demonstrated")),
    (2, _("Occasionally")),
    (3, _("Regularly")),
    (4, _("Consistently")),
    (5, _("Role model")),
]
PITFALL_SCALE = [
    (1, _("Never")),
    (2, _("Rarely")),
    (3, _("Sometimes")),
    (4, _("Often")),
    (5, _("Almost always")),
]
NOT_OBSERVED_LABEL = _("Not observed")


@dataclass(frozen=True)
class Item:
    """One rateable statement: an indicator (behaviour scale) or a pitfall (pitfall scale).

    ``text`` is what raters rate (and reports show); ``self_text`` the same in the first
    person for the self-assessment; ``context`` the compass sentence an indicator item
    comes from, empty when the item is that sentence.
    """

    key: str
    kind: str  # "indicator" or "pitfall"
    text: str
    title: str = ""
    self_text: str = ""
    context: str = ""
    indicator_id: int | None = None
    pitfall_id: int | None = None

    @property
    def is_pitfall(self):
        return self.kind == "pitfall"

    @property
    def scale(self):
        return PITFALL_SCALE if self.is_pitfall else BEHAVIOUR_SCALE


@dataclass
class Section:
    number: int
    enabler: Enabler
    general_items: list[Item] = field(default_factory=list)
    level_items: list[Item] = field(default_factory=list)
    pitfall_items: list[Item] = field(default_factory=list)

    @property
    def items(self):
        return [*self.general_items, *self.level_items, *self.pitfall_items]

    @property
    def item_keys(self):
        return [item.key for item in self.items]


@dataclass
class Questionnaire:
    level: Level
    sections: list[Section]

    @property
    def items(self):
        return [item for section in self.sections for item in section.items]

    @property
    def item_keys(self):
        return [item.key for item in self.items]

    def section(self, number):
        """The section numbered from 1, or None."""
        if 1 <= number <= len(self.sections):
            return self.sections[number - 1]
        return None

    def section_for_enabler(self, enabler_id):
        return next(s for s in self.sections if s.enabler.pk == enabler_id)


def prompt(item, *, is_self):
    """What the person answering reads for ``item``: the first-person item in a self-assessment."""
    return item.self_text if is_self and item.self_text else item.text


def indicator_key(indicator_id):
    return f"i{indicator_id}"


def pitfall_key(pitfall_id):
    return f"p{pitfall_id}"


def build_questionnaire(level):
    """The questionnaire for ``level`` in three queries, whatever the number of items."""
    enablers = list(Enabler.objects.filter(edition=level.edition).order_by("position"))
    sections = {e.pk: Section(number=n, enabler=e) for n, e in enumerate(enablers, start=1)}
    indicators = (
        Indicator.objects.filter(
            behaviour__edition=level.edition,
            behaviour__level__position__in={0, level.position},
        )
        .select_related("behaviour__level")
        .order_by("behaviour__level__position", "position")
    )
    for indicator in indicators:
        # An indicator without items (an edition loaded before they existed) is rated on
        # its compass sentence, as before.
        item = Item(
            key=indicator_key(indicator.pk),
            kind="indicator",
            text=indicator.item,
            self_text=indicator.self_item or indicator.item,
            context=indicator.text if indicator.rater_item else "",
            indicator_id=indicator.pk,
        )
        section = sections[indicator.behaviour.enabler_id]
        if indicator.behaviour.level.is_all_leaders:
            section.general_items.append(item)
        else:
            section.level_items.append(item)
    if not level.is_all_leaders:
        for pitfall in Pitfall.objects.filter(level=level).order_by("position"):
            sections[pitfall.enabler_id].pitfall_items.append(
                Item(
                    key=pitfall_key(pitfall.pk),
                    kind="pitfall",
                    text=pitfall.description,
                    title=pitfall.title,
                    pitfall_id=pitfall.pk,
                )
            )
    return Questionnaire(level=level, sections=list(sections.values()))
