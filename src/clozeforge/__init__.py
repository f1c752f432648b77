"""clozeforge: Markdown notes in, Anki cloze decks out.

Library first: ``build(Settings(...))`` runs a whole build; the stages are importable on
their own (``notes.parse_note``, ``extract.extract_facts``, ``phrasers.phrase_cards``,
``deck.write_package``). Nothing heavy is imported here: the T5 phraser loads
transformers only when used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import Settings
from .errors import ClozeforgeError
from .model import Card, Diagnostic, Fact, FactKind, Note
from .phrasers import Phraser, get_phraser

__all__ = [
    "Card",
    "ClozeforgeError",
    "Diagnostic",
    "Fact",
    "FactKind",
    "Note",
    "Phraser",
    "Settings",
    "build",
    "get_phraser",
]

if TYPE_CHECKING:
    from .builder import build


def __getattr__(name: str) -> Any:
    # The build pulls in genanki and the parsers; import it on first use.
    if name == "build":
        from .builder import build

        return build
    raise AttributeError(name)
