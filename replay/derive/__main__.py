"""``python -m replay.derive``: rewrite ``replay/data/`` from the shared fixtures."""

from replay.derive.build import main

main()
