"""notes.parse_note: one file's bytes -> Note; duplicate_note_diagnostics.

Most cases are fixture pairs in tests/fixtures/notes: ``NAME.md`` is the input and
``NAME.json`` the expected result (only the keys present are checked):
title, tags, note_id (default: the path), aliases, body_line, metadata, diagnostics
(``[line, words in the message]``, all of them, in order), lines (text -> the 1-based
file line of the first block containing it), body_has / body_lacks.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from clozeforge.markdown import pack, structure_parser, unpack
from clozeforge.model import Note
from clozeforge.notes import (
    duplicate_note_diagnostics,
    normalise_tag,
    parse_note,
    resolve_titles,
)
from clozeforge.vault import find_note_files, read_note
from conftest import SEEDS, no_hang

FIXTURES = Path(__file__).parent / "fixtures" / "notes"
CASES = sorted(path.stem for path in FIXTURES.glob("*.md"))


def parse_text(text: str, path: str = "note.md") -> Note:
    return parse_note(path, text.encode("utf-8"), 0)


def plain(value: Any) -> Any:
    """Frozen metadata -> JSON-shaped values, to compare with the fixture's JSON."""
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [plain(item) for item in value]
    return value


def file_line(note: Note, snippet: str) -> int | None:
    """1-based file line of the first block token whose text contains ``snippet``."""
    for token in note.tokens:
        if token.map is not None and snippet in token.content:
            return token.map[0] + note.body_line
    return None


@pytest.mark.parametrize("name", CASES)
def test_fixture(name: str) -> None:
    expected = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    path = f"{name}.md"
    note = parse_note(path, (FIXTURES / path).read_bytes(), 7)

    assert note.path == path
    assert note.title == expected["title"]
    assert note.note_id == expected.get("note_id", path)
    assert note.body_line == expected["body_line"]
    if "tags" in expected:
        assert list(note.tags) == expected["tags"]
    if "aliases" in expected:
        assert list(note.aliases) == expected["aliases"]
    if "metadata" in expected:
        assert plain(note.metadata) == expected["metadata"]
    got = [(d.path, d.line) for d in note.diagnostics]
    assert got == [(path, line) for line, _ in expected["diagnostics"]], note.diagnostics
    for diagnostic, (_, words) in zip(note.diagnostics, expected["diagnostics"], strict=True):
        assert words in diagnostic.message
    for snippet, line in expected.get("lines", {}).items():
        assert file_line(note, snippet) == line, snippet
    for text in expected.get("body_has", []):
        assert text in note.body
    for text in expected.get("body_lacks", []):
        assert text not in note.body


def test_seed_note() -> None:
    path = "100_Zettelkasten/20230412142013_transformers.md"
    data = (SEEDS / "20230412142013_transformers.md").read_bytes()
    note = parse_note(path, data, 1681300000)

    assert note.title == "Transformers"
    assert note.tags == ("natural-language-processing", "large-language-model")
    assert note.note_id == path
    assert dict(note.metadata) == {
        "creation date": "2023-04-12 14:20",
        "last updated": "2023-04-12 14:20",
    }
    # Line 1 is blank, 2-5 the frontmatter: the H1 is file line 6.
    assert note.body_line == 6
    assert note.body.startswith("# [[20230412142013_transformers]] - Transformers\n")
    assert file_line(note, "Transformers models have been introduced") == 10
    assert note.diagnostics == ()
    assert note.mtime == 1681300000
    assert len(note.content_hash) == 64


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("#Python", "python"),
        ("Machine Learning", "machine-learning"),
        ("  spaced \t out  ", "spaced-out"),
        ("Lang::Python", "lang/python"),
        ("/a//b/", "a/b"),
        ("a / b", "a/b"),
        ("##double", "double"),
        ("STRASSE", "strasse"),
        ("Straße", "strasse"),
        ("Cafe\u0301", "café"),  # decomposed é becomes the composed one
        ("📚-reading", "📚-reading"),
        ("1984", ""),
        ("2023/01", ""),
        ("y1984", "y1984"),
        ("#", ""),
        ("/", ""),
        ("", ""),
    ],
)
def test_normalise_tag(raw: str, normal: str) -> None:
    assert normalise_tag(raw) == normal


def test_tags_deduplicated_in_first_order() -> None:
    note = parse_text("---\ntags: [B, a]\n---\nTags: #A #c\n\nText #b #C #d\n")
    assert note.tags == ("b", "a", "c", "d")


