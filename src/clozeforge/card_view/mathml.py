"""Math for a page without MathJax: a card's HTML -> the same with each ``\\(...\\)`` and
``\\[...\\]`` as MathML (``latex2mathml``), cleaned; a formula it cannot convert stays TeX.

Math. Anki typesets ``\\(...\\)`` and ``\\[...\\]`` with MathJax, a JavaScript library
the page would have to embed (megabytes) or fetch (not offline). Instead each formula is
converted to MathML when the page is written (``latex2mathml``, pure Python), which
browsers render natively; a formula it cannot convert stays as its TeX source.

Safety. Fields are HTML the build escaped; they go into the page as they are, never
unescaped. The one exception is a formula's TeX, which is unescaped to be converted: the
converter passes text through unescaped (``\\text{<b>}`` gives ``<mtext><b></mtext>``), so
its MathML is parsed again and written back keeping only MathML elements and harmless
attributes, every text escaped. Images are inlined (``page``) as ``data:`` URIs from the
package's media; the page's Content-Security-Policy allows no other source, so opening it
never makes a request.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

MATH_RE = re.compile(r"\\\((.*?)\\\)|\\\[(.*?)\\\]", re.DOTALL)
"""A formula as Anki's MathJax finds it: inline (group 1) or display (group 2)."""

_MATHML_ELEMENTS = frozenset(
    (
        *("math", "maction", "annotation", "menclose", "merror", "mfenced", "mfrac", "mi"),
        *("mmultiscripts", "mn", "mo", "mover", "mpadded", "mphantom", "mprescripts", "mroot"),
        *("mrow", "ms", "mspace", "msqrt", "mstyle", "msub", "msubsup", "msup", "mtable"),
        *("mtd", "mtext", "mtr", "munder", "munderover", "none", "semantics"),
    )
)
"""MathML elements the converter writes; anything else in its output is dropped."""
_MATHML_ATTRIBUTES = frozenset(
    (
        *("accent", "accentunder", "align", "class", "close", "columnalign", "columnlines"),
        *("columnspacing", "depth", "display", "displaystyle", "fence", "form", "frame"),
        *("height", "largeop", "linethickness", "lspace", "mathbackground", "mathcolor"),
        *("mathsize", "mathvariant", "maxsize", "minsize", "movablelimits", "notation", "open"),
        *("rowalign", "rowlines", "rowspacing", "rspace", "scriptlevel", "separator"),
        *("separators", "stretchy", "symmetric", "voffset", "width", "xmlns"),
    )
)
"""Presentation attributes kept (no ``href``, no event handlers, no ``style``)."""


class _MathMLCleaner(HTMLParser):
    """Writes MathML back with only MathML elements and plain attributes, text escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _MATHML_ELEMENTS:
            kept = "".join(
                f' {name}="{html.escape(value or "")}"'
                for name, value in attrs
                if name in _MATHML_ATTRIBUTES and "url(" not in (value or "").lower()
            )
            self.out.append(f"<{tag}{kept}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in _MATHML_ELEMENTS:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))


def tex_to_mathml(tex: str, *, display: bool) -> str | None:
    """MathML for ``tex`` (plain TeX, not HTML), safe to put into a page; None when the
    converter cannot read it."""
    from latex2mathml.converter import convert

    try:
        mathml = convert(tex, display="block" if display else "inline")
    except Exception:  # the converter raises many kinds of errors on TeX it cannot read
        return None
    cleaner = _MathMLCleaner()
    cleaner.feed(mathml)
    cleaner.close()
    return "".join(cleaner.out)


def typeset_math(card_html: str) -> tuple[str, int]:
    """``card_html`` with each ``\\(...\\)`` and ``\\[...\\]`` as MathML, as MathJax would
    typeset it in Anki: (HTML, formulas left as TeX because they could not be converted).
    A formula with HTML tags inside (an unmatched delimiter reaching into other markup) is
    left alone."""
    failures = 0

    def formula(match: re.Match[str]) -> str:
        nonlocal failures
        display = match[2] is not None
        source = match[2] if display else match[1]
        if "<" in source:
            return match[0]
        mathml = tex_to_mathml(html.unescape(source), display=display)
        if mathml is None:
            failures += 1
            return f'<code class="cf-tex">{match[0]}</code>'
        return mathml

    return MATH_RE.sub(formula, card_html), failures
