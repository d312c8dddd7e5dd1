"""Turns the outside world into domain records; never writes state."""