@pytest.mark.parametrize(
    ("front", "tags"),
    [
        ("tags: one two, three", ("one", "two", "three")),
        ("tags: '#one #two'", ("one", "two")),
        ("tags: [[nested, list], flat]", ("nested", "list", "flat")),
        ("tags:\n  - a, b\n  - c d", ("a", "b", "c-d")),
        ("Tags: [Capital-Key]", ("capital-key",)),
        ("tags: 42", ()),
        ("tags: {not: a list}", ()),
        ("tags:", ()),
    ],
)
def test_frontmatter_tag_shapes(front: str, tags: tuple[str, ...]) -> None:
    assert parse_text(f"---\n{front}\n---\ntext\n").tags == tags


def test_bom_is_dropped() -> None:
    note = parse_note("bom.md", b"\xef\xbb\xbf---\nid: x1\n---\n# Title\n", 0)
    assert note.note_id == "x1"
    assert note.title == "Title"
    assert note.diagnostics == ()


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"])
def test_crlf_and_cr_line_ends(newline: bytes) -> None:
    data = newline.join([b"---", b"title: T", b"---", b"# Head", b"", b"Para #tag", b""])
    note = parse_note("crlf.md", data, 0)
    assert "\r" not in note.body
    assert note.body_line == 4
    assert file_line(note, "Para") == 6
    assert note.tags == ("tag",)
    assert note.metadata["title"] == "T"


def test_invalid_utf8_is_replaced_and_reported_with_its_line() -> None:
    data = b"# Title\n\nfine line\nbad \xff\xfe byte here\n\xc3 more\n"
    note = parse_note("bad.md", data, 0)
    assert [(d.line, "invalid UTF-8" in d.message) for d in note.diagnostics] == [(4, True)]
    assert "bad \ufffd\ufffd byte here" in note.body
    assert note.title == "Title"


def test_invalid_utf8_line_counts_crlf_once() -> None:
    note = parse_note("bad.md", b"a\r\nb\r\n\x80\r\n", 0)
    assert [d.line for d in note.diagnostics] == [3]


def test_utf16_with_bom_is_decoded() -> None:
    note = parse_note("u16.md", "# Titre été\n".encode("utf-16"), 0)
    assert note.title == "Titre été"


def test_content_hash_is_of_the_raw_bytes() -> None:
    first = parse_note("a.md", b"# A\r\n", 0)
    assert first.content_hash == parse_note("b.md", b"# A\r\n", 9).content_hash
    assert first.content_hash != parse_note("a.md", b"# A\n", 0).content_hash


def test_empty_file() -> None:
    note = parse_note("folder/Empty Note.md", b"", 0)
    assert note.title == "Empty Note"
    assert note.tokens == ()
    assert note.tags == ()
    assert note.body_line == 1
    assert note.diagnostics == ()


def test_metadata_is_read_only_and_note_pickles() -> None:
    note = parse_note(
        "p.md", b"---\nwhen: 2024-01-02\nnested: {a: [1, {b: 2}]}\n---\n# P\n\nText #t\n", 5
    )
    with pytest.raises(TypeError):
        note.metadata["when"] = "x"  # type: ignore[index]
    with pytest.raises(TypeError):
        note.metadata["nested"]["a"] = 1
    assert note.metadata["when"] == "2024-01-02"
    copy = pickle.loads(pickle.dumps(note))
    assert copy == note
    assert plain(copy.metadata) == {"when": "2024-01-02", "nested": {"a": [1, {"b": 2}]}}


def test_yaml_alias_bomb_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    with no_hang():
        note = parse_text("---\n" + "\n".join(lines) + "\n---\n# Bomb\n")
    assert note.metadata == {}
    assert ["too large" in d.message for d in note.diagnostics] == [True]
    pickle.dumps(note)


def test_deeply_nested_yaml_is_refused() -> None:
    note = parse_text("---\nkey: " + "[" * 200 + "]" * 200 + "\n---\ntext\n")
    assert note.metadata == {}
    assert len(note.diagnostics) == 1
    pickle.dumps(note)


