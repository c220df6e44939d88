from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from orbit.api.router import api
from orbit.common import views as common_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="activities:agenda", permanent=False), name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", common_views.set_language, name="set_language"),
    path("", include("orbit.org.urls")),
    path("accounts/", include("orbit.accounts.urls")),
    path("handoffs/", include("orbit.handoffs.urls")),
    path("settings/", include("orbit.access.urls")),
    path("agenda/", include("orbit.activities.urls")),
    path("requests/", include("orbit.requests.urls")),
    path("notifications/", include("orbit.notifications.urls")),
    path("calendars/", include("orbit.worktime.urls")),
    path("revenue/", include("orbit.revenue.urls")),
    path("growth/", include("orbit.growth.urls")),
    path("analytics/", include("orbit.analytics.urls")),
    path("", include("orbit.imports.urls")),
    path("managers/staffing/", include("orbit.staffing.urls")),
    path("managers/", RedirectView.as_view(pattern_name="kpi:page", permanent=False), name="managers"),
    path("managers/kpi/", include("orbit.kpi.urls")),
    path("managers/workload/", include("orbit.workload.urls")),
    path("managers/bonuses/", include("orbit.bonuses.urls")),
    path("privacy/", include("orbit.privacy.urls")),
    path("search/", include("orbit.search.urls")),
    path("views/", include("orbit.savedviews.urls")),
    path("api/", api.urls),
    path("health/", include("orbit.ops.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "orbit.common.views.permission_denied"
handler404 = "orbit.common.views.page_not_found"
handler500 = "orbit.common.views.server_error"
