"""Bodies of government (reference data) and the association's own configuration."""

from __future__ import annotations

import datetime
import re

from django.contrib.postgres.search import SearchVectorField
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fields import EncryptedTextField
from .text import normalise_name


class Tier(models.TextChoices):
    """Bestuurslaag: the level of government."""

    MUNICIPAL = "municipal", _("Municipality")
    PROVINCIAL = "provincial", _("Province")
    WATER_BOARD = "water_board", _("Water board")
    NATIONAL = "national", _("National")


# The natural key of a body starts with the prefix of its tier (CBS and TOOI codes).
CODE_PREFIX = {Tier.MUNICIPAL: "GM", Tier.PROVINCIAL: "PV", Tier.WATER_BOARD: "WS", Tier.NATIONAL: "NL"}
CODE_PATTERN = re.compile(r"^(GM|PV|WS|NL)\d{2,4}$")


class BodyQuerySet(models.QuerySet["Body"]):
    def current(self, on: datetime.date | None = None) -> BodyQuerySet:
        """Bodies that exist on `on` (today by default)."""
        on = on or timezone.localdate()
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=on)
        )


class Body(models.Model):
    """A public body: municipality (gemeente), province (provincie) or water board (waterschap).

    Bodies are never renumbered: when municipalities merge, the old ones get `valid_until` and a
    `successor`, and everything that refers to them (mandates, documents) keeps pointing at them.
    """

    code = models.CharField(
        _("code"), max_length=8, unique=True, help_text=_("CBS or TOOI code, for example GM0363 or PV27.")
    )
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    official_name = models.CharField(
        _("CBS label"), max_length=200, blank=True, help_text=_("As CBS writes it, e.g. 'Hengelo (O.)'.")
    )
    search_name = models.CharField(max_length=200, db_index=True, editable=False)
    province = models.ForeignKey(
        "self",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="municipalities",
        limit_choices_to={"tier": Tier.PROVINCIAL},
    )
    provinces = models.ManyToManyField(
        "self",
        verbose_name=_("main provinces"),
        symmetrical=False,
        blank=True,
        related_name="water_boards",
        limit_choices_to={"tier": Tier.PROVINCIAL},
        help_text=_("For a water board: the province(s) it mainly lies in."),
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    valid_from = models.DateField(_("exists from"), null=True, blank=True)
    valid_until = models.DateField(_("exists until"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        help_text=_("The body this one merged into."),
    )

    objects = BodyQuerySet.as_manager()

    class Meta:
        verbose_name = _("body of government")
        verbose_name_plural = _("bodies of government")
        ordering = ["tier", "search_name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(tier=Tier.MUNICIPAL, code__startswith="GM")
                    | Q(tier=Tier.PROVINCIAL, code__startswith="PV")
                    | Q(tier=Tier.WATER_BOARD, code__startswith="WS")
                    | Q(tier=Tier.NATIONAL, code__startswith="NL")
                ),
                name="body_code_matches_tier",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="body_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.search_name = normalise_name(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("core:body_detail", kwargs={"code": self.code})

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    def clean(self) -> None:
        if not CODE_PATTERN.match(self.code or ""):
            raise ValidationError({"code": _("Use a code like GM0363, PV27 or WS0155.")})
        if self.tier and not self.code.startswith(CODE_PREFIX[Tier(self.tier)]):
            raise ValidationError({"code": _("The code does not match the tier.")})
        if self.province_id and self.tier != Tier.MUNICIPAL:
            raise ValidationError({"province": _("Only a municipality belongs to a province.")})
        if self.successor_id and self.successor_id == self.pk:
            raise ValidationError({"successor": _("A body cannot be its own successor.")})

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return (self.valid_from is None or self.valid_from <= today) and (
            self.valid_until is None or self.valid_until >= today
        )

    @property
    def council_name(self) -> str:
        """The elected assembly, as Dutch speakers name it."""
        if self.tier == Tier.MUNICIPAL:
            return _("municipal council of %(name)s") % {"name": self.name}
        if self.tier == Tier.PROVINCIAL:
            return _("Provincial Council of %(name)s") % {"name": self.name}
        if self.tier == Tier.WATER_BOARD:
            return _("general board of %(name)s") % {"name": self.name}
        return str(self.name)


HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(colour_a: str, colour_b: str) -> float:
    """WCAG 2.1 contrast ratio between two #rrggbb colours (1 to 21)."""
    la, lb = sorted((_relative_luminance(colour_a), _relative_luminance(colour_b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def validate_colour_on_white(value: str) -> None:
    if not HEX_COLOUR.match(value):
        raise ValidationError(_("Use a colour like #1d4e89."))
    ratio = contrast_ratio(value, "#ffffff")
    if ratio < 4.5:
        raise ValidationError(
            _("This colour has a contrast of %(ratio).1f:1 with white; at least 4.5:1 is needed to stay readable."),
            params={"ratio": ratio},
        )


class Association(models.Model):
    """The association that runs this installation: one row, edited by administrators.

    Nothing about the association is hard-coded, so another association can run the same software.
    """

    CACHE_KEY = "core.association"

    name = models.CharField(_("name"), max_length=200, default="Centrum voor Lokaal Bestuur")
    short_name = models.CharField(_("short name"), max_length=40, default="CLB")
    newsletter_name = models.CharField(_("newsletter name"), max_length=100, default="Lokaal Bestuur")
    tagline = models.CharField(
        _("tagline"),
        max_length=200,
        blank=True,
        default="Voor raadsleden, Statenleden, waterschappers en bestuurders",
    )
    logo = models.ImageField(_("logo"), upload_to="association/", blank=True)
    primary_colour = models.CharField(
        _("primary colour"),
        max_length=7,
        default="#1d4e89",
        validators=[validate_colour_on_white],
        help_text=_("Used for the header and buttons, with white text on it."),
    )
    accent_colour = models.CharField(
        _("accent colour"),
        max_length=7,
        default="#a4321c",
        validators=[validate_colour_on_white],
        help_text=_("Used for links and highlights on a white background."),
    )
    email = models.EmailField(_("e-mail address"), default="info@example.org")
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.TextField(_("postal address"), blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("association settings")
        verbose_name_plural = _("association settings")

    def __str__(self) -> str:
        return str(self.name)

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.pk = 1
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValidationError(_("The association settings cannot be deleted."))

    @classmethod
    def get(cls) -> Association:
        """The settings row, from the cache when possible; created with defaults on first use."""
        association: Association | None = cache.get(cls.CACHE_KEY)
        if association is None:
            association, _created = cls.objects.get_or_create(pk=1)
            cache.set(cls.CACHE_KEY, association, 300)
        return association


class SearchEntry(models.Model):
    """A document in the full-text index (see core.search). On PostgreSQL `vector` holds the
    tsvector (GIN index); on SQLite the FTS5 table core_search_fts holds the stemmed words."""

    kind = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    title = models.TextField()
    text = models.TextField(blank=True)
    vector = SearchVectorField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class SearchTerm(models.Model):
    """The vocabulary of indexed text: a stem (Dutch Snowball), one word it came from and in how
    many texts it occurs. The reversed stem, indexed, finds compounds by their ending: "armoed"
    finds "kinderarmoed" and "energiearmoed" without scanning the vocabulary."""

    stem = models.CharField(max_length=40, primary_key=True)
    reversed = models.CharField(max_length=40, db_index=True)
    example = models.CharField(max_length=40)
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.stem


class WorkerHeartbeat(models.Model):
    """The last sign of life of one task worker process (`manage.py run_worker`), written every
    WORKER_HEARTBEAT_INTERVAL seconds by a thread in that process. /healthz reports the worker as
    down when the newest row is older than WORKER_HEARTBEAT_MAX_AGE."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    queues = models.CharField(max_length=255)
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"


class OutgoingMail(models.Model):
    """A rendered e-mail waiting for the task worker: the one place its text (links with tokens,
    message bodies) lives between the request and the SMTP server, encrypted at rest. The task
    `core.tasks.deliver_mail` carries only this row's id; the worker decrypts, sends and deletes
    the row. A row that stays behind is a mail whose sending failed (see the task results)."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    payload = EncryptedTextField()

    def __str__(self) -> str:
        return f"mail {self.pk} ({self.created_at:%Y-%m-%d %H:%M})"
