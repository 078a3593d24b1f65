"""The questionnaire for a participant at one level (PRODUCT §4).

One section per enabler: the enabler's description, the indicators of All leaders and of the
participant's level on the behaviour scale, the level's pitfalls on the pitfall scale, and two
optional comments. An indicator is rated as an item a rater could have seen (its
``rater_item``; the first-person ``self_item`` in the self-assessment), with the compass
sentence beside it as context. Texts are read in the active language when the questionnaire is
built, so a questionnaire kept for later use belongs to that language. A cycle with a
next-level part adds the indicators of the level above the participant's (none above the
Executive Office), rated on the behaviour scale like the others. Views, the draft save,
submission and reports all build it here, so the items a rater sees are exactly the items that
are checked and scored.

A cycle with the gender-responsive leadership section (``Cycle.grl_edition``, issue 19) adds one
section per core skill after the compass's, each with its two or three indicators on the
behaviour scale; reports keep them on rows of their own (``Section.is_grl``).

A progress pulse (issue 19, ``running/pulses.py``) asks less: one section per focus area of
the leader's action plan, with the indicators linked to it (``Section.focus_items``) and one
question on the change since the 360 (``Section.change_items``, on ``CHANGE_SCALE``). Its
questionnaire is the participant's own, fixed when the pulse started (``PulseFocus``), so it is
built for each request rather than shared per level; there is no self-assessment in a pulse.
"""

import threading
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from assessments.models import PulseFocus
from compass.models import Enabler, Indicator, Level, Pitfall, is_compass_edition

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
# A progress pulse's question per focus area: "Over the past months, has this leader become
# more or less effective at this?" (Goldsmith and Morgan's mini-survey). The values are the
# radio buttons' (signed, as printed); the score stored is the number.
CHANGE_SCALE = [
    ("-3", _("Much less effective")),
    ("-2", _("Less effective")),
    ("-1", _("Slightly less effective")),
    ("0", _("No change")),
    ("+1", _("Slightly more effective")),
    ("+2", _("More effective")),
    ("+3", _("Much more effective")),
]
CHANGE_QUESTION = _("Over the past months, has this leader become more or less effective at this?")


def change_value(score):
    """The radio value of a stored change score: "+2", "0", "-1"."""
    return f"{score:+d}" if score else "0"


@dataclass(frozen=True)
class Item:
    """One rateable statement: an indicator (behaviour scale) or a pitfall (pitfall scale).

    ``text`` is what raters rate (and reports show); ``self_text`` the same in the first
    person for the self-assessment; ``context`` the compass sentence an indicator item
    comes from, empty when the item is that sentence.
    """

    key: str
    kind: str  # "indicator", "pitfall", or "change" (a pulse's question on one enabler)
    text: str
    title: str = ""
    self_text: str = ""
    context: str = ""
    indicator_id: int | None = None
    pitfall_id: int | None = None
    enabler_id: int | None = None  # a change question's enabler

    @property
    def is_pitfall(self):
        return self.kind == "pitfall"

    @property
    def is_change(self):
        return self.kind == "change"

    @property
    def scale(self):
        if self.is_change:
            return CHANGE_SCALE
        return PITFALL_SCALE if self.is_pitfall else BEHAVIOUR_SCALE


@dataclass
class Section:
    number: int
    enabler: Enabler
    general_items: list[Item] = field(default_factory=list)
    level_items: list[Item] = field(default_factory=list)
    pitfall_items: list[Item] = field(default_factory=list)
    next_items: list[Item] = field(default_factory=list)  # the level above, when asked for

    is_grl: bool = False  # a skill of the gender-responsive leadership section
    # A progress pulse's section: the indicators linked to one focus area, then the change
    # question on its enabler.
    focus_items: list[Item] = field(default_factory=list)
    change_items: list[Item] = field(default_factory=list)

    @property
    def is_pulse(self):
        return bool(self.change_items)

    @property
    def items(self):
        return [
            *self.general_items,
            *self.level_items,
            *self.next_items,
            *self.pitfall_items,
            *self.focus_items,
            *self.change_items,
        ]

    @property
    def item_keys(self):
        return [item.key for item in self.items]


@dataclass
class Questionnaire:
    level: Level | None  # None in a progress pulse, whose sections are the focus areas
    sections: list[Section]
    next_level: Level | None = None
    is_pulse: bool = False
    # rendered pieces of the pages (an item's answer choices), filled by the views as they go
    fragments: dict = field(default_factory=dict, repr=False, compare=False)

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


def change_key(enabler_id):
    return f"c{enabler_id}"


def questionnaire_for(participant):
    """The questionnaire of ``participant``'s cycle: with the next-level part if it asks for it,
    and the gender-responsive leadership section if it adds it; in a progress pulse, the
    participant's own (``pulses.pulse_questionnaire``)."""
    if participant.follows_id is not None:
        return pulse_questionnaire(participant)
    cycle = participant.cycle
    return build_questionnaire(
        participant.level, next_level=cycle.next_level_part, grl_edition=cycle.grl_edition
    )


# The name the gender-responsive section's callers and tests use (issue 19).
participant_questionnaire = questionnaire_for


