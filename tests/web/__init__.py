"""Tests of the web app (bot/web)."""
