"""/demo/<path>: images of the bundled demo sources, served from the package folder."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from django.http import FileResponse, Http404, HttpRequest

import newsdesk

IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}
# An SVG opened on its own is a document that could run script; served with this policy it
# can only draw itself.
FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def demo_root() -> Path:
    return Path(newsdesk.__file__).resolve().parent / "demo"


def serve(request: HttpRequest, path: str) -> FileResponse:
    parts = PurePosixPath(path).parts
    if not parts or any(p in {"..", "."} or p.startswith(".") for p in parts) or "\\" in path:
        raise Http404("not a demo file")
    content_type = IMAGE_TYPES.get(PurePosixPath(path).suffix.lower())
    if content_type is None:
        raise Http404("not a demo image")
    root = demo_root().resolve()
    target = root.joinpath(*parts).resolve()
    # Belt and braces against symlinks pointing out of the folder.
    if not target.is_relative_to(root) or not target.is_file():
        raise Http404("no such demo file")
    response = FileResponse(target.open("rb"), content_type=content_type)
    response["Content-Security-Policy"] = FILE_CSP
    response["Cache-Control"] = "public, max-age=86400"
    return response
