"""Jinja2 templates (telegram/, email/, web/) and the one Environment that renders them."""
