"""Tests of the state package: diff, repository (SQLite and PostgreSQL), outbox, crashes."""
