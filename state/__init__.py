"""Storage and change detection; imports nothing else of the project."""
