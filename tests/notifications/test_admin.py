from django.urls import reverse

from orbit.notifications.kinds import Kind
from orbit.notifications.models import Notification


def test_admin_lists_notifications_read_only(org, client, django_assert_max_num_queries):
    superuser = type(org.head).objects.create_superuser("root", "root@example.com", "pw-1234567890")
    for user in (org.am_a, org.am_b, org.lead_a):
        Notification.objects.create(recipient=user, kind=Kind.SLA_BREACHED, title=f"SLA {user.username}")
    client.force_login(superuser)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:notifications_notification_changelist"))
    assert response.status_code == 200 and response.context["cl"].result_count == 3
    assert client.get(reverse("admin:notifications_notification_add")).status_code == 403
