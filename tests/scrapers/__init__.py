"""Tests for the scrapers package."""
