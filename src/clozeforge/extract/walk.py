"""A note's block tree -> the facts of every kind found in it, in document order.

Takes the ``Note`` and the vault's ``LinkIndex``; walks the blocks (paragraphs, lists,
quotes and callouts, headings, figures), hands each to the fact kinds that read it, and
gives the ``FoundFact`` values, the claim candidates, the note's terms and diagnostics.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Sequence

from ..links import LinkIndex
from ..markdown import WIKILINK
from ..model import Diagnostic, FactKind, Note
from ..render import IMAGE_EXTENSIONS
from .blocks import LIST_TYPES, SKIPPED_BLOCKS, Block
from .claims import claim_candidates
from .definitions import definition_fact, name_items_above, unfinished_definition
from .described import SECTION_NAMES
from .enumerations import enumeration_fact, is_glossary, lead_in
from .formulas import block_formula, paragraph_formulas
from .found import FoundFact
from .inline import Text, outside_embeds, resolve_inline
from .list_items import ListItem, ListItems
from .long_prose import prose_parts
from .reading import reading_of
from .sentences import ASIDE_RE, DOUBT_RE, LIST_LABEL_RE, TASK_RE, doubted, normal
from .steps import names_procedure, steps_fact
from .theorems import states_theorems, theorem_facts

SKIPPED_CALLOUTS = frozenset({"cite", "citation", "metadata", "link", "links"})
"""Callout types holding bibliography and metadata (Zotero templates), not prose."""

_CALLOUT_RE = re.compile(r"^\[!(?P<type>[^\]\s]+)\][+-]?")
_SEPARATOR_RE = re.compile(r"\s+[-\u2013\u2014:|]\s+")
_EMPHASIS_RE = re.compile(r"(\*\*|__|==)(.+?)\1")


def _heading_text(text: str) -> str:
    """A heading as the card's context line shows it: no emphasis markers, no colon."""
    if "**" in text or "__" in text or "==" in text:  # what each match opens on
        text = _EMPHASIS_RE.sub(r"\2", text)
    text = " ".join(text.split()).strip()
    return text.rstrip(":").strip()


def _is_image_name(target: str) -> bool:
    return posixpath.splitext(target.strip())[1].lower().lstrip(".") in IMAGE_EXTENSIONS