def test_deep_flow_yaml_does_not_crash_the_process() -> None:
    # libyaml overflowed the C stack here: a segfault, not an exception. A subprocess,
    # so that a regression fails this test instead of killing the test run.
    code = (
        "from clozeforge.notes import parse_note\n"
        "n = parse_note('deep.md', b'---\\nk: ' + b'[' * 100000 + b'\\n---\\n# Deep\\n', 0)\n"
        "assert n.metadata == {} and n.title == 'Deep', n\n"
        "print(n.diagnostics[0])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "deep.md:1: frontmatter cannot be read" in done.stdout


def test_one_megabyte_line() -> None:
    line = "Words and more words #big-tag " + "lorem ipsum dolor sit amet " * 40_000
    with no_hang():
        note = parse_text(f"# Big\n\n{line}\n")
    assert note.tags == ("big-tag",)
    assert file_line(note, "Words and more") == 3


@pytest.mark.parametrize(
    "body",
    [
        "\n".join("  " * depth + "- item" for depth in range(500)),
        ">" * 5000 + " deep quote #deep",
        "*" * 20_000 + "x",
        "[" * 5_000 + "x",
        "\n".join("    " * depth + "1. item" for depth in range(300)),
    ],
    ids=["lists-500", "quotes-5000", "stars", "brackets", "ordered-300"],
)
def test_pathological_nesting_parses(body: str) -> None:
    note = parse_text(body)
    assert note.tokens
    assert not any("internal error" in d.message for d in note.diagnostics)
    pickle.dumps(note)


HOSTILE_LINES = {
    # Each once took minutes: work per tag or per backtick run grew with the line length.
    "distinct-tags": " ".join(f"#t{i}" for i in range(40_000)) + " \\#t1 &#35;x",
    "backtick-runs": "".join("`" * k + "a" for k in range(1, 600)) + " %%c%% <% x",
    "template-openers": "%% c %% " + "<%{%" * 100_000,
    "comment-openers": "a %% b " + "`%%" * 100_000,
    "hashes": "#" * 300_000 + " x" + " #" * 100_000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE_LINES))
def test_hostile_lines_parse_in_linear_time(name: str) -> None:
    with no_hang():
        note = parse_text(f"# Hostile\n\n{HOSTILE_LINES[name]}\n")
    assert not any("internal error" in d.message for d in note.diagnostics)


def test_escaped_hash_is_no_tag_unless_also_written_plainly() -> None:
    note = parse_text("A \\#escaped and &#35;entity, \\#both and #both.\n")
    assert note.tags == ("both",)


@pytest.mark.parametrize("extra_levels", [-1, 0, 30])
def test_nesting_past_the_parser_limit_is_reported(extra_levels: int) -> None:
    # markdown-it counts a list level as two (list, item) against its nesting limit.
    depth = structure_parser().options["maxNesting"] // 2 + extra_levels
    nested = "".join("  " * level + f"- level {level}\n" for level in range(depth))
    note = parse_text(f"# Deep\n\n{nested}\n- Depth: after the nesting\n")
    read = [token.content for token in note.tokens if token.type == "inline"]
    if extra_levels < 0:
        assert note.diagnostics == ()
        assert read[-1] == "Depth: after the nesting"
    else:
        # The first level not read is on file line 3 + the limit's depth.
        cut = 3 + structure_parser().options["maxNesting"] // 2 - 1
        assert [(d.line, "nested too deeply" in d.message) for d in note.diagnostics] == [
            (cut, True)
        ]
        assert f"level {cut - 4}" in read and f"level {cut - 3}" not in read


def test_template_placeholder_in_code_is_not_reported() -> None:
    note = parse_text("# Jinja\n\n```\n{% for x in y %}\n```\n\nUse `{% raw %}` here.\n")
    assert note.diagnostics == ()


def test_aliases_and_id_shapes() -> None:
    note = parse_text("---\nid: ' abc '\nalias: [One, 2, One]\naliases: Three\n---\n")
    assert note.note_id == "abc"
    assert note.aliases == ("Three", "One", "2")
    assert parse_text("---\nid: true\n---\n", "x.md").note_id == "x.md"
    assert parse_text("---\nid: 12\n---\n").note_id == "12"


@given(st.binary(max_size=400))
@settings(max_examples=150, deadline=None)
def test_never_raises_on_random_bytes(data: bytes) -> None:
    note = parse_note("random.md", data, 0)
    assert note.title
    assert not any("internal error" in d.message for d in note.diagnostics)


MARKDOWNISH = st.lists(
    st.sampled_from([*"ab #-:%`*_[]|^>\n\r{}<>$=!/\\", "---\n", "```\n", "%%", "[[x]]", "\t"]),
    max_size=150,
).map("".join)


@given(MARKDOWNISH)
@example("---\n---")  # ends on the closing delimiter: no body line of its own
@settings(max_examples=300, deadline=None)
def test_token_lines_stay_inside_the_file(text: str) -> None:
    note = parse_text(text)
    assert not any("internal error" in d.message for d in note.diagnostics)
    line_count = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    # Cleaning the body never adds or removes lines.
    assert note.body.count("\n") + note.body_line == line_count
    for token in note.tokens:
        if token.map is not None:
            assert 1 <= token.map[0] + note.body_line <= line_count
    for tag in note.tags:
        assert tag == normalise_tag(tag)
        assert tag and " " not in tag


def make_note(path: str, text: str) -> Note:
    return parse_text(text, path)


