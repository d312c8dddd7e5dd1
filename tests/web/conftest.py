"""Fixtures of the web tests (shared with tests/email, defined in tests/web/fixtures.py)."""

from tests.web.fixtures import client, live, mailer, repo, settings, smtp

__all__ = ["client", "live", "mailer", "repo", "settings", "smtp"]
