"""Roles, admin access and the login rate limit."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.db_both]


def test_roles_are_created_by_migrations() -> None:
    from django.contrib.auth.models import Group

    editors = Group.objects.get(name="Editors")
    codenames = set(editors.permissions.values_list("codename", flat=True))
    assert {
        "change_source",
        "change_article",
        "change_heldarticle",
        "change_sitesettings",
    } <= codenames
    assert {"view_auditentry", "add_rule"} <= codenames
    assert not {c for c in codenames if c.endswith("_user") or c.endswith("_group")}
    assert "change_auditentry" not in codenames
    administrators = Group.objects.get(name="Administrators")
    assert administrators.permissions.filter(codename="change_user").exists()


def test_administrator_from_init_is_in_the_administrators_group(boss: Any) -> None:
    assert boss.is_superuser and boss.groups.filter(name="Administrators").exists()
    assert boss.password.startswith("pbkdf2_") or "$" in boss.password  # hashed, not stored


def test_editor_cannot_manage_users_but_can_run_the_desk(client: Client, editor: Any) -> None:
    client.force_login(editor)
    for url in ("/admin/auth/user/", "/admin/auth/group/", "/admin/auth/user/add/"):
        assert client.get(url).status_code == 403, url
    for url in (
        "/admin/",
        "/admin/store/source/",
        "/admin/store/heldarticle/",
        "/admin/store/article/",
        "/admin/store/sitesettings/",
        "/admin/store/auditentry/",
        "/admin/store/source/health/",
    ):
        assert client.get(url).status_code == 200, url
    index = client.get("/admin/").content.decode()
    assert "Users" not in index and "Review queue" in index
    assert "held for review" in index and "sources failing" in index


def test_administrator_can_manage_users(client: Client, boss: Any) -> None:
    client.force_login(boss)
    assert client.get("/admin/auth/user/").status_code == 200


def _admin_paths() -> list[str]:
    """Every admin URL pattern, with sample values for its parameters."""
    from django.contrib import admin

    out: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            route = str(p.pattern)
            route = route.replace("<path:object_id>", "1").replace("<int:content_type_id>", "1")
            route = route.replace("<path:object_id>", "1").replace("<path:path>", "x")
            route = route.replace("<path:url>", "x").replace("<app_label>", "store")
            route = route.replace("^", "").replace("$", "")
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern) and "<" not in route and "(?" not in route:
                out.append(prefix + route)

    walk(admin.site.urls[0], "/admin/")
    return sorted(set(out))


def test_anonymous_users_reach_no_admin_page(client: Client, source: Any) -> None:
    paths = _admin_paths()
    assert "/admin/store/heldarticle/" in paths and "/admin/store/source/health/" in paths
    get_resolver()  # the resolver is built; every path below is a real route
    for path in paths:
        if path in {"/admin/login/", "/admin/logout/"}:
            continue
        response = client.get(path)
        assert response.status_code in {302, 404}, path
        if response.status_code == 302:
            assert response["Location"].startswith("/admin/login/"), path
        post = client.post(path, {})
        assert post.status_code in {302, 403, 404, 405}, path
        if post.status_code == 302:
            assert post["Location"].startswith("/admin/login/"), path


def test_staff_without_a_role_sees_nothing(client: Client) -> None:
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nobody", password=PASSWORD, is_staff=True)
    client.force_login(nobody)
    assert client.get("/admin/store/source/").status_code == 403
    assert client.get("/admin/store/heldarticle/").status_code == 403


def login(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> str:
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )
    if response.status_code == 302:
        return "in"
    return response.content.decode()


def test_login_is_rate_limited_per_username_and_address(editor: Any) -> None:
    client = Client()
    for _ in range(5):
        assert "correct username and password" in login(client, "ed", "wrong")
    # the sixth try is refused even with the right password
    assert "Too many failed logins" in login(client, "ed", PASSWORD)
    # another address, or another username, is not affected
    assert login(Client(), "ed", PASSWORD, ip="10.0.0.2") == "in"
    assert "Too many failed logins" not in login(Client(), "someone", "wrong")


def test_a_success_clears_the_count(editor: Any) -> None:
    for _ in range(4):
        login(Client(), "ed", "wrong")
    assert login(Client(), "ed", PASSWORD) == "in"
    for _ in range(4):
        login(Client(), "ed", "wrong")
    assert login(Client(), "ed", PASSWORD) == "in"


def test_csrf_is_enforced_on_admin_posts(editor: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post("/admin/store/heldarticle/", {"bulk": "approve"})
    assert response.status_code == 403


def test_one_address_trying_many_usernames_is_stopped(
    editor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsdesk.editorial import login as limiter

    monkeypatch.setattr(limiter, "ADDRESS_LIMIT", 3)
    for name in ("a", "b", "c"):
        login(Client(), name, "wrong", ip="10.9.9.9")
    assert "Too many failed logins" in login(Client(), "ed", PASSWORD, ip="10.9.9.9")
    assert login(Client(), "ed", PASSWORD, ip="10.9.9.10") == "in"