def build_questionnaire(level, *, next_level=False, grl_edition=""):
    """The questionnaire for ``level`` in three queries, whatever the number of items.

    With ``next_level``, each section also holds the indicators of the level above ``level``.
    With ``grl_edition``, the skills of that gender-responsive leadership edition follow the
    compass's enablers as sections of their own (no more queries: the same two reads).
    """
    editions = [level.edition, *([grl_edition] if grl_edition else [])]
    enablers = sorted(  # the compass's enablers first, then the section's skills
        Enabler.objects.filter(edition__in=editions),
        key=lambda e: (e.edition != level.edition, e.position),
    )
    sections = {
        e.pk: Section(number=n, enabler=e, is_grl=e.edition != level.edition)
        for n, e in enumerate(enablers, start=1)
    }
    positions = {0, level.position}
    if next_level:
        positions.add(level.position + 1)
    above = None
    in_compass = Q(behaviour__edition=level.edition, behaviour__level__position__in=positions)
    in_section = Q(behaviour__edition=grl_edition) if grl_edition else Q(pk__in=[])
    indicators = (
        Indicator.objects.filter(in_compass | in_section)
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
        if indicator.behaviour.level.position == level.position + 1:
            above = indicator.behaviour.level
            section.next_items.append(item)
        elif indicator.behaviour.level.is_all_leaders:
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
    return Questionnaire(level=level, sections=list(sections.values()), next_level=above)


def pulse_questionnaire(participant):
    """The questionnaire of ``participant``, a progress pulse's (``running/pulses.py``), in two
    queries: one section per focus area fixed when the pulse started, its indicators, then the
    change question on its enabler. No pitfalls, no comments, no self-assessment."""
    focuses = (
        PulseFocus.objects.filter(participant_id=participant.pk)
        .select_related("enabler")
        .prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.order_by("behaviour__level__position", "position"),
            )
        )
        .order_by("position")
    )
    sections = []
    for number, focus in enumerate(focuses, start=1):
        enabler = focus.enabler
        section = Section(
            number=number, enabler=enabler, is_grl=not is_compass_edition(enabler.edition)
        )
        section.focus_items = [
            Item(
                key=indicator_key(indicator.pk),
                kind="indicator",
                text=indicator.item,
                self_text=indicator.self_item or indicator.item,
                context=indicator.text if indicator.rater_item else "",
                indicator_id=indicator.pk,
            )
            for indicator in focus.indicators.all()
        ]
        section.change_items = [
            Item(
                key=change_key(enabler.pk),
                kind="change",
                text=str(CHANGE_QUESTION),
                enabler_id=enabler.pk,
            )
        ]
        sections.append(section)
    return Questionnaire(level=None, sections=sections, is_pulse=True)


# --- built once per process -----------------------------------------------------------------
#
# The structure depends only on the level, the compass content and the language, so rater pages
# share one per process. Any change to the compass (``loaddata compass``, the admin) clears this
# process's copies at once and, when its transaction commits, stores a new content version in
# the shared cache; other processes compare their version with it at most every
# ``COMPASS_VERSION_CHECK_SECONDS`` and rebuild when it moved.

VERSION_KEY = "compass-content-version"
_built = {}
_lock = threading.Lock()
_state = {"version": None, "checked_at": None}


def _content_version():
    every = getattr(settings, "COMPASS_VERSION_CHECK_SECONDS", 30)
    if every is None:  # a single process: compass_changed is all it needs
        return _state["version"]
    now = time.monotonic()
    checked_at = _state["checked_at"]
    if checked_at is not None and now - checked_at < every:
        return _state["version"]
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY, version)
    with _lock:
        if version != _state["version"]:
            _built.clear()
        _state["version"], _state["checked_at"] = version, now
    return version


def shared_questionnaire(level_id, *, next_level=False, grl_edition=""):
    """The questionnaire of the level with ``level_id`` (with the next-level part and the
    gender-responsive section if asked), in the active language, built once per process and
    shared: callers must not change it."""
    version = _content_version()
    key = (level_id, bool(next_level), grl_edition or "", translation.get_language(), version)
    questionnaire = _built.get(key)
    if questionnaire is None:
        questionnaire = build_questionnaire(
            Level.objects.get(pk=level_id), next_level=next_level, grl_edition=grl_edition
        )
        with _lock:
            _built[key] = questionnaire
    return questionnaire


def rater_questionnaire(participant):
    """``questionnaire_for`` as rater pages read it: shared by the process (a progress pulse's
    is the participant's own, built for the request)."""
    if participant.follows_id is not None:
        return questionnaire_for(participant)
    cycle = participant.cycle
    return shared_questionnaire(
        participant.level_id, next_level=cycle.next_level_part, grl_edition=cycle.grl_edition
    )


def _publish_new_version():
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def compass_changed(sender, **kwargs):
    """A compass row was saved or deleted: forget this process's questionnaires now, and tell
    the other processes once the change is committed."""
    with _lock:
        _built.clear()
        _state["checked_at"] = None
    connection = transaction.get_connection()
    if not any(entry[1] is _publish_new_version for entry in connection.run_on_commit):
        transaction.on_commit(_publish_new_version)  # once per transaction (loaddata: one)