def test_duplicate_ids_and_titles_are_reported() -> None:
    notes = [
        make_note("a.md", "---\nid: same\n---\n# Alpha\n"),
        make_note("b.md", "---\nid: same\n---\n# Beta\n"),
        make_note("dir/c.md", "\n# alpha  \n"),
        make_note("d.md", "# Delta\n"),
    ]
    found = duplicate_note_diagnostics(notes)
    assert [(d.path, d.line) for d in found] == [("b.md", None), ("dir/c.md", 2)]
    assert "same id 'same'" in found[0].message and "a.md" in found[0].message
    assert "same title" in found[1].message and "a.md" in found[1].message
    assert duplicate_note_diagnostics(notes[2:]) == []


def test_a_heading_shared_by_many_notes_is_a_template_heading_not_a_title() -> None:
    notes = [
        make_note(f"2023010{i}120000_paper_{i}.md", "# Title of the paper\n") for i in range(5)
    ]
    notes.append(make_note("titled.md", "---\ntitle: Spectral clustering\n---\n# Notes\n"))
    notes += [make_note(f"n{i}.md", "# Notes\n") for i in range(3)]
    titles = [header.title for header in resolve_titles(notes)]
    assert titles == [
        *(f"Paper {i}" for i in range(5)),
        "Spectral clustering",
        "N0",
        "N1",
        "N2",
    ]
    assert duplicate_note_diagnostics(notes) == []


def test_a_title_two_notes_share_is_one_warning() -> None:
    notes = [make_note(f"n{i}.md", "# Same title\n") for i in range(2)]
    notes.append(make_note("other.md", "# Other\n"))
    (found,) = duplicate_note_diagnostics(notes)
    assert found.path == "n1.md"
    assert "'Same title' as n0.md" in found.message


def test_a_dataview_title_field_names_a_note_whose_h1_is_a_template_heading() -> None:
    body = "# Notes\n\n> [!METADATA]\n> **Title**:: Model-Based Gaussian Clustering\n"
    notes = [make_note(f"p{i}.md", body if i == 0 else "# Notes\n") for i in range(3)]
    assert resolve_titles(notes)[0].title == "Model-Based Gaussian Clustering"


def test_corpus(corpus: Path) -> None:
    """Every real note parses; only the four templates warn, each with a line number."""
    paths, walk_problems = find_note_files(corpus)
    assert walk_problems == []
    assert len(paths) == 207
    notes = []
    for path in paths:
        data, mtime, problems = read_note(corpus, path)
        assert problems == [] and data is not None
        notes.append(parse_note(path, data, mtime))
    warned = {note.path: note.diagnostics for note in notes if note.diagnostics}
    assert sorted(warned) == [
        "001_Templates/header_biblio.md",
        "001_Templates/header_posts.md",
        "001_Templates/header_reading.md",
        "001_Templates/header_zettel.md",
    ]
    for diagnostics in warned.values():
        assert all(d.line is not None for d in diagnostics)
    biblio = warned["001_Templates/header_biblio.md"]
    assert (biblio[0].line, "invalid YAML" in biblio[0].message) == (3, True)
    assert sum(1 for note in notes if note.tags) == 169
    transformers = next(n for n in notes if n.path.endswith("142013_transformers.md"))
    assert transformers.title == "Transformers"
    pickle.dumps(notes)


def _token_fields(tokens: Any) -> list[Any]:
    """Every field of every token (children included), with the type of each value."""
    return [
        (
            *((getattr(t, f), type(getattr(t, f))) for f in t.__slots__ if f != "children"),
            None if t.children is None else _token_fields(t.children),
        )
        for t in tokens
    ]


@pytest.mark.parametrize(
    "body",
    [
        "# T [[a#b|c]] ![[img.png]]\n\n==mark== $x$ $$y$$ [^1] ~~s~~ <b>h</b>\n\n[^1]: note\n",
        '| a | b |\n| - | - |\n| 1 | [l](http://x "t") |\n\n```py\ncode\n```\n',
        "1. one\n2. two\n   - ![alt *e*](i.png)\n\n> quote\n\n<div>\nblock\n</div>\n",
        "\n".join("  " * depth + "- item" for depth in range(300)),
    ],
)
def test_packed_tokens_come_back_equal(body: str) -> None:
    tokens = parse_text(body).tokens
    packed = pack(tokens)
    assert packed is not None
    assert _token_fields(unpack(packed)) == _token_fields(tokens)
    for name in CASES:
        note = parse_note(name + ".md", (FIXTURES / f"{name}.md").read_bytes(), 0)
        assert _token_fields(unpack(pack(note.tokens) or b"")) == (_token_fields(note.tokens))


def test_tokens_with_values_bytes_cannot_hold_are_not_packed() -> None:
    tokens = parse_text("[[a]]").tokens
    tokens[1].children[0].meta = {**tokens[1].children[0].meta, "odd": object()}  # type: ignore[index]
    assert pack(tokens) is None
