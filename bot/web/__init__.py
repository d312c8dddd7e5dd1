"""The web: the public board and motion pages, feeds, the JSON API, email subscription pages."""
