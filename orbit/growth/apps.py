from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrowthConfig(AppConfig):
    name = "orbit.growth"
    label = "growth"
    verbose_name = _("Growth")

    def ready(self):
        # Plug into the accounts area: open opportunities and running projects move with responsibility, and a
        # project manager who leaves the account team hands his running projects on (their movers and releaser
        # register on import). Planned project work goes on the assignee's day and in his calendar feed.
        from orbit.activities import deadlines
        from orbit.growth import opportunities, projects  # noqa: F401
        from orbit.growth.deadlines_projects import planned_work_deadlines

        deadlines.register(planned_work_deadlines)
