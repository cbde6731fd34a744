"""newsdesk: a news syndication platform."""

__version__ = "0.1.0"
