"""A file being imported is kept between its preview and its commit (the user fixes the mapping, looks at the
report, then imports), under a random token remembered in his session: nobody else can name it, and he can
only commit what he previewed. It is deleted once committed."""

import pathlib
import uuid

from django.conf import settings

SESSION_KEY = "orbit_imports"
MAX_KEPT = 5  # previews a user keeps at once; the oldest goes (Orbit's default)


def _folder() -> pathlib.Path:
    folder = pathlib.Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def keep(request, upload) -> str:
    token = uuid.uuid4().hex
    with (_folder() / token).open("wb") as out:
        for chunk in upload.chunks():  # streamed: a 100 MB file is never in memory
            out.write(chunk)
    kept = request.session.get(SESSION_KEY, {})
    kept[token] = upload.name[:255]
    while len(kept) > MAX_KEPT:
        forget(request, next(iter(kept)), kept)
    request.session[SESSION_KEY] = kept
    return token


def find(request, token: str) -> tuple[pathlib.Path, str] | None:
    """The kept file and its name, if this user previewed it."""
    name = request.session.get(SESSION_KEY, {}).get(token)
    path = _folder() / token
    if name is None or not token.isalnum() or not path.exists():
        return None
    return path, name


def forget(request, token: str, kept: dict | None = None) -> None:
    kept = request.session.get(SESSION_KEY, {}) if kept is None else kept
    kept.pop(token, None)
    request.session[SESSION_KEY] = kept
    if token.isalnum():
        (_folder() / token).unlink(missing_ok=True)
        (_folder() / f"{token}.json").unlink(missing_ok=True)  # its row report
