"""The loopback replay server: recorded (and DERIVED) upstream payloads served over real HTTP.

Test, demo and benchmark infrastructure, kept apart from ``scrapers`` (which talks to the real
sources only). ``replay`` may import ``scrapers`` and ``state``; neither imports ``replay``.
"""
