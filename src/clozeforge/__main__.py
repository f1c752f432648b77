"""``python -m clozeforge``."""

from .cli import main

main()
