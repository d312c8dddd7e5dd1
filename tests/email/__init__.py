"""Tests of email digests and sending (bot/email)."""
