"""Users: the first administrator from `newsdesk init --admin USER --password PW`."""

from __future__ import annotations

from django.contrib.auth import get_user_model


def ensure_admin(username: str, password: str) -> bool:
    """Create the administrator, or reset its password; True when it was created."""
    users = get_user_model()
    user = users.objects.filter(username=username).first()
    created = user is None
    if user is None:
        user = users(username=username)
    user.is_staff = True
    user.is_superuser = True
    user.is_active = True
    user.set_password(password)
    user.save()
    return created
