from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    HEAD = "head", _("Head of client department")
    TEAM_LEAD = "team_lead", _("Team lead")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    KEY_ACCOUNT_MANAGER = "key_account_manager", _("Key account manager")
    SALES_MANAGER = "sales_manager", _("Sales manager")
    PROJECT_MANAGER = "project_manager", _("Project manager")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


# Who may be the responsible manager of an account. The hunter owns a won client until the handoff is accepted.
OWNER_ROLES = frozenset({Role.ACCOUNT_MANAGER, Role.KEY_ACCOUNT_MANAGER, Role.SALES_MANAGER})
# Who sees the whole base.
GLOBAL_READ_ROLES = frozenset({Role.HEAD, Role.ADMIN, Role.AUDITOR})


class Team(models.Model):
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    # Hours a month the person can give to client work; the workload area compares demand against it.
    monthly_capacity_hours = models.PositiveSmallIntegerField(_("capacity, hours a month"), default=140)

    # Team and roles decide visibility: every change to them is on record.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["display_name", "username"]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        if not self.display_name:
            self.display_name = self.get_full_name() or self.username
        fields = kwargs.get("update_fields")
        renamed = (
            self.pk is not None
            and (fields is None or "display_name" in fields)
            and type(self).objects.filter(pk=self.pk).exclude(display_name=self.display_name).exists()
        )
        super().save(*args, **kwargs)
        if renamed:
            # Accounts keep a sortable copy of their manager's name (Account.manager_sort).
            self.responsible_accounts.update(manager_sort=self.display_name.lower())

    @property
    def role_set(self) -> frozenset[str]:
        """Roles of the user, loaded once per instance (prefetch `roles` to batch it)."""
        cached = getattr(self, "_role_set", None)
        if cached is None:
            cached = frozenset(r.role for r in self.roles.all())
            self._role_set = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))


class UserRole(models.Model):
    """One role held by one person; a person may hold several (the hunter who also farms)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="org_userrole_unique")]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()}"
