"""``clozeforge preview``: every card of a build on one offline page, as Anki shows it.

The page is compared with what real Anki renders for the same package (``anki_support``),
and opened in headless Chromium (skipped where ``/usr/bin/chromium`` is absent; ``.ci/run``
installs it)."""

from __future__ import annotations

import html
import re
import struct
import subprocess
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from clozeforge import deck
from clozeforge.builder import build
from clozeforge.cli import cli
from clozeforge.config import Settings
from clozeforge.errors import TemplateError
from clozeforge.preview import (
    NoteType,
    PreviewReport,
    preview,
    read_package,
    render_cloze,
    render_template,
    tex_to_mathml,
    typeset_math,
)

from anki_support import cards, collection, import_package

CHROMIUM = Path("/usr/bin/chromium")


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid PNG of one colour (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


# Beside the seeds (which have math and two three-item enumerations): a note showing an
# image, one with HTML in its text, and one with a link to the web.
EXTRA_NOTES = {
    "figures.md": (
        "---\ntags: [vision]\n---\n# Figures\n\n"
        "* Receptive field: the input region that one output unit sees\n\n"
        "![[field.png]]\n"
    ),
    "hostile.md": (
        "---\ntags: [security]\n---\n# Hostile\n\n"
        "* Injection: text like <script>alert(1)</script> that a page must escape\n"
        "* Reference: [the docs](https://example.org/docs) give the details\n"
    ),
}


@pytest.fixture
def notes(seeds_copy: Path) -> Path:
    for name, text in EXTRA_NOTES.items():
        (seeds_copy / name).write_text(text, encoding="utf-8")
    (seeds_copy / "field.png").write_bytes(_png(40, 30, (200, 30, 30)))
    return seeds_copy


def _settings(notes: Path, tmp_path: Path) -> Settings:
    return Settings.resolve(
        {"notes_dir": notes, "output": tmp_path / "seeds.apkg", "deck_name": "ROOT"}
    )


@pytest.fixture
def previewed(notes: Path, tmp_path: Path) -> PreviewReport:
    return preview(_settings(notes, tmp_path), tmp_path / "page" / "seeds.html")


@dataclass
class PageCard:
    """One card as the page shows it."""

    guid: str
    ordinal: int
    deck: str
    front: str = ""
    back: str = ""
    front_math: int = 0
    back_math: int = 0
    front_clozes: list[str] = field(default_factory=list)
    """Text of each active deletion (``class="cloze"``) on the front."""
    back_clozes: list[str] = field(default_factory=list)


@dataclass
class _PageReader(HTMLParser):
    """The cards of a preview page (or Chromium's dump of it), their faces' text, and
    every ``src`` and ``href`` in it."""

    cards: list[PageCard] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    links: list[tuple[str, bool]] = field(default_factory=list)
    """(href, inside a card face)."""
    elements: list[str] = field(default_factory=list)
    _deck: str = ""
    _face: str | None = None
    _depth: int = 0
    _cloze_depth: int = 0

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        classes = values.get("class", "").split()
        self.elements.append(tag)
        if "src" in values:
            self.sources.append(values["src"])
        if "href" in values:
            self.links.append((values["href"], self._face is not None))
        if tag == "section" and "cf-deck" in classes:
            self._deck = values["data-deck"]
        if tag == "article" and "cf-card" in classes:
            self.cards.append(
                PageCard(values["data-guid"], int(values["data-ordinal"]), self._deck)
            )
        if self._face is not None:
            self._depth += tag not in _VOID
            if self._cloze_depth:
                self._cloze_depth += tag not in _VOID
            elif "cloze" in classes:
                self._cloze_depth = 1
                getattr(self.cards[-1], f"{self._face}_clozes").append("")
            if tag == "math":
                attribute = f"{self._face}_math"
                setattr(self.cards[-1], attribute, getattr(self.cards[-1], attribute) + 1)
        elif tag == "div" and "card" in classes and self.cards:
            self._face = "back" if self.cards[-1].front else "front"
            self._depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self._face is not None and tag not in _VOID:
            self._depth -= 1
            self._cloze_depth = max(0, self._cloze_depth - 1)
            if self._depth == 0:
                self._face = None

    def handle_data(self, data: str) -> None:
        if self._face is not None:
            card = self.cards[-1]
            setattr(card, self._face, getattr(card, self._face) + data)
            if self._cloze_depth:
                clozes = getattr(card, f"{self._face}_clozes")
                clozes[-1] += data


_VOID = {"br", "img", "hr", "meta", "input", "wbr", "source", "col", "area", "base", "link"}


def _read_page(text: str) -> _PageReader:
    reader = _PageReader()
    reader.feed(text)
    reader.close()
    return reader


def _visible(anki_html: str) -> str:
    """The text of HTML Anki rendered, without any whitespace (where a browser breaks
    lines between blocks is not compared)."""
    return _squeeze(html.unescape(re.sub(r"<[^>]*>", "", anki_html)))


# --- the template language, on templates other than today's ----------------------------------

_FIELDS = {"Text": "The {{c1::sky}} is {{c2::blue}}.", "Context": "Colours", "Empty": "<br> "}


def test_templates_are_followed_whatever_they_say() -> None:
    # A context line on the front from a field, as a template change might add.
    question = (
        '{{#Context}}<div class="ctx">{{Context}}</div>{{/Context}}'
        "{{^Empty}}<i>no empty field</i>{{/Empty}}{{#Empty}}never{{/Empty}}{{cloze:Text}}"
    )
    answer = "{{FrontSide}}<hr>{{cloze:Text}} {{text:Context}}"
    front = render_template(question, _FIELDS, ordinal=1, question=True)
    back = render_template(answer, _FIELDS, ordinal=1, question=False, front_side=front)
    assert front == (
        '<div class="ctx">Colours</div><i>no empty field</i>The'
        ' <span class="cloze-inactive" data-ordinal="1">sky</span> is'
        ' <span class="cloze" data-ordinal="2">[...]</span>.'
    )
    assert back.startswith(front + "<hr>")
    assert back.endswith('<span class="cloze" data-ordinal="2">blue</span>. Colours')


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{Missing}}", "field 'Missing'"),
        ("{{#Context}}open", "never closed"),
        ("{{/Context}}", "closes no open section"),
        ("{{hint:Context}}", "filter 'hint'"),
    ],
)
def test_templates_the_preview_cannot_render_say_why(template: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        render_template(template, _FIELDS, ordinal=0, question=True)


def test_package_note_type_is_the_one_deck_defines(notes: Path, tmp_path: Path) -> None:
    settings = _settings(notes, tmp_path)
    build(settings)
    package = read_package(settings.output)
    template = deck.CLOZE_MODEL.templates[0]
    assert package.note_type == NoteType(
        deck.FIELDS, template["qfmt"], template["afmt"], deck.CLOZE_MODEL.css
    )


# --- clozes and math -------------------------------------------------------------------------


def test_cloze_hidden_on_its_own_card_only_and_hints_shown() -> None:
    text = "{{c1::Paris::capital}} is in {{c2::France}}"
    assert render_cloze(text, 0, question=True) == (
        '<span class="cloze" data-ordinal="1">[capital]</span> is in'
        ' <span class="cloze-inactive" data-ordinal="2">France</span>'
    )
    assert render_cloze(text, 0, question=False).startswith(
        '<span class="cloze" data-ordinal="1">Paris</span>'
    )


def test_cloze_inside_math_is_typeset_as_anki_writes_it() -> None:
    text = r"\(x = {{c1::2}}\) and {{c2::y}}"
    front = render_cloze(text, 0, question=True)
    assert front.startswith(r"\(x = \class{cloze}{[...]}\)")
    mathml, failures = typeset_math(front)
    assert failures == 0 and '<mrow class="cloze">' in mathml and "\\(" not in mathml
    back, _ = typeset_math(render_cloze(text, 0, question=False))
    assert "<mn>2</mn>" in back


def test_mathml_keeps_nothing_but_mathml() -> None:
    tex = r"\text{<script>alert(1)</script>} \href{https://x.org}{y} a<b"
    mathml = tex_to_mathml(tex, display=False)
    assert mathml is not None and mathml.startswith("<math")
    assert "<script" not in mathml and "href" not in mathml
    # Field HTML is escaped: the formula's < arrives as &lt; and is read as TeX's <.
    typeset, failures = typeset_math(r"\(a &lt; b\)")
    assert failures == 0 and "<mo>&lt;</mo>" in typeset.replace("&#x0003C;", "&lt;")


def test_unreadable_formula_stays_as_its_source() -> None:
    typeset, failures = typeset_math(r"before \(\frac{1}{\) after")
    assert failures == 1
    assert typeset == r'before <code class="cf-tex">\(\frac{1}{\)</code> after'


# --- the page --------------------------------------------------------------------------------


def test_page_shows_what_anki_shows_for_every_card(
    previewed: PreviewReport, notes: Path, tmp_path: Path
) -> None:
    page = _read_page(previewed.page.read_text(encoding="utf-8"))
    settings = _settings(notes, tmp_path)
    build(settings)
    with collection(tmp_path / "c.anki2") as col:
        import_package(col, settings.output)
        imported = cards(col)
    assert previewed.cards == len(page.cards) == len(imported)
    shown = {(card.guid, card.ordinal): card for card in page.cards}
    assert len(shown) == len(page.cards), "a card shown twice"
    checked = 0
    for card in imported:
        active = re.search(r'class="cloze"[^>]*data-ordinal="(\d+)"', card.question)
        assert active, card.question
        ordinal = int(active[1])
        on_page = shown[(card.guid, ordinal)]
        assert on_page.deck == card.deck
        if "\\(" in card.question or "\\[" in card.question:
            assert on_page.front_math and on_page.back_math  # MathML instead of MathJax
            continue
        assert _squeeze(on_page.front) == _visible(card.question)
        assert _squeeze(on_page.back) == _visible(card.answer)
        checked += 1
    assert checked >= len(imported) // 2


def test_page_is_self_contained_and_escapes_notes(previewed: PreviewReport) -> None:
    text = previewed.page.read_text(encoding="utf-8")
    page = _read_page(text)
    # The image is inlined; nothing else is ever loaded.
    assert page.sources and all(src.startswith("data:image/png;base64,") for src in page.sources)
    assert "script" not in page.elements and "link" not in page.elements
    assert all(not href.startswith(("http:", "https:")) or inside for href, inside in page.links)
    assert ("https://example.org/docs", True) in page.links
    assert "Content-Security-Policy" in text
    # The note's <script> is text (on its card, or in the list of cards left out), never
    # an element.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    listed = [c for c in page.cards if "Injection" in c.back]
    assert all("<script>alert(1)</script>" in c.back for c in listed)


def test_enumeration_gives_one_card_per_item(previewed: PreviewReport) -> None:
    page = _read_page(previewed.page.read_text(encoding="utf-8"))
    items = ("A padding token", "An end-of-sequence token", "An unknown token")
    enumeration = [c for c in page.cards if "Special tokens" in c.front]
    assert sorted(c.ordinal for c in enumeration) == [1, 2, 3]
    for card in enumeration:
        hidden = items[card.ordinal - 1]
        assert "[...]" in card.front and hidden not in card.front
        assert all(item in card.front for item in items if item != hidden)
        assert hidden in card.back and "[...]" not in card.back


def test_cli_preview_writes_the_page_and_leaves_no_build_state(
    notes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, previewed: PreviewReport
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("CLOZEFORGE_CACHE_DIR", str(cache))
    page = tmp_path / "out" / "page.html"
    result = CliRunner().invoke(cli, ["preview", str(notes), "-o", str(page), "--max-claims", "0"])
    assert result.exit_code == 0, result.output
    assert f"wrote {page}" in result.output
    count = int(re.search(r"cards: (\d+) in", result.output)[1])  # type: ignore[index]
    assert count == len(_read_page(page.read_text(encoding="utf-8")).cards)
    # --max-claims 0 reached the build: fewer cards than with the default 5 claims.
    assert 0 < count < previewed.cards
    assert not cache.exists() or not any(cache.iterdir()), "preview wrote build state"
    assert [p.name for p in page.parent.iterdir()] == ["page.html"]


# --- in a real browser -----------------------------------------------------------------------


def _chromium(tmp_path: Path, *args: str) -> str:
    profile = tmp_path / "chromium-profile"
    command = [
        str(CHROMIUM),
        *("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"),
        *("--disable-background-networking", "--disable-component-update", "--disable-sync"),
        f"--user-data-dir={profile}",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _png_size_and_colours(data: bytes) -> tuple[int, int, int]:
    """(width, height, distinct byte values of the decoded image data) of a PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    idat, offset = b"", 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        if kind == b"IDAT":
            idat += data[offset + 8 : offset + 8 + length]
        offset += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_page_in_headless_chromium(previewed: PreviewReport, tmp_path: Path) -> None:
    url = previewed.page.resolve().as_uri()
    dom = _chromium(tmp_path, "--dump-dom", url)
    page = _read_page(dom)
    assert len(page.cards) == previewed.cards
    for card in page.cards:
        # The front hides this card's deletion, the back shows it; the answer shows on
        # the front only where it also shows on the back (a word used twice).
        assert [_squeeze(text) for text in card.front_clozes] == ["[...]"], card
        (answer,) = card.back_clozes
        assert answer and "[...]" not in card.back, card
        assert card.front.count(answer) < card.back.count(answer), card
    math_cards = [c for c in page.cards if "softmax" in c.back or "learning rate" in c.back.lower()]
    assert any(card.front_math and card.back_math for card in math_cards)
    assert page.sources and all(src.startswith("data:") for src in page.sources)
    assert all(not href.startswith(("http:", "https:")) or inside for href, inside in page.links)

    shot = tmp_path / "page.png"
    _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,1600", url)
    width, height, colours = _png_size_and_colours(shot.read_bytes())
    assert (width, height) == (1200, 1600)
    assert colours > 40, "the screenshot is blank"


def _squeeze(text: str) -> str:
    return "".join(text.split())
