from django.urls import path

from newsdesk.site import articles, demo_files, feeds, health, listings

urlpatterns = [
    path("", listings.front, name="front"),
    path("article/<int:article_id>/", articles.redirect_to_slug, name="article-short"),
    path("article/<int:article_id>/<str:slug>/", articles.detail, name="article"),
    path("category/<slug:slug>/", listings.category, name="category"),
    path("category/<slug:slug>/rss.xml", feeds.rss, name="category-rss"),
    path("source/<slug:slug>/", listings.source, name="source"),
    path("story/<int:story_id>/", listings.story, name="story"),
    path("feed/rss.xml", feeds.rss, name="feed-rss"),
    path("feed/atom.xml", feeds.atom, name="feed-atom"),
    path("feed/feed.json", feeds.json_feed, name="feed-json"),
    path("demo/<path:path>", demo_files.serve, name="demo-file"),
    path("healthz", health.healthz, name="healthz"),
]
