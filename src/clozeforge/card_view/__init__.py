"""How Anki shows a package's cards: an ``.apkg`` -> its cards, note type and media
(``read_package``), each card's front and back, and one offline HTML page of them all."""

from .mathml import tex_to_mathml, typeset_math
from .package import NoteType, Package, PackagedCard, read_package
from .page import index_page, preview_page
from .templates import render_cloze, render_template

__all__ = [
    "NoteType",
    "Package",
    "PackagedCard",
    "index_page",
    "preview_page",
    "read_package",
    "render_cloze",
    "render_template",
    "tex_to_mathml",
    "typeset_math",
]
