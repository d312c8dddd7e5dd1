"""kamerwacht: the running service and everything that faces a person."""

__version__ = "0.1.0"
