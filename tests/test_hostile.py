"""Hostile input: a vault of everything that breaks note tools, built end to end.

The committed notes in fixtures/hostile_vault cover content (images, math, code, callouts,
escaping, odd tags, duplicates...); byte-level cases that git or a checkout could alter
(BOM, CRLF, invalid UTF-8, binary, 50 MB, symlink loops, permissions) are written by the
fixture.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from clozeforge.builder import BuildReport, build
from clozeforge.config import Settings

from anki_support import ImportedCard, assert_clean_deck, collection, import_package

HOSTILE = Path(__file__).parent / "fixtures" / "hostile_vault"
_IMG_RE = re.compile(r'<img src="([^"]+)"')


def _write_byte_cases(root: Path) -> None:
    (root / "bom.md").write_bytes(
        b"\xef\xbb\xbf# BOM note\n\n- Byte order mark: an invisible prefix some editors write\n"
    )
    (root / "crlf.md").write_bytes(
        b"---\r\ntags: [windows]\r\n---\r\n# CRLF note\r\n\r\n"
        b"- Carriage return: the line end Windows editors write\r\n"
    )
    (root / "invalid-utf8.md").write_bytes(
        b"# Latin-1 note\n\n- Caf\xe9 au lait: coffee with hot milk, written in Latin-1 bytes\n"
    )
    (root / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    line = "- Long line: " + "word " * 200_000 + "\n"  # a 1 MB line
    (root / "long-line.md").write_text(
        f"# Long line\n\n{line}\n- Short: a normal definition after it\n"
    )
    nested = "".join("  " * depth + f"- level {depth}\n" for depth in range(60))
    (root / "deep-nesting.md").write_text(f"# Deep\n\n{nested}\n- Depth: how far lists nest\n")
    # Past what the parser nests (about 200 list levels) the rest of a note is skipped, warned.
    nested = "".join("  " * depth + f"- level {depth}\n" for depth in range(1000))
    (root / "very-deep.md").write_text(f"# Very deep\n\n{nested}\n- Lost: text after the limit\n")
    with open(root / "huge.md", "w") as huge:  # 50 MB of plausible text
        chunk = "- Term: a definition repeated to make a very large note\n" * 10_000
        while huge.tell() < 50 * 1024 * 1024:
            huge.write(chunk)
    (root / "loop").symlink_to(root, target_is_directory=True)
    unreadable = root / "unreadable.md"
    unreadable.write_text("# Unreadable\n\n- Secret: a note nobody may read\n")
    unreadable.chmod(0)


@pytest.fixture(scope="module")
def hostile_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "vault"
    shutil.copytree(HOSTILE, root)
    _write_byte_cases(root)
    return root


def _snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    result = {}
    for path in sorted(folder.rglob("*")):  # rglob does not follow the symlinked loop
        if path.is_file() and not path.is_symlink() and os.access(path, os.R_OK):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            result[str(path.relative_to(folder))] = (digest, path.stat().st_mtime_ns)
    return result


@pytest.fixture(scope="module")
def hostile_build(
    hostile_vault: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[BuildReport, Path, dict, dict]:
    before = _snapshot(hostile_vault)
    output = tmp_path_factory.mktemp("out") / "hostile.apkg"
    cache = tmp_path_factory.mktemp("cache")
    # Every candidate card is packaged (the left-out ones suspended): each must be safe.
    settings = Settings(
        notes_dir=hostile_vault, output=output, deck_name="H", cache_dir=cache, keep_left_out=True
    )
    report = build(settings)
    return report, output, before, _snapshot(hostile_vault)


@pytest.fixture(scope="module")
def imported(
    hostile_build: tuple, tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[ImportedCard], Path]:
    _, output, _, _ = hostile_build
    with collection(tmp_path_factory.mktemp("anki") / "c.anki2") as col:
        import_package(col, output)
        result = assert_clean_deck(col)
        media_dir = Path(col.media.dir())
        return result, media_dir


def _warnings(report: BuildReport) -> list[str]:
    return [str(d) for d in report.diagnostics]


def _card(cards_: list[ImportedCard], needle: str) -> ImportedCard:
    matches = [c for c in cards_ if needle in c.text]
    assert matches, f"no card contains {needle!r}"
    return matches[0]


def test_build_survives_and_never_writes_into_the_vault(hostile_build: tuple) -> None:
    _, output, before, after = hostile_build
    assert output.is_file()
    assert after == before


@pytest.mark.parametrize(
    ("file", "line", "words"),
    [
        ("invalid-utf8.md", 3, "UTF-8"),
        ("binary.md", None, "binary"),
        ("huge.md", None, "limit"),
        ("yaml-list.md", None, "not key: value"),
        ("unterminated.md", None, ""),
        ("outside.md", None, "outside"),
        ("sub/duplicate-b.md", None, "duplicate-a.md"),
        ("obsidian-content.md", None, "nowhere.png"),
        ("loop", None, "loop"),
        ("very-deep.md", None, "nest"),
    ],
)
def test_each_broken_input_is_a_warning_naming_its_file(
    hostile_build: tuple, file: str, line: int | None, words: str
) -> None:
    report = hostile_build[0]
    prefix = f"{file}:{line}:" if line else f"{file}"
    matching = [w for w in _warnings(report) if w.startswith(prefix)]
    assert matching, f"no warning for {file}; got:\n" + "\n".join(_warnings(report))
    assert any(words.casefold() in w.casefold() for w in matching), matching


def test_anki_import_is_clean_with_media_present(imported: tuple) -> None:
    cards_, media_dir = imported
    referenced = {name for c in cards_ for f in c.fields.values() for name in _IMG_RE.findall(f)}
    assert referenced, "no card shows an image"
    for name in referenced:
        assert (media_dir / name).is_file(), f"{name} is referenced but not in the collection"
    for card in cards_:
        for value in card.fields.values():
            assert "<script" not in value.lower(), value


def test_same_file_name_in_two_folders_gives_two_images(imported: tuple) -> None:
    cards_, _ = imported
    first = _IMG_RE.findall(_card(cards_, "folder a").text)
    second = _IMG_RE.findall(_card(cards_, "folder b").text)
    assert len(first) == len(second) == 1 and first != second


def test_obsidian_content_renders_as_obsidian_shows_it(imported: tuple) -> None:
    cards_, _ = imported
    assert r"\(e^{i\pi} + 1 = 0\)" in _card(cards_, "Euler identity").text
    price = _card(cards_, "coffee costs").text
    assert "$5" in price and "$6" in price and r"\(" not in price
    assert "<code>echo $HOME $PATH</code>" in _card(cards_, "prints two variables").text
    assert "<mark>highlighted words</mark>" in _card(cards_, "Highlighted term").text
    comment = _card(cards_, "Comment").text
    assert "hidden remark" not in comment and "keeps going" in comment
    assert "^abc123" not in _card(cards_, "Block reference").text
    assert "[^1]" not in _card(cards_, "Footnoted").text
    assert 'width="200"' in _card(cards_, "Small diagram").text
    assert "<img" not in _card(cards_, "Missing figure").text
    assert any("Callout bodies" in c.text for c in cards_), "callout prose gave no card"
    assert not any("this is code" in c.text or "Inside:" in c.text for c in cards_)


def test_note_text_is_escaped_never_markup(imported: tuple) -> None:
    cards_, _ = imported
    script = _card(cards_, "inline")
    assert "&lt;script&gt;" in script.text and "<script" not in script.question
    # Anki's cloze syntax in a note ("{{c1::fake}}") is a cloze its author wrote: one
    # written card, kept as written; no automatic card takes it up as markup.
    (written,) = [c for c in cards_ if "c1::fake" in c.text]
    assert written.fields["Kind"] == "cloze" and written.fields["Phraser"] == "written"
    assert written.text.startswith("- Braces") and "[...]" in written.question
    vector = [c for c in cards_ if c.fields["Kind"] == "definition" and "container" in c.text]
    assert vector and "std::vector" in vector[0].answer.replace("&#58;", ":")


def test_odd_tags_become_valid_anki_tags_and_decks(imported: tuple) -> None:
    cards_, _ = imported
    card = _card(cards_, "Deck name")
    assert card.deck == "H::machine-learning"
    assert {"machine-learning", "lang::python", "🚀-rockets", "emoji::🎉"} <= set(card.tags)
    assert all(" " not in tag for c in cards_ for tag in c.tags)


def test_byte_level_cases_still_give_their_cards(imported: tuple) -> None:
    cards_, _ = imported
    assert "\r" not in _card(cards_, "Carriage return").text
    assert "\ufeff" not in _card(cards_, "Byte order mark").fields["Extra"]
    _card(cards_, "Short")  # the definition after a 1 MB line
    _card(cards_, "Depth")  # after 60 nested list levels
    assert not any("Secret" in c.text for c in cards_) or os.geteuid() == 0


def _collection_rows(apkg: Path, tmp: Path) -> tuple[list[tuple], dict]:
    with zipfile.ZipFile(apkg) as package:
        package.extract("collection.anki2", tmp)
    connection = sqlite3.connect(tmp / "collection.anki2")
    try:
        notes = connection.execute(
            "SELECT id, guid, mid, mod, tags, flds FROM notes ORDER BY id"
        ).fetchall()
        card_rows = connection.execute("SELECT nid, did, ord FROM cards ORDER BY id").fetchall()
        decks = json.loads(connection.execute("SELECT decks FROM col").fetchone()[0])
    finally:
        connection.close()
    return notes + card_rows, {k: v["name"] for k, v in decks.items()}


def test_two_builds_of_the_same_notes_are_identical(hostile_vault: Path, tmp_path: Path) -> None:
    outputs = []
    for run in ("one", "two"):
        output = tmp_path / run / "deck.apkg"
        build(Settings(notes_dir=hostile_vault, output=output, deck_name="H", use_cache=False))
        (tmp_path / run / "x").mkdir()
        outputs.append(_collection_rows(output, tmp_path / run / "x"))
    assert outputs[0] == outputs[1]


_KILLED_BUILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import genanki
    from clozeforge.config import Settings
    from clozeforge.builder import build

    def slow_write(self, file, timestamp=None):
        with open(file, "wb") as handle:
            handle.write(b"PK\\x03\\x04 half a package")
            handle.flush()
            print("writing", flush=True)
            time.sleep(60)

    genanki.Package.write_to_file = slow_write
    build(Settings(notes_dir=Path(sys.argv[1]), output=Path(sys.argv[2]), use_cache=False))
    """
)


def test_killed_build_leaves_previous_package_intact(seeds_copy: Path, tmp_path: Path) -> None:
    output = tmp_path / "seeds.apkg"
    build(Settings(notes_dir=seeds_copy, output=output, use_cache=False))
    before = output.read_bytes()
    process = subprocess.Popen(
        [sys.executable, "-c", _KILLED_BUILD, str(seeds_copy), str(output)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "writing"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert output.read_bytes() == before
    with collection(tmp_path / "c.anki2") as col:
        assert import_package(col, output).new > 0
    assert not [p for p in output.parent.iterdir() if p.suffix == ".apkg" and p != output]
    leftovers = [p for p in output.parent.iterdir() if p.name.startswith(".seeds.apkg.")]
    assert leftovers, "the killed build's temporary file should still be there"
    build(Settings(notes_dir=seeds_copy, output=output, use_cache=False))
    assert not [p for p in output.parent.iterdir() if p.name.startswith(".seeds.apkg.")]
