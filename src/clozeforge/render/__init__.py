"""Rendering: cloze text and Markdown of a card -> the HTML of its Anki fields
(``RenderedField``: the HTML, the media it shows, the warnings met on the way).

Anki finds deletions by scanning the field's raw HTML for ``{{c1::``, ``::`` and ``}}``,
so the one rule everything here serves is: the only deletion markup in the output is the
markup this module writes. Note text such as ``{{citekey}}`` or a literal ``{{c1::x}}``
is written ``{&#123;...``, and inside answers and hints ``::`` and ``}}`` are written
``:&#58;`` and ``}&#125;``; the browser shows the same characters, Anki sees no markup.

How a cloze text is rendered: each answer (and hint) is rendered on its own; the text
around the answers is rendered as one piece, with each deletion replaced by a private-use
placeholder, so Markdown that wraps a deletion (``**{{c1::term}}**``, ``$x = {{c1::2}}$``)
still works. Should the placeholders not come out exactly once each (one ended up inside
a link target, say), the text is rendered segment by segment instead.

What the Markdown becomes:

* everything from the note is HTML-escaped: ``<script>`` shows as text, raw HTML never
  passes (the card parser does not recognise it);
* ``$x$`` -> ``\\(x\\)`` and ``$$x$$`` -> ``\\[x\\]`` for Anki's MathJax, the content only
  HTML-escaped; a price such as ``$5-$10`` stays text (a ``$`` next to a digit on its
  outer side does not delimit math);
* inline code -> ``<code>``; a fenced code block -> ``<pre><code>``;
* ``==highlight==`` -> ``<mark>``; Obsidian ``%%comments%%``, block ids (`` ^abc123`` at
  the end of a line) and footnote references (``[^1]``, ``^[inline]``) are dropped;
* ``[[wikilinks]]`` show their alias, else their target (``Note > Heading`` with a
  heading); links to web addresses stay links, other links become their text;
* image embeds (``![[a.png]]``, ``![[a.png|200]]``, ``![[a.png|alt]]``, ``![alt](a.png)``,
  ``![alt|200](a%20b.png)``) -> ``<img src="PACKAGED-NAME">`` (see ``media``); a missing,
  remote or unsafe image shows its alt text or file name and gives a Diagnostic, so a
  card never has a broken image; embeds of anything else show their name as text.
"""

from .field import RenderedField, field_has_math, render_cloze, render_text
from .images import IMAGE_EXTENSIONS

__all__ = [
    "IMAGE_EXTENSIONS",
    "RenderedField",
    "field_has_math",
    "render_cloze",
    "render_text",
]
