"""Refuse an oversized request body with 413 before anything reads it (issue 16, bad input).

Django keeps a body it must parse in memory (JSON, a form without files) and would answer a too-large one
with a bare 400 the first time something — the CSRF check, the API's parser — reads it. This answers 413 with
the reason from the Content-Length alone, before the body is read. (gunicorn then reads and drops the rest
if the client goes on sending it, on that one connection; a reverse proxy in front refuses it at its own
client_max_body_size without passing anything on.) Files (multipart) stream to disk: they may be up to ORBIT_MAX_UPLOAD_MB (Orbit's
default 200, as client_max_body_size in deploy/nginx/orbit.conf: a client base to import), each kind
bounded again by its own limit (attachments: ORBIT_ATTACHMENT_MAX_MB).
"""

import json

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _


def limit_for(content_type: str) -> int:
    if content_type.startswith("multipart/form-data"):
        return settings.ORBIT_MAX_UPLOAD_MB * 1024 * 1024
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class RefuseOversizedBodyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = request.META.get("CONTENT_LENGTH") or ""
        limit = limit_for(request.META.get("CONTENT_TYPE") or "")
        if length.isdigit() and int(length) > limit:
            return self.too_large(request, limit)
        return self.get_response(request)

    @staticmethod
    def too_large(request, limit: int) -> HttpResponse:
        detail = _("The request body is too large: at most %(size)s MB is accepted here.") % {
            "size": format(limit / (1024 * 1024), ".3g")
        }
        if request.path_info.startswith("/api/"):
            body, content_type = json.dumps({"detail": detail, "errors": {}}), "application/json"
        else:
            body, content_type = detail, "text/plain; charset=utf-8"
        response = HttpResponse(body, status=413, content_type=content_type)
        response["Content-Length"] = len(response.content)  # answered before CommonMiddleware would set it
        return response
