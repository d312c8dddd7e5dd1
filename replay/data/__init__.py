"""Recorded upstream payloads the replay server serves (package data, see README.md)."""
