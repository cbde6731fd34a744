"""Admin login with a rate limit: after LIMIT failed attempts for one username from one
address within WINDOW, further attempts are refused without checking the password, so a
guesser learns nothing and the password hasher is not a free CPU sink for them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from newsdesk.store import editorial

LIMIT = 5
# one address trying many usernames (password spraying) is stopped too, later
ADDRESS_LIMIT = 30
WINDOW = timedelta(minutes=15)
TOO_MANY = (
    "Too many failed logins for this username from your address. "
    "Wait 15 minutes and try again, or ask an administrator to reset your password."
)


def client_address(request: HttpRequest | None) -> str:
    # REMOTE_ADDR only: a forwarded-for header is whatever the client chose to send
    if request is None:
        return "unknown"
    return str(request.META.get("REMOTE_ADDR") or "unknown")


class RateLimitedAuthenticationForm(AdminAuthenticationForm):
    def clean(self) -> dict[str, Any]:
        username = str(self.cleaned_data.get("username") or "").strip().lower()
        address = client_address(self.request)
        key, anyone = f"{username}|{address}", f"*|{address}"
        if (
            editorial.recent_login_failures(key, WINDOW) >= LIMIT
            or editorial.recent_login_failures(anyone, WINDOW) >= ADDRESS_LIMIT
        ):
            raise ValidationError(TOO_MANY, code="rate_limited")
        try:
            cleaned = super().clean()
        except ValidationError:
            editorial.add_login_failure(key, WINDOW)
            editorial.add_login_failure(anyone, WINDOW)
            raise
        editorial.clear_login_failures(key)
        return cleaned