class NoteWalk:
    """One note's walk: collects facts and claim candidates in document order, and
    diagnostics. ``walk`` the note's blocks, then read the attributes below."""

    def __init__(self, note: Note, links: LinkIndex) -> None:
        self.note = note
        self.links = links
        self.title = links.title_of(note.path, note.title)
        """The title the cards show (a template H1 replaced, see ``LinkIndex.title_of``)."""
        self._normal_title = normal(self.title)
        """``title`` as keys compare: each heading is compared with it."""
        self.found: list[FoundFact] = []
        """Definitions, enumerations, steps, formulas and theorems."""
        self.claims: list[FoundFact] = []
        """Claim candidates, not yet scored (``claims.keep_claims``)."""
        self.diagnostics: list[Diagnostic] = []
        """The problems met on the way."""
        self.terms: list[str] = []
        """Terms this note defines or emphasises: answers its claims may blank."""
        self.headings: list[tuple[int, str]] = []
        """(level, text) of the headings above the current block."""
        self.heading_path: tuple[str, ...] = ()
        """The headings above the current block, outermost first, without the note's title
        (also as ``[[id]] - Title``, whose link shows the title again)."""
        self.glossary_lead: tuple[int, str] = (0, "")
        """(``id`` of a list, its lead-in or the label of the paragraph over it): it joins
        its items' headings."""
        self.lead_outer: tuple[str, ...] | None = None
        """While the items of that list are walked, the headings without its lead-in: a
        line Markdown glues to an item is prose after the list. None elsewhere."""
        self.sections: list[tuple[int, tuple[str, ...]]] = []
        """(0-based line, ``heading_path`` from it on) of each heading met, in order."""
        self.skip_lines: frozenset[int] = frozenset()
        """0-based body lines that hold cards the author wrote: a paragraph touching one
        gives no fact (``text_of`` is None for it)."""
        self._texts: dict[int, Text | None] = {}
        self._titled: dict[str, bool] = {}
        self._items = ListItems(note.body)
        self.reading = reading_of(note)
        """How to cite the paper the note reads, None for the note's own thinking: a paper
        note's prose paragraphs are its abstract and summary (its rhetoric), its list items
        the reader's own."""
        self.list_depth = 0
        """How many list items the current block is inside."""
        self.aside_level: int | None = None
        """The level of the heading over the current block that opens asides ("Questions",
        "External links": ``sentences.ASIDE_RE``); None outside such a section."""

    # helpers

    def diagnose(self, line: int, message: str) -> None:
        """Warn about the 0-based body line ``line``."""
        self.diagnostics.append(Diagnostic(self.note.path, line + self.note.body_line, message))

    def text_of(self, node: Block) -> Text | None:
        """Resolved text of a paragraph node (cached: a list may be looked at twice)."""
        if id(node) not in self._texts:
            text = self._texts[id(node)] = self._resolve_node(node)
            if text is not None:
                self.terms.extend(text.highlights)
        return self._texts[id(node)]

    def _resolve_node(self, node: Block) -> Text | None:
        inline = node.inline()
        if inline is None or node.token.map is None:
            return None
        if self.skip_lines and not self.skip_lines.isdisjoint(range(*node.token.map)):
            return None
        text, stray = resolve_inline(inline, node.token.map[0], self.links)
        for line in stray:
            self.diagnose(line, "stray ']]' after a wikilink; left out")
        for line, target in outside_embeds(inline, node.token.map[0], self.note.path):
            self.diagnose(line, f"embed {target!r} points outside the notes folder; not read")
        return text if text.text.strip() else None

    def item(self, node: Block) -> ListItem:
        """The list item ``node`` as extraction reads it (worked out once)."""
        return self._items.item(node, self.text_of)

    def heading(self, node: Block) -> None:
        """Enter the section ``node`` opens: it replaces the headings of its level and below."""
        level = int(node.token.tag[1:]) if node.token.tag[1:].isdigit() else 6
        text = self.text_of(node)
        shown = _heading_text(text.text) if text is not None else ""
        self.headings = [(lvl, t) for lvl, t in self.headings if lvl < level]
        if shown:
            self.headings.append((level, shown))
        if self.aside_level is not None and level <= self.aside_level:
            self.aside_level = None
        if self.aside_level is None and ASIDE_RE.fullmatch(shown):
            self.aside_level = level
        self.heading_path = tuple(
            heading for _, heading in self.headings if not self._names_title(heading)
        )
        if node.token.map:
            self.sections.append((node.token.map[0], self.heading_path))

    def _names_title(self, heading: str) -> bool:
        """Whether ``heading`` (or a part of it, "Title - part") is the note's title
        (worked out once: the headings above are looked at again under each heading)."""
        named = self._titled.get(heading)
        if named is None:
            parts = (heading, *_SEPARATOR_RE.split(heading, 1))
            named = self._titled[heading] = self._normal_title in {normal(p) for p in parts}
        return named

    # the kinds

    def definition(self, text: Text) -> bool:
        """Emit the definition ``text`` states; True when it is one."""
        found = definition_fact(text, self.heading_path)
        if found is None:
            return False
        self.found.append(found)
        self.terms.append(found.subject)
        return True

    def prose(self, text: Text) -> None:
        """Emit the theorems, then the claim candidates of ``text`` (a sentence stating a
        theorem is no claim as well)."""
        theorems = theorem_facts(text, self.heading_path)
        self.found.extend(theorems)
        if self.reading is not None and not self.list_depth:
            return  # a paper's abstract or summary: rhetoric no learner keeps
        stated = {fact.subject for fact in theorems}
        for part in prose_parts(text):  # a very long paragraph, in parts: linear
            # Only the note's first prose can describe what its title names.
            first = not (self.claims or self.found)
            for found in claim_candidates(part, self.heading_path, self.title if first else ""):
                if found.kind is FactKind.DEFINITION:  # what the heading above names
                    self.found.append(found)
                    self.terms.append(found.subject)
                elif found.subject not in stated:
                    self.claims.append(found)

    def formulas(self, text: Text) -> None:
        """Emit the named formulas written inside the paragraph ``text``."""
        context = (self.title, *self.heading_path)
        self.found.extend(paragraph_formulas(text, context, self.heading_path))

    def math_block(self, node: Block, previous: Block | None) -> None:
        """Emit the named formula of a math block, introduced by the paragraph ``previous``."""
        if node.token.map is None:
            return
        is_paragraph = previous is not None and previous.type == "paragraph"
        intro = self.text_of(previous) if previous is not None and is_paragraph else None
        found = block_formula(
            node.token.content,
            node.token.map[0],
            intro,
            (self.title, *self.heading_path),
            self.heading_path,
        )
        if found is not None:
            self.found.append(found)

    def enumeration(self, lead: Text, list_node: Block) -> bool:
        """Emit the steps or the enumeration ``lead`` introduces, when it is one; True when
        emitted or when the list was handled as definitions."""
        items = [self.item(c) for c in list_node.children if c.type == "list_item"]
        heads = [i.head for i in items]
        if states_theorems(heads):
            return False  # each item is a theorem of its own
        if is_glossary(heads):
            # "How to choose:" above "- Kernel: tricube kernel": the lead-in says what the
            # definitions are, so it joins their headings (the context line shows it).
            found_lead = lead_in(lead)
            if found_lead is not None:
                self.glossary_lead = (id(list_node), found_lead[0])
            return False
        if list_node.type == "ordered_list" and names_procedure(lead):
            # Steps, or (a step too long to recall) nothing: the items are read one by one.
            found = steps_fact(lead, heads, self.heading_path)
        else:
            found = enumeration_fact(lead, heads, self.heading_path)
        if found is None:
            return False
        self.found.append(found)
        for item in items:
            if item.lazy is not None:
                self.prose(item.lazy)
            self.walk(item.rest)
        return True

    # the blocks

    def paragraph(self, text: Text, following: Block | None) -> bool:
        """Prose, or the lead-in of the list ``following``; True when that list was used
        (also when the lead-in says it holds asides: "Questions:", "TODO:", "Links:")."""
        if ASIDE_RE.fullmatch(text.text.strip()):
            return following is not None and following.type in LIST_TYPES
        if not self._doubted(text, following):
            self.prose(text)
            self.formulas(text)
        if following is not None and following.type in LIST_TYPES:
            used = self.enumeration(text, following)
            label = LIST_LABEL_RE.match(text.text)
            if (
                not used
                and label
                and label.group("label").casefold() not in SECTION_NAMES
                and self.glossary_lead[0] != id(following)
            ):
                # "_E-step_: Compute ..." over "- Update the probabilities ...": the list's
                # items are steps of what the label names; it joins their headings.
                self.glossary_lead = (id(following), label.group("label").strip())
            return used
        return False

    def _doubted(self, text: Text, following: Block | None) -> bool:
        """Whether the author doubts the paragraph ``text``: a marker in it, or a list
        right after it opening on one ("- [ ] NOT CLEAR")."""
        if doubted(text.text):
            return True
        if following is None or following.type not in LIST_TYPES or not following.children:
            return False
        head = self.item(following.children[0]).head
        return head is not None and DOUBT_RE.search(head.text) is not None

    def list_item(self, node: Block) -> None:
        """A definition, else prose (perhaps the lead-in of the list it holds), then the
        item's other blocks."""
        self.list_depth += 1
        try:
            self._list_item(node)
        finally:
            self.list_depth -= 1

    def _list_item(self, node: Block) -> None:
        item = self.item(node)
        rest = item.rest
        head = item.head
        if head is not None and not TASK_RE.match(head.text) and not self.definition(head):
            following = rest[0] if rest else None
            if self.paragraph(head, following):
                rest = rest[1:]
            elif following is None and unfinished_definition(head.text):
                self.diagnose(
                    head.line, f"list item {head.text.strip()!r} has nothing after the colon"
                )
        if item.lazy is not None and not (head is not None and doubted(head.text)):
            # A line glued to the item by Markdown ("_M-step_: ..." after the E-step's
            # list) is not under the list's lead-in; one glued to "- [ ] review this" is
            # what the author doubts.
            path = self.heading_path
            if self.lead_outer is not None:
                self.heading_path = self.lead_outer
            self.prose(item.lazy)
            self.heading_path = path
        self.walk(rest)

    def blockquote(self, node: Block) -> None:
        """A quote or callout: its prose, unless the callout holds metadata."""
        children = node.children
        if children and children[0].type == "paragraph":
            text = self.text_of(children[0])
            callout = _CALLOUT_RE.match(text.text) if text else None
            if text is not None and callout:
                if callout.group("type").casefold() in SKIPPED_CALLOUTS:
                    return
                # The callout's first line is its type and title, not prose.
                newline = text.text.find("\n")
                text = text.slice(newline + 1) if newline >= 0 else None
                if text is not None and not text.text.strip():
                    text = None
            following = children[1] if len(children) > 1 else None
            if text is not None and self.paragraph(text, following):
                self.walk(children[2:])
            else:
                self.walk(children[1:])
            return
        self.walk(children)

    @staticmethod
    def figure(node: Block) -> str | None:
        """The Markdown of a paragraph made only of images (embeds or ``![alt](src)``)."""
        inline = node.inline()
        # An embed ("![[") and an image ("![alt](src)") open on "![": most paragraphs lack it.
        if inline is None or not inline.children or "![" not in inline.content:
            return None
        images = 0
        for child in inline.children:
            if child.type == WIKILINK and child.meta.get("embed"):
                if not _is_image_name(str(child.meta.get("target", ""))):
                    return None
                images += 1
            elif child.type == "image":
                images += 1
            elif child.type not in ("softbreak", "hardbreak") and child.content.strip():
                return None
        return inline.content.strip() if images else None

    def walk(self, nodes: Sequence[Block]) -> None:
        """Read ``nodes`` (siblings) in order, and what they contain."""
        index = 0
        # Facts found from the previous block: a figure right after them illustrates them.
        previous: tuple[int, int, int, int] | None = None
        while index < len(nodes):
            node = nodes[index]
            kind = node.type
            following = nodes[index + 1] if index + 1 < len(nodes) else None
            figure = self.figure(node) if kind == "paragraph" else None
            if figure is not None:
                if previous is not None:
                    found_from, found_to, claims_from, claims_to = previous
                    _add_figure(self.found, found_from, found_to, figure)
                    _add_figure(self.claims, claims_from, claims_to, figure)
                index += 1
                continue
            before = (len(self.found), len(self.claims))
            if self.aside_level is not None and kind != "heading":
                pass  # the author's questions, links and to-dos: no facts
            elif kind == "paragraph":
                text = self.text_of(node)
                if text is not None and self.paragraph(text, following):
                    index += 1
            elif kind in LIST_TYPES and self.glossary_lead[0] == id(node):
                outer, outer_lead = self.heading_path, self.lead_outer
                self.heading_path, self.lead_outer = (*outer, self.glossary_lead[1]), outer
                for child in node.children:
                    if child.type == "list_item":
                        self.list_item(child)
                self.heading_path, self.lead_outer = outer, outer_lead
                name_items_above(self.found, before[0])
            elif kind in LIST_TYPES:
                for child in node.children:
                    if child.type == "list_item":
                        self.list_item(child)
                name_items_above(self.found, before[0])
            elif kind == "blockquote":
                self.blockquote(node)
            elif kind == "heading":
                self.heading(node)
            elif kind == "math_block":
                self.math_block(node, nodes[index - 1] if index else None)
            elif kind not in SKIPPED_BLOCKS:
                # Unknown containers (plugins): look inside, they may hold prose.
                self.walk(node.children)
            previous = (before[0], len(self.found), before[1], len(self.claims))
            index += 1


def _add_figure(facts: list[FoundFact], start: int, end: int, figure: str) -> None:
    """Add ``figure`` to ``facts[start:end]``, in place in the list."""
    facts[start:end] = [
        dataclasses.replace(fact, figures=(*fact.figures, figure)) for fact in facts[start:end]
    ]
