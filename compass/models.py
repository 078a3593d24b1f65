"""The IOM Leadership Compass as reference data.

Every row carries the compass ``edition`` so that a revised compass can be loaded beside
this one while cycles keep the edition they were run on. Natural keys make
``loaddata compass`` idempotent: loading twice updates rows in place instead of adding them.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

CURRENT_EDITION = "2024"

# The gender-responsive leadership section (issue 19) lives in the same tables as the compass,
# as a framework with editions of its own (fixtures/gender_responsive_leadership.json): one level,
# five skills stored as enablers, their indicators. A cycle adds it by naming its edition.
GRL_EDITION = "grl-2024"
GRL_EDITION_PREFIX = "grl-"


def is_compass_edition(edition):
    """Whether ``edition`` is one of the compass's (not of a section a cycle can add)."""
    return not edition.startswith(GRL_EDITION_PREFIX)


def unique_per_edition(name, *fields):
    """The constraints that make each of ``fields`` name one entry within an edition."""
    return [
        models.UniqueConstraint(fields=["edition", field], name=f"{name}_unique_{field}")
        for field in fields
    ]


class EditionSlugManager(models.Manager):
    def get_by_natural_key(self, edition, slug):
        return self.get(edition=edition, slug=slug)


class EditionEntry(models.Model):
    """What levels, enablers and directions share: an ordered, named entry of one edition,
    found again by ``(edition, slug)`` when the fixture is loaded twice."""

    edition = models.CharField(_("edition"), max_length=20, default=CURRENT_EDITION)
    slug = models.SlugField(_("slug"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"))

    objects = EditionSlugManager()

    class Meta:
        abstract = True
        ordering = ["edition", "position"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.edition, self.slug)


class Level(EditionEntry):
    """A leadership level. Position 0 is "All leaders", whose behaviours apply to everyone."""

    summary = models.CharField(_("summary"), max_length=300)

    class Meta(EditionEntry.Meta):
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        constraints = unique_per_edition("level", "slug", "position")

    def get_absolute_url(self):
        return reverse("compass:level", args=[self.edition, self.slug])

    @property
    def is_all_leaders(self):
        """All leaders is the base every other level builds on; it has no pitfalls."""
        return self.position == 0


class Enabler(EditionEntry):
    """One of the seven strategic enablers that the compass turns into leadership behaviour."""

    class Meta(EditionEntry.Meta):
        verbose_name = _("enabler")
        verbose_name_plural = _("enablers")
        constraints = unique_per_edition("enabler", "slug", "position")

    def get_absolute_url(self):
        return reverse("compass:enabler", args=[self.edition, self.slug])


class Direction(EditionEntry):
    """A direction of multidirectional leadership; each rater group looks from one of them."""

    class Meta(EditionEntry.Meta):
        verbose_name = _("direction")
        verbose_name_plural = _("directions")
        constraints = unique_per_edition("direction", "slug")


class BehaviourManager(models.Manager):
    def get_by_natural_key(self, edition, level_slug, enabler_slug):
        return self.get(edition=edition, level__slug=level_slug, enabler__slug=enabler_slug)


class Behaviour(models.Model):
    """The compass text for one level × enabler cell, complete and verbatim."""

    edition = models.CharField(_("edition"), max_length=20, default=CURRENT_EDITION)
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="behaviours")
    enabler = models.ForeignKey(Enabler, on_delete=models.PROTECT, related_name="behaviours")
    text = models.TextField(_("text"))

    objects = BehaviourManager()

    class Meta:
        ordering = ["edition", "level__position", "enabler__position"]
        verbose_name = _("behaviour")
        verbose_name_plural = _("behaviours")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "level", "enabler"], name="behaviour_unique_cell"
            ),
        ]

    def __str__(self):
        return f"{self.level} · {self.enabler}"

    def natural_key(self):
        return (self.edition, self.level.slug, self.enabler.slug)

    natural_key.dependencies = ["compass.level", "compass.enabler"]


class IndicatorManager(models.Manager):
    def get_by_natural_key(self, edition, level_slug, enabler_slug, position):
        return self.get(
            edition=edition,
            behaviour__level__slug=level_slug,
            behaviour__enabler__slug=enabler_slug,
            position=position,
        )


class Indicator(models.Model):
    """One rated statement of a behaviour; in order, the indicators spell out the behaviour.

    ``text`` is the compass's own sentence, shown as context. Raters rate ``rater_item``
    ("Takes responsibility for resolving conflicts as they arise"), something they could have
    seen; the self-assessment rates ``self_item``, the same in the first person. Sentences
    that are no observable behaviour ("Leadership in this area requires a commitment to…")
    are reworded there, never in ``text``.
    """

    edition = models.CharField(_("edition"), max_length=20, default=CURRENT_EDITION)
    behaviour = models.ForeignKey(Behaviour, on_delete=models.PROTECT, related_name="indicators")
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("text"))
    rater_item = models.TextField(_("item for raters"), blank=True)
    self_item = models.TextField(_("item for the self-assessment"), blank=True)

    objects = IndicatorManager()

    class Meta:
        ordering = ["edition", "behaviour", "position"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["behaviour", "position"], name="indicator_unique_position"
            ),
        ]

    def __str__(self):
        return self.text

    def natural_key(self):
        return self.behaviour.natural_key() + (self.position,)

    @property
    def item(self):
        """What raters rate and reports show; the compass sentence where no item was written."""
        return self.rater_item or self.text

    natural_key.dependencies = ["compass.behaviour"]


class PitfallManager(models.Manager):
    def get_by_natural_key(self, edition, level_slug, enabler_slug, title):
        return self.get(
            edition=edition, level__slug=level_slug, enabler__slug=enabler_slug, title_en=title
        )


class Pitfall(models.Model):
    """A way leaders at one level commonly go wrong in one enabler.

    Titles recur across cells ("Strategic Misalignment"), so a pitfall is identified by
    level, enabler and title together: the English title (``title_en``), whatever language is
    active, so that natural keys stay the same in every language.
    """

    edition = models.CharField(_("edition"), max_length=20, default=CURRENT_EDITION)
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="pitfalls")
    enabler = models.ForeignKey(Enabler, on_delete=models.PROTECT, related_name="pitfalls")
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))

    objects = PitfallManager()

    class Meta:
        ordering = ["edition", "level__position", "enabler__position", "position"]
        verbose_name = _("pitfall")
        verbose_name_plural = _("pitfalls")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "level", "enabler", "title"], name="pitfall_unique_title"
            ),
            models.UniqueConstraint(
                fields=["level", "enabler", "position"], name="pitfall_unique_position"
            ),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.edition, self.level.slug, self.enabler.slug, self.title_en)

    natural_key.dependencies = ["compass.level", "compass.enabler"]
