"""Rows for the site tests: one source, two categories, three articles shaped like the seed page.

The text is our own; only its shape (category label, photo caption with a credit, a dateline
origin, a "first appeared on" attribution) follows the publisher's page we imitate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from newsdesk.config import DEMO_ORIGIN
from newsdesk.store.models import Article, Category, SiteSettings, Source

BASE_TIME = datetime(2025, 6, 14, 9, 0, tzinfo=UTC)


@dataclass
class Seed:
    source: Source
    middle_east: Category
    news: Category
    articles: list[Article]  # newest first


def make_article(source: Source, n: int, **fields: object) -> Article:
    when = fields.pop("when", BASE_TIME - timedelta(hours=n))
    assert isinstance(when, datetime)
    values: dict[str, object] = {
        "identity": f"guid-{n}",
        "guid": f"https://www.algemeiner.example/?p={1000 + n}",
        "url": f"https://www.algemeiner.example/2025/06/14/story-{n}/",
        "title": f"Story number {n}",
        "slug": f"story-number-{n}",
        "published_at": when,
        "sort_at": when,
        "summary": f"Summary of story {n}.",
        "body_html": f"<p>Body of story {n}.</p>",
    }
    values.update(fields)
    return Article.objects.create(source=source, **values)


@pytest.fixture
def seed(db: None) -> Seed:
    source = Source.objects.create(
        name="Algemeiner.com",
        slug="algemeiner",
        feed_url="https://www.algemeiner.example/feed/",
        site_url="https://www.algemeiner.example/",
    )
    middle_east = Category.objects.create(name="Middle East", slug="middle-east")
    news = Category.objects.create(name="News", slug="news")
    first = make_article(
        source,
        1,
        title="Rebels Reach the Outskirts of a Central City, Sources Say",
        slug="rebels-reach-the-outskirts-of-a-central-city-sources-say",
        author="Staff Writer",
        summary="Rebel fighters reached the edge of a central city on Saturday, residents said.",
        body_html=(
            "<p>Rebel fighters reached the edge of a central city on Saturday, residents and "
            "officials said, as front lines shifted across the region.</p>"
            "<h2>THE ROAD NORTH</h2><p>The highway north was closed for most of the day.</p>"
        ),
        image_url=f"{DEMO_ORIGIN}/images/convoy.svg",
        image_caption="A convoy passes a checkpoint outside the city, June 13, 2025.",
        image_credit="REUTERS/Staff Photographer",
        attribution_site="Algemeiner.com",
        attribution_url="https://www.algemeiner.example/",
        places=["Homs", "Damascus"],
        story_id=7,
    )
    second = make_article(
        source,
        2,
        title="Envoy Says Disarmament Is the Key to Better Days",
        slug="envoy-says-disarmament-is-the-key-to-better-days",
        summary="i24 News – A special envoy said the state must follow through on its promises.",
        body_html="<p>i24 News – A special envoy said the state must follow through.</p>",
        image_url="https://images.algemeiner.example/envoy.jpg",
        image_caption="The envoy speaks to reporters, November 4, 2022.",
        image_credit="Photo: REUTERS/Another Photographer",
        attribution_site="Algemeiner.com",
        attribution_url="https://www.algemeiner.example/",
        origin="i24 News",
        story_id=7,
    )
    third = make_article(
        source,
        3,
        title="Report: Leaders Discuss a Zero-Enrichment Deal",
        slug="report-leaders-discuss-a-zero-enrichment-deal",
        summary="i24 News – Leaders discussed a possible deal, a website reported on Saturday.",
        body_html="<p>i24 News – Leaders discussed a possible deal.</p>",
        image_url="https://images.algemeiner.example/leaders.jpg",
        image_caption="Two leaders meet at a cultural forum, Oct. 11, 2024.",
        image_credit="Sputnik/Pool via REUTERS",
        attribution_site="Algemeiner.com",
        attribution_url="https://www.algemeiner.example/",
        origin="i24 News",
    )
    first.categories.set([middle_east, news])
    second.categories.set([middle_east])
    third.categories.set([news])
    SiteSettings.objects.create(
        pk=1,
        name="Jewish Post & News",
        tagline="News from our partners",
        social_links=[
            {"label": "RSS", "url": "/feed/rss.xml"},
            {"label": "Facebook", "url": "https://facebook.example/jpn"},
        ],
        footer="Copyright © 2017 - {year} {name}",
    )
    return Seed(source, middle_east, news, [first, second, third])
