"""email package."""
