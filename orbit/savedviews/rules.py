"""Who reads a saved view, and every change to one.

Who reads a view: its owner always; a shared view also the members of the owner's team and of its sub-teams,
and that team's lead (who may sit in the team above). Nobody else: not another team, not the head by his role
(he has his own views). A view is only a query string: whoever opens it sees the rows his own visibility gives
him, never the owner's. Only the owner renames, shares or deletes a view.
"""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from orbit.access.policy import access_context
from orbit.org.models import User
from orbit.savedviews.models import ListKind, SavedView

# The page each kind of list lives on.
LIST_URLS = {ListKind.ACCOUNTS: "accounts:list"}
# Parameters that belong to one visit of a list, never to a view: the page (or keyset cursor), the view chosen,
# an export's format, a form's keys.
NOT_SAVED = ("page", "cursor", "view", "format", "csrfmiddlewaretoken", "idempotency_key")
MAX_QUERY = 4000  # characters: a list's filters and columns fit many times over


def clean_query(query: str) -> str:
    """The list's query string as a view keeps it: without the page, the cursor or a form's keys."""
    params = QueryDict(query.lstrip("?"), mutable=True)
    for name in NOT_SAVED:
        params.pop(name, None)
    return params.urlencode()[:MAX_QUERY]


def _reached_teams(user: User) -> set[int]:
    """The teams whose members' shared views he reads: his own team and the teams above it (a sub-team's
    member reads what is shared in the team above), and the teams he leads."""
    teams = access_context(user).teams  # read once per request already, with the rest of the access rules
    reached = {pk for pk, (_parent, lead) in teams.items() if lead == user.pk}
    team = user.team_id
    while team is not None and team not in reached:
        reached.add(team)
        team = teams.get(team, (None, None))[0]
    return reached


def visible_to(user: User, kind: str) -> QuerySet[SavedView]:
    """His own views of this list and those shared with him, by name."""
    return (
        SavedView.objects.filter(kind=kind)
        .filter(Q(owner=user) | Q(shared=True, owner__team_id__any=_reached_teams(user)))
        .select_related("owner")
        .only("id", "name", "query", "shared", "kind", "owner_id", "owner__display_name", "owner__username")
        .order_by("name", "id")
    )


def get_visible(user: User, pk: int) -> SavedView:
    view = SavedView.objects.filter(pk=pk).select_related("owner").first()
    if view is None or not (
        view.owner_id == user.pk or (view.shared and view.owner.team_id in _reached_teams(user))
    ):
        raise Http404
    return view


def url_of(view: SavedView) -> str:
    """The list with the view's filters, sort and columns, plus the view's id so the bar shows it chosen."""
    base = reverse(LIST_URLS[ListKind(view.kind)])
    query = "&".join(part for part in (view.query, urlencode({"view": view.pk})) if part)
    return f"{base}?{query}"


def _ensure_owner(by: User, view: SavedView) -> None:
    if view.owner_id != by.pk:
        raise PermissionDenied(_("Only the one who saved a view renames, shares or deletes it."))


def _check_name(view: SavedView) -> None:
    view.name = " ".join(view.name.split())
    if not view.name:
        raise ValidationError({"name": _("Give the view a name.")})
    clash = (
        SavedView.objects.filter(owner_id=view.owner_id, kind=view.kind, name__iexact=view.name)
        .exclude(pk=view.pk)
        .exists()
    )
    if clash:
        raise ValidationError(
            {"name": _("You already have a view named “%(name)s” for this list.") % {"name": view.name}}
        )


def _check_shared(view: SavedView, owner: User) -> None:
    if view.shared and owner.team_id is None:
        raise ValidationError({"shared": _("You are in no team, so there is nobody to share the view with.")})


def _save(view: SavedView) -> SavedView:
    try:
        with transaction.atomic():
            view.save()
    except IntegrityError as exc:  # a concurrent save of the same name won the race
        raise ValidationError(
            {"name": _("You already have a view named “%(name)s” for this list.") % {"name": view.name}}
        ) from exc
    return view


def view_create(*, by: User, kind: str, name: str, query: str, shared: bool = False) -> SavedView:
    if kind not in ListKind.values:
        raise ValidationError({"kind": _("There is no such list.")})
    view = SavedView(owner=by, kind=kind, name=name, query=clean_query(query), shared=shared)
    _check_name(view)
    _check_shared(view, by)
    return _save(view)


def view_update(
    *, by: User, view: SavedView, name: str | None = None, shared: bool | None = None
) -> SavedView:
    """Rename or share (unshare) his own view."""
    _ensure_owner(by, view)
    if name is not None:
        view.name = name
        _check_name(view)
    if shared is not None:
        view.shared = shared
        _check_shared(view, by)
    return _save(view)


def view_delete(*, by: User, view: SavedView) -> None:
    _ensure_owner(by, view)
    view.delete()
