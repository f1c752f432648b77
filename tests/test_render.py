"""Cloze text -> Anki field HTML (render.py).

Fixture pairs: ``fixtures/render/NAME.md`` holds one cloze text as a phraser would write
it (from the note ``notes/topic.md`` of ``fixtures/media_vault``); ``NAME.html`` is the
field HTML a user's Anki receives.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from clozeforge.cloze import split_segments
from clozeforge.markdown import card_parser
from clozeforge.media import MediaIndex
from clozeforge.render import field_has_math, inline, render_cloze, render_text
from clozeforge.render.context import RenderContext

FIXTURES = Path(__file__).parent / "fixtures"
RENDER_CASES = sorted((FIXTURES / "render").glob("*.md"))
NOTE = "notes/topic.md"


@pytest.fixture(scope="module")
def vault_media() -> MediaIndex:
    return MediaIndex.build(FIXTURES / "media_vault")


@pytest.mark.parametrize("case", RENDER_CASES, ids=[p.stem for p in RENDER_CASES])
def test_render_fixture(case: Path, vault_media: MediaIndex) -> None:
    source = case.read_text(encoding="utf-8").removesuffix("\n")
    expected = case.with_suffix(".html").read_text(encoding="utf-8").removesuffix("\n")
    rendered = render_cloze(source, note_path=NOTE, media=vault_media)
    assert rendered.html == expected
    assert rendered.diagnostics == ()


def test_fixture_images_are_packed(vault_media: MediaIndex) -> None:
    source = (FIXTURES / "render" / "images.md").read_text(encoding="utf-8")
    rendered = render_cloze(source, note_path=NOTE, media=vault_media)
    assert [f.path for f in rendered.media] == [
        "notes/diagram.png",
        "attachments/figure_1.png",
        "attachments/photo one.jpg",
    ]
    for file in rendered.media:
        assert f'src="{file.name}"' in rendered.html


def _vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    (root / "notes").mkdir(parents=True)
    (root / "notes" / "cell.png").write_bytes(b"cell")
    return root


def test_missing_image_shows_its_caption_never_its_file_name_and_warns(tmp_path: Path) -> None:
    media = MediaIndex.build(_vault(tmp_path))
    rendered = render_cloze(
        "A {{c1::cell}} ![[gone.png]] and ![the alt](lost.png)"
        " ![Pasted image 20210616094949.png](/notes/images/20210616094949.png)",
        note_path="notes/n.md",
        media=media,
        line=7,
    )
    # A bare file name on a card is debris, also as a pasted image's caption; the warning
    # names the file.
    assert rendered.html == "A {{c1::cell}}  and the alt "
    assert "<img" not in rendered.html
    assert rendered.media == ()
    assert [(d.path, d.line) for d in rendered.diagnostics] == [("notes/n.md", 7)] * 3
    assert "gone.png" in rendered.diagnostics[0].message
    assert "lost.png" in rendered.diagnostics[1].message


def test_remote_image_is_not_packed(tmp_path: Path) -> None:
    media = MediaIndex.build(_vault(tmp_path))
    rendered = render_cloze(
        "A {{c1::cell}} ![micrograph](https://example.org/cell.png)",
        note_path="notes/n.md",
        media=media,
    )
    assert rendered.html == "A {{c1::cell}} micrograph"
    assert len(rendered.diagnostics) == 1
    assert "remote image not packed" in rendered.diagnostics[0].message


def test_image_outside_vault_is_not_packed(tmp_path: Path) -> None:
    root = _vault(tmp_path)
    (tmp_path / "secret.png").write_bytes(b"secret")
    rendered = render_cloze(
        "The {{c1::secret}} ![[../../secret.png]] ![x](../../secret.png)",
        note_path="notes/n.md",
        media=MediaIndex.build(root),
    )
    assert "<img" not in rendered.html
    assert rendered.media == ()
    # The same problem twice in one field is reported once.
    assert len(rendered.diagnostics) == 1
    assert "outside the notes folder" in rendered.diagnostics[0].message


def test_same_image_twice_is_packed_once(tmp_path: Path) -> None:
    rendered = render_cloze(
        "{{c1::Cells}} ![[cell.png]] ![[cell.png|100]] ![c](cell.png)",
        note_path="notes/n.md",
        media=MediaIndex.build(_vault(tmp_path)),
    )
    assert len(rendered.media) == 1
    assert rendered.html.count(f'src="{rendered.media[0].name}"') == 3


def test_images_without_media_index_show_alt_text() -> None:
    rendered = render_cloze(
        "A {{c1::cell}} ![[cell.png|200]] ![the alt](cell.png)", note_path="n.md", media=None
    )
    assert rendered.html == "A {{c1::cell}} cell.png the alt"
    assert rendered.media == ()
    assert rendered.diagnostics == ()


def test_image_inside_answer(tmp_path: Path) -> None:
    rendered = render_cloze(
        "This is a {{c1::![[cell.png]] cell}}",
        note_path="notes/n.md",
        media=MediaIndex.build(_vault(tmp_path)),
    )
    name = rendered.media[0].name
    assert rendered.html == f'This is a {{{{c1::<img src="{name}"> cell}}}}'


def test_extra_field_never_holds_a_deletion() -> None:
    rendered = render_text(
        "Anki syntax is {{c1::answer}}; see {{citekey}} and *this*.", note_path="n.md", media=None
    )
    assert rendered.html == (
        "Anki syntax is {&#123;c1::answer}}; see {&#123;citekey}} and <em>this</em>."
    )


def test_text_without_deletions_is_escaped_like_extra() -> None:
    rendered = render_cloze("No deletion {{here}} <b>", note_path="n.md", media=None)
    assert rendered.html == "No deletion {&#123;here}} &lt;b&gt;"


def test_deletion_inside_link_target_falls_back_to_segments() -> None:
    # The placeholder cannot survive inside a URL; every deletion must still come out.
    rendered = render_cloze("[{{c1::x}}](https://a.org/{{c2::y}})", note_path="n.md", media=None)
    assert [s.number for s in split_segments(rendered.html) if s.number] == [1, 2]


def test_field_has_math() -> None:
    assert field_has_math(render_text("$x^2$", note_path="n.md", media=None).html)
    assert field_has_math(render_text("$$x$$", note_path="n.md", media=None).html)
    assert not field_has_math(render_text("costs $5 and $6", note_path="n.md", media=None).html)
    assert not field_has_math(render_text("`$x$`", note_path="n.md", media=None).html)


_ALLOWED_TAGS = {"a", "br", "code", "em", "img", "mark", "pre", "s", "strong"}
_TAG_RE = re.compile(r"<\s*/?\s*([A-Za-z][A-Za-z0-9]*)")
_markdownish = st.lists(
    st.sampled_from([*"ab c\n{}:$`*_=%<>[]()!^|#~\\&;/\"'", "{{c1::", "{{c2::", "}}", "::"]),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_markdownish)
@example("{{c1::\\\\}}")  # an answer of an escaped backslash ends in one when rendered
def test_any_text_keeps_exactly_its_deletions(text: str) -> None:
    """Whatever the text, the field's deletions are the text's deletions (same numbers,
    same order) and only our own tags appear: note content can never become markup."""
    rendered = render_cloze(text, note_path="n.md", media=None)
    expected = [s.number for s in split_segments(text) if s.number is not None]
    found = [s.number for s in split_segments(rendered.html) if s.number is not None]
    assert found == expected
    # Each deletion opens once; no other "{{" can start one.
    assert rendered.html.count("{{") == len(expected)
    assert set(_TAG_RE.findall(rendered.html)) <= _ALLOWED_TAGS
    assert "\ue000" not in rendered.html


@settings(max_examples=200, deadline=None)
@given(_markdownish)
def test_any_extra_text_has_no_deletion(text: str) -> None:
    rendered = render_text(text, note_path="n.md", media=None)
    assert "{{" not in rendered.html
    assert set(_TAG_RE.findall(rendered.html)) <= _ALLOWED_TAGS


@pytest.mark.slow
def test_rendered_card_imports_into_anki(tmp_path: Path) -> None:
    """A card with an image and math, packed with genanki, shows both after a real import."""
    genanki = pytest.importorskip("genanki")
    collection_module = pytest.importorskip("anki.collection")

    root = _vault(tmp_path)
    rendered = render_cloze(
        "The {{c1::cell}} ![[cell.png|120]] has energy $E = mc^2$.",
        note_path="notes/n.md",
        media=MediaIndex.build(root),
    )
    assert rendered.diagnostics == ()
    (image,) = rendered.media

    model = genanki.Model(
        1607392319,
        "clozeforge render test",
        fields=[{"name": "Text"}, {"name": "Extra"}],
        templates=[
            {"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}<br>{{Extra}}"}
        ],
        model_type=genanki.Model.CLOZE,
    )
    deck = genanki.Deck(2059400110, "Render test")
    deck.add_note(genanki.Note(model=model, fields=[rendered.html, ""]))
    # genanki packs a file under its base name, so stage it under the packaged name.
    staging = tmp_path / "staging"
    staging.mkdir()
    staged = staging / image.name
    shutil.copyfile(image.source, staged)
    apkg = tmp_path / "deck.apkg"
    genanki.Package(deck, media_files=[str(staged)]).write_to_file(str(apkg))

    col = collection_module.Collection(str(tmp_path / "collection.anki2"))
    try:
        col.import_anki_package(
            collection_module.ImportAnkiPackageRequest(
                package_path=str(apkg), options=col._backend.get_import_anki_package_presets()
            )
        )
        (card_id,) = col.find_cards("")
        output = col.get_card(card_id).render_output()
        assert f'<img src="{image.name}" width="120">' in output.question_text
        assert "\\(E = mc^2\\)" in output.question_text
        assert "[...]" in output.question_text
        assert "cell</span>" in output.answer_text
        media_dir = Path(col.media.dir())
        assert (media_dir / image.name).read_bytes() == b"cell"
    finally:
        col.close()


# --- the render fast path: plain text is only escaped -------------------------------------

_PLAIN = st.text(
    alphabet=st.characters(
        blacklist_characters="\\`*_[]!$%^<&~=\n\r\x00", blacklist_categories=("Cs",)
    ),
    max_size=40,
)


def _parsed_html(text: str) -> str:
    ctx = RenderContext("note.md", None, None)
    tokens = card_parser().parseInline(text, {})[0].children or []
    tokens = inline.drop_comments(inline.prices_as_text(tokens))
    inline.drop_footnotes_and_block_ids(tokens, at_end=True)
    return inline.render_tokens(tokens, ctx)


@settings(max_examples=300, deadline=None)
@given(_PLAIN)
def test_plain_text_renders_as_the_parser_would(text: str) -> None:
    ctx = RenderContext("note.md", None, None)
    assert inline.inline_html(text, ctx, at_end=True) == (_parsed_html(text) if text else "")
