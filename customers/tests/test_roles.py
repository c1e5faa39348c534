from django.contrib.auth.models import Group

from customers.roles import ROLE_PERMISSIONS


def test_every_role_has_every_permission_it_names(db):
    """Including those of apps listed after `customers` (synced after the last app migrates)."""
    for role, codes in ROLE_PERMISSIONS.items():
        granted = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in Group.objects.get(name=role).permissions.select_related("content_type")
        }
        assert granted == set(codes), (role, set(codes) - granted)
