from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from orbit.ops import health


@never_cache
@require_GET
def live(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def ready(request):
    checks = health.readiness()
    ok = all(c.ok for c in checks if c.required)
    body = {
        "status": "ok" if ok else "unavailable",
        "checks": {c.name: {"ok": c.ok, "detail": c.detail, "required": c.required} for c in checks},
    }
    return JsonResponse(body, status=200 if ok else 503)
