"""Security headers for the public site.

Add `newsdesk.site.security.ContentSecurityPolicyMiddleware` to MIDDLEWARE.

The policy: our own scripts and styles only (the site's one script writes dates in the
reader's time zone; there is no inline script or style), images from anywhere over http(s)
because articles hotlink their publishers' photos, audio and video (enclosures) from anywhere
over http(s), embedded players only from YouTube (privacy-enhanced host too), Vimeo and the
hosts of NEWSDESK_EMBEDS, nothing may frame us.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.deprecation import MiddlewareMixin

FRAME_HOSTS = (
    "https://www.youtube-nocookie.com",
    "https://www.youtube.com",
    "https://player.vimeo.com",
)


def content_policy(embeds: tuple[str, ...] = ()) -> str:
    """The policy, with the hosts of the operator's players (Settings.embeds) as frames."""
    frames = dict.fromkeys([*FRAME_HOSTS, *(f"https://{e.partition('/')[0]}" for e in embeds)])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' https: http:",
            # enclosures get native players; podcasts are still often served over http
            "media-src 'self' https: http:",
            "font-src 'self'",
            "connect-src 'self'",
            "frame-src " + " ".join(frames),
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


POLICY = content_policy(settings.NEWSDESK.embeds)

PERMISSIONS = "camera=(), microphone=(), geolocation=()"


class ContentSecurityPolicyMiddleware(MiddlewareMixin):
    """Sets the policy on every response that has none yet.

    The admin keeps Django's own pages, which use inline styles, so it is left alone.
    A process_response hook, like Django's own middleware, so the lean path for anonymous
    pages (anonymous_pages.py) applies exactly this.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if request.path.startswith("/admin/"):
            return response
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = POLICY
        response.headers.setdefault("Permissions-Policy", PERMISSIONS)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
