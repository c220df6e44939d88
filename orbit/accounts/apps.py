from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "orbit.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # Tell the access policy about the account model and the account team's seats (access imports only org).
        from orbit.accounts import history, merge, visibility

        visibility.register()
        history.register_reason(merge.describe_reason)  # "merged into №…" on both accounts' timelines
