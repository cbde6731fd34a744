"""The rules as pure functions: publish, hold or drop; category mapping; first-fetch age."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsdesk.pipeline import decide, rules
from newsdesk.pipeline.rules import Outcome
from newsdesk.store.editorial import Policy, RuleSpec
from newsdesk.store.writes import Incoming
from newsdesk.types import CleanArticle

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def article(**fields: object) -> CleanArticle:
    values: dict[str, object] = {
        "guid": "g",
        "url": "https://partner.example/a/",
        "title": "Harbour council approves new ferry timetable",
        "author": "Mara Lind",
        "published": NOW - timedelta(hours=3),
        "updated": None,
        "summary": "The council voted on Monday.",
        "body_html": "<p>Commuters had asked for the <b>change</b> for two years.</p>",
        "categories": ("Local",),
    }
    values.update(fields)
    return CleanArticle(**values)  # type: ignore[arg-type]


def rule(
    action: str, pattern: str, field: str = "any", kind: str = "keyword", id: int = 1
) -> RuleSpec:
    return RuleSpec(id=id, action=action, field=field, kind=kind, pattern=pattern)


def test_no_rules_publishes_and_review_holds() -> None:
    assert rules.evaluate(article(), []).outcome is Outcome.PUBLISH
    held = rules.evaluate(article(), [], review=True)
    assert held.outcome is Outcome.HOLD and "review" in held.reason


def test_exclude_keyword_is_a_whole_word_in_any_case() -> None:
    assert rules.evaluate(article(), [rule("exclude", "FERRY")]).outcome is Outcome.DROP
    # "fer" is inside "ferry" but is not the word
    assert rules.evaluate(article(), [rule("exclude", "fer")]).outcome is Outcome.PUBLISH


def test_keyword_lists_match_any_of_them() -> None:
    verdict = rules.evaluate(article(), [rule("exclude", "storm, ferry")])
    assert verdict.outcome is Outcome.DROP and "'ferry'" in verdict.reason


def test_fields_are_looked_at_separately() -> None:
    by_title = rule("exclude", "commuters", field="title")
    by_body = rule("exclude", "commuters", field="body")
    assert rules.evaluate(article(), [by_title]).outcome is Outcome.PUBLISH
    assert rules.evaluate(article(), [by_body]).outcome is Outcome.DROP
    assert (
        rules.evaluate(article(), [rule("exclude", "lind", field="author")]).outcome is Outcome.DROP
    )
    assert (
        rules.evaluate(article(), [rule("exclude", "local", field="category")]).outcome
        is Outcome.DROP
    )
    assert (
        rules.evaluate(article(), [rule("exclude", "mara", field="category")]).outcome
        is Outcome.PUBLISH
    )


def test_body_rules_see_text_not_markup() -> None:
    assert (
        rules.evaluate(article(), [rule("exclude", "b", field="body")]).outcome is Outcome.PUBLISH
    )
    regex = rule("exclude", r"the change\b", field="body", kind="regex")
    assert rules.evaluate(article(), [regex]).outcome is Outcome.DROP


def test_include_rules_drop_what_matches_none() -> None:
    include = [rule("include", "ferry", id=1), rule("include", "library", id=2)]
    assert rules.evaluate(article(), include).outcome is Outcome.PUBLISH
    other = article(title="Storm warning", body_html="", summary="", categories=())
    verdict = rules.evaluate(other, include)
    assert verdict.outcome is Outcome.DROP and "include" in verdict.reason


def test_hold_rule_holds_and_exclude_wins_over_hold() -> None:
    hold = rule("hold", r"time\w+", kind="regex", id=7)
    verdict = rules.evaluate(article(), [hold])
    assert (
        verdict.outcome is Outcome.HOLD
        and "rule 7" in verdict.reason
        and "timetable" in verdict.reason
    )
    assert rules.evaluate(article(), [hold, rule("exclude", "ferry", id=8)]).outcome is Outcome.DROP


def test_disabled_and_broken_rules_are_ignored() -> None:
    off = RuleSpec(
        id=1, action="exclude", field="any", kind="keyword", pattern="ferry", enabled=False
    )
    broken = rule("exclude", "(unclosed", kind="regex")
    assert rules.evaluate(article(), [off, broken]).outcome is Outcome.PUBLISH


def test_map_categories_renames_drops_and_keeps() -> None:
    mapping = {"local": "Region", "Sport": "", "news": "Region"}
    assert rules.map_categories(["Local", "Sport", "Culture", "News"], mapping) == (
        "Region",
        "Culture",
    )


def incoming(identity: str, **fields: object) -> Incoming:
    return Incoming(identity=identity, content_hash="h" + identity, article=article(**fields))


def test_screen_drops_tombstones_old_items_on_first_fetch_and_maps() -> None:
    policy = Policy(
        source_id=1,
        rules=(rule("hold", "library", id=3),),
        category_map={"Local": "Region"},
        max_age_days=7,
        first_fetch=True,
    )
    items = [
        (1, incoming("deleted")),
        (2, incoming("old", published=NOW - timedelta(days=30))),
        (3, incoming("fresh")),
        (4, incoming("held", title="Library opens on Sundays")),
    ]
    screened = rules.screen(policy, items, NOW, {"deleted"})
    assert [(n, i.identity) for n, i in screened.items] == [(3, "fresh"), (4, "held")]
    assert screened.items[0][1].article.categories == ("Region",)
    assert list(screened.held) == ["held"] and "rule 3" in screened.held["held"]
    assert dict(screened.dropped) == {
        "deleted": "deleted by an editor",
        "old": "older than 7 days on the first fetch",
    }


def test_old_items_are_kept_after_the_first_fetch() -> None:
    policy = Policy(source_id=1, max_age_days=7, first_fetch=False)
    old = incoming("old", published=NOW - timedelta(days=30))
    screened = rules.screen(policy, [(None, old)], NOW)
    assert [i.identity for _, i in screened.items] == ["old"]


def test_bounds_and_clean_options_follow_the_source() -> None:
    default = decide.Bounds(min_interval=timedelta(minutes=10), max_interval=timedelta(hours=24))
    assert rules.bounds(Policy(source_id=1), default) == default
    own = rules.bounds(
        Policy(source_id=1, min_interval_minutes=60, max_interval_minutes=30), default
    )
    assert own.min_interval == timedelta(minutes=60) and own.max_interval == timedelta(minutes=60)
    options = rules.clean_options(Policy(source_id=1, attribution_patterns=("x(?P<site>y)",)))
    assert options.attribution_patterns == ("x(?P<site>y)",)
