"""Tests of the Telegram bot against a fake Bot API server on 127.0.0.1."""
