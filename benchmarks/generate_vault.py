"""Generate a synthetic, seeded Zettelkasten / Obsidian vault for benchmarks.

The vault imitates the shape of real notes (two frontmatter styles, nested folders,
nested and inline tags, wikilinks of every form, definition bullets, enumerations,
math, code, callouts, figure embeds, a broken template) without reusing anyone's text:
every sentence is assembled from the word lists below by a small grammar.

Note sizes follow the reference vault (golovkine-notes, 207 real notes, measured in
bytes per file, quantiles by ``statistics.quantiles(method="inclusive")``): min 151, p10
425, p25 631, median 1081, p75 1788, p90 2719, p95 2984, max 4270, mean 1323 (log-mean
6.97, log-sd 0.69: roughly log-normal around 1.06 KB). By
folder: Zettelkasten notes (140, 68 %) median 823 B from 151 B to 3.3 KB, reading notes
(26, 13 %) 1.4-2.2 KB, reference notes and posts (36, 17 %) 0.2-4.3 KB. Each generated kind
draws its size from its own log-normal law fitted to those figures (``_SIZES``), in about
the same mix (68 % Zettelkasten, 14 % reading, 18 % topic notes). A generated vault of
10,000 notes (seed 0) measures: min 210, p10 362, p25 613, median 1156, p75 1745, p90
2205, p95 2665, max 4708, mean 1266. The fixed parts of a note (frontmatter, title, tags,
headings) keep the smallest generated notes a little above the smallest real ones, and
the longest topic notes may pass their aim by a few hundred bytes.

Output is byte-for-byte reproducible: the same ``n_notes`` and ``seed`` always give
the same files. Each note draws from its own ``random.Random`` seeded by a string
(Python hashes string seeds with SHA-512, so this does not depend on PYTHONHASHSEED).

Usage::

    python benchmarks/generate_vault.py DEST --notes 10000 --seed 0
"""

from __future__ import annotations

import argparse
import math
import random
import re
import struct
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DEFINITION_RE",
    "VaultStats",
    "edit_notes",
    "generate_vault",
    "main",
]

# --------------------------------------------------------------------------------------
# Vocabulary. Written for this generator; grouped by topic so a note stays on one theme.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Topic:
    """One theme of the vault: its tags, folder and nouns."""

    tag: str
    """Top-level tag, kebab-case (``machine-learning``)."""
    subtags: tuple[str, ...]
    """Second-level tags used as ``#tag/subtag``."""
    folder: str
    """Folder name under the topic notes directory."""
    terms: tuple[str, ...]
    """Lower-case noun phrases: the things notes define and talk about."""
    objects: tuple[str, ...]
    """Lower-case object phrases used after a verb."""


_TOPICS: tuple[_Topic, ...] = (
    _Topic(
        "machine-learning",
        ("transformers", "optimisation", "regularisation", "embeddings"),
        "machine_learning",
        (
            "gradient clipping",
            "attention head",
            "learning rate schedule",
            "weight decay",
            "dropout layer",
            "token embedding",
            "positional encoding",
            "residual connection",
            "layer normalisation",
            "warmup phase",
            "cross-entropy loss",
            "batch size",
            "encoder block",
            "decoder block",
            "beam search",
            "early stopping",
            "momentum term",
            "softmax temperature",
            "feature map",
            "validation split",
        ),
        (
            "the norm of the update",
            "the effective step size",
            "the attention weights",
            "the training loss",
            "the hidden representation",
            "the gradient noise",
            "the number of trainable parameters",
            "the generalisation gap",
            "the sequence length",
            "the output distribution",
        ),
    ),
    _Topic(
        "statistics",
        ("estimation", "testing", "bayesian", "regression"),
        "statistics",
        (
            "maximum likelihood estimator",
            "posterior mean",
            "credible interval",
            "prior distribution",
            "sufficient statistic",
            "likelihood ratio",
            "bootstrap sample",
            "confidence band",
            "shrinkage estimator",
            "design matrix",
            "residual variance",
            "mixed model",
            "random effect",
            "null hypothesis",
            "type one error",
            "empirical distribution",
            "kernel density estimate",
            "bandwidth selector",
            "score function",
            "information matrix",
        ),
        (
            "the variance of the estimator",
            "the bias of the fit",
            "the width of the interval",
            "the sampling distribution",
            "the tail probability",
            "the effective sample size",
            "the marginal likelihood",
            "the residual sum of squares",
            "the rejection region",
            "the number of observations",
        ),
    ),
    _Topic(
        "functional-data",
        ("smoothing", "fpca", "clustering", "registration"),
        "functional_data",
        (
            "basis expansion",
            "smoothing spline",
            "penalty matrix",
            "mean curve",
            "covariance operator",
            "eigenfunction",
            "principal component score",
            "sampling grid",
            "warping function",
            "landmark registration",
            "roughness penalty",
            "tensor product basis",
            "curve alignment",
            "functional mean",
            "mixture of curves",
            "local polynomial",
            "dense design",
            "sparse design",
            "measurement error",
            "reconstruction error",
        ),
        (
            "the smoothness of the curves",
            "the number of basis functions",
            "the explained variance",
            "the phase variation",
            "the amplitude variation",
            "the sampling points",
            "the covariance surface",
            "the observed trajectories",
            "the roughness of the estimate",
            "the leading eigenvalues",
        ),
    ),
    _Topic(
        "optimisation",
        ("convex", "stochastic", "constrained"),
        "optimisation",
        (
            "step size",
            "line search",
            "dual variable",
            "proximal operator",
            "convex hull",
            "subgradient",
            "trust region",
            "quasi-Newton update",
            "Lagrange multiplier",
            "feasible set",
            "descent direction",
            "stopping criterion",
            "conjugate direction",
            "barrier function",
            "objective function",
            "Hessian approximation",
            "coordinate descent",
            "duality gap",
        ),
        (
            "the objective value",
            "the distance to the optimum",
            "the curvature of the problem",
            "the rate of convergence",
            "the size of the feasible set",
            "the condition number",
            "the violation of the constraints",
            "the cost of each iteration",
        ),
    ),
    _Topic(
        "probability",
        ("measure", "processes", "inequalities"),
        "probability",
        (
            "random variable",
            "characteristic function",
            "martingale",
            "stopping time",
            "Markov chain",
            "stationary distribution",
            "moment generating function",
            "conditional expectation",
            "sigma algebra",
            "Brownian motion",
            "Poisson process",
            "tail bound",
            "coupling argument",
            "mixing time",
            "transition kernel",
            "law of large numbers",
        ),
        (
            "the expected value",
            "the probability of a large deviation",
            "the distribution of the sum",
            "the long-run behaviour",
            "the first moment",
            "the speed of mixing",
            "the waiting time",
            "the joint law",
        ),
    ),
    _Topic(
        "linear-algebra",
        ("decompositions", "spectral"),
        "linear_algebra",
        (
            "eigenvalue",
            "singular value decomposition",
            "orthogonal projection",
            "null space",
            "column space",
            "Gram matrix",
            "Cholesky factor",
            "condition number",
            "rank deficiency",
            "trace norm",
            "Kronecker product",
            "pseudo-inverse",
            "low-rank approximation",
            "orthonormal basis",
            "Householder reflection",
        ),
        (
            "the rank of the matrix",
            "the spectrum of the operator",
            "the numerical error",
            "the dimension of the subspace",
            "the angle between subspaces",
            "the largest singular value",
            "the storage cost",
        ),
    ),
    _Topic(
        "population-balance",
        ("aggregation", "breakage", "numerics"),
        "population_balance",
        (
            "number density",
            "aggregation kernel",
            "breakage rate",
            "nucleation term",
            "growth rate",
            "moment equation",
            "sectional method",
            "particle size distribution",
            "fixed pivot",
            "cell average",
            "coalescence frequency",
            "daughter distribution",
        ),
        (
            "the total mass",
            "the number of particles",
            "the mean particle size",
            "the width of the distribution",
            "the rate of aggregation",
            "the discretisation error",
            "the low-order moments",
        ),
    ),
    _Topic(
        "algebra",
        ("groups", "topology", "categories"),
        "algebra",
        (
            "group homomorphism",
            "equivalence class",
            "quotient space",
            "normal subgroup",
            "fundamental group",
            "open cover",
            "compact set",
            "continuous map",
            "homotopy",
            "isomorphism",
            "kernel of a map",
            "short exact sequence",
            "universal property",
            "free module",
        ),
        (
            "the structure of the group",
            "the image of the map",
            "the number of cosets",
            "the topology of the space",
            "the composition of morphisms",
            "the order of an element",
        ),
    ),
)

_VERBS: tuple[tuple[str, str], ...] = (
    ("bounds", "bound"),
    ("controls", "control"),
    ("reduces", "reduce"),
    ("increases", "increase"),
    ("approximates", "approximate"),
    ("determines", "determine"),
    ("stabilises", "stabilise"),
    ("summarises", "summarise"),
    ("constrains", "constrain"),
    ("smooths", "smooth"),
    ("estimates", "estimate"),
    ("encodes", "encode"),
    ("reweights", "reweight"),
    ("regularises", "regularise"),
    ("shapes", "shape"),
    ("limits", "limit"),
    ("characterises", "characterise"),
    ("propagates", "propagate"),
    ("balances", "balance"),
    ("captures", "capture"),
    ("distorts", "distort"),
    ("preserves", "preserve"),
)

_ADJECTIVES: tuple[str, ...] = (
    "simple",
    "linear",
    "local",
    "global",
    "sparse",
    "smooth",
    "robust",
    "iterative",
    "stochastic",
    "discrete",
    "continuous",
    "weighted",
    "adaptive",
    "conditional",
    "low-rank",
    "hierarchical",
    "penalised",
    "empirical",
    "nonparametric",
    "regularised",
    "symmetric",
    "multivariate",
)

_KINDS: tuple[str, ...] = (
    "procedure",
    "quantity",
    "model",
    "operator",
    "criterion",
    "method",
    "statistic",
    "transform",
    "representation",
    "algorithm",
    "estimator",
    "constraint",
    "heuristic",
    "decomposition",
)

_TAILS: tuple[str, ...] = (
    "in most practical settings",
    "for large samples",
    "when the data are noisy",
    "at each iteration",
    "without extra cost",
    "under mild assumptions",
    "for every observation",
    "during training",
    "on held-out data",
    "in the limit of many samples",
    "as the dimension grows",
    "in high dimension",
    "near the boundary",
    "for small batches",
    "after a few passes",
    "with high probability",
)

_ADVERBS: tuple[str, ...] = (
    "usually",
    "often",
    "rarely",
    "typically",
    "directly",
    "implicitly",
    "explicitly",
    "mostly",
)

_OPENERS: tuple[str, ...] = (
    "In practice",
    "As a consequence",
    "For this reason",
    "In contrast",
    "Intuitively",
    "More precisely",
    "In the simplest case",
    "Historically",
    "In most libraries",
    "By construction",
)

_SYLLABLES: tuple[str, ...] = (
    "ka", "lo", "mi", "ren", "sto", "vel", "dan", "ber", "tor", "ni",
    "sa", "gu", "fel", "mar", "os", "li", "ve", "run", "hal", "pe",
)  # fmt: skip
_SURNAME_ENDS: tuple[str, ...] = ("", "son", "ov", "er", "ini", "ez", "berg", "ard", "ski")

_DEF_LEADS: tuple[str, ...] = (
    "Some vocabulary:",
    "Key terms:",
    "Definitions:",
    "Useful notions:",
    "Main components:",
    "Notation and terms:",
    "Glossary:",
)

_ENUM_LEADS: tuple[str, ...] = (
    "Examples of {kind}:",
    "Models that rely on the {term}:",
    "Typical applications:",
    "The estimation can be done with:",
    "Common variants of the {term}:",
    "Steps of the procedure:",
    "Known limitations:",
    "Related ideas:",
    "Ways to choose the {term}:",
)

_CALLOUTS: tuple[str, ...] = ("note", "tip", "warning", "important", "question")

_FORMULAS: tuple[str, ...] = (
    r"\hat{@a} = \frac{1}{n}\sum_{i=1}^{n} @x_i",
    r"\|@a_{t+1} - @a_t\|_2 \leq @c",
    r"@a^\star = \arg\min_{@a} \; L(@a) + @c \|@a\|^2",
    r"\mathbb{E}[@x] = \int @x \, p(@x) \, d@x",
    r"@x(t) = \sum_{k=1}^{K} @a_k \phi_k(t)",
    r"\operatorname{Var}(\hat{@a}) = \frac{\sigma^2}{n}",
    r"P(|@x - \mu| > @c) \leq \frac{\sigma^2}{@c^2}",
    r"\mathrm{softmax}(@x)_i = \frac{e^{@x_i}}{\sum_j e^{@x_j}}",
    r"A = U \Sigma V^\top",
    r"\frac{\partial n(t, @x)}{\partial t} = -\frac{\partial G n}{\partial @x} + B(t, @x)",
)
_GREEK: tuple[str, ...] = (r"\theta", r"\beta", "w", "u", r"\alpha", "z")
_LATIN: tuple[str, ...] = ("x", "y", "v", "s")
_CONSTS: tuple[str, ...] = (r"\epsilon", r"\delta", r"\lambda", "c", r"\gamma")

_CODE_SNIPPETS: tuple[str, ...] = (
    "```python\nimport numpy as np\n\n"
    "def {fn}(x: np.ndarray, scale: float = {num}) -> np.ndarray:\n"
    '    """{doc}"""\n'
    "    centred = x - x.mean(axis=0)\n"
    "    return centred / (scale + centred.std(axis=0))\n```",
    "```python\nfor epoch in range({int}):\n"
    "    loss = {fn}(model, batch)\n"
    "    loss.backward()\n"
    "    optimiser.step()\n```",
    "```r\nfit <- {fn}(y ~ x, data = df, k = {int})\nsummary(fit)\n```",
    "```bash\npython train.py --lr {num} --epochs {int}\n```",
)

# Headings of the synthetic "reading note" template; referenced by [[stem#Heading]] links.
_READING_HEADINGS: tuple[str, ...] = (
    "Paper",
    "Why read it",
    "Problem",
    "Data",
    "Relation to other work",
    "Main contributions",
    "Notions",
    "Open questions",
)
_TOPIC_HEADINGS: tuple[str, ...] = ("Overview", "Definitions", "Examples", "Details", "Pitfalls")

#: Definition bullet in any of the four generated forms, at column 0. Group 1 is the
#: term, group 2 the definition. Shared with edit_notes.
DEFINITION_RE = re.compile(
    r"^[*-] (?:\*\*([^*\n]+)\*\*: |([A-Za-z][^:\n]*?): |([A-Za-z][^\n]*?) - |"
    r"([A-Za-z][^\n]*?) \u2014 )(.+)$",
    re.MULTILINE,
)

_SIZES: dict[str, tuple[float, float, int, int]] = {
    "zettel": (820.0, 0.5, 150, 3400),
    "reading": (1750.0, 0.15, 1350, 2300),
    "topic": (1600.0, 0.65, 950, 4000),
}
"""Per note kind: (median bytes, log-sd, min, max) of the size a note aims at; fitted to
the reference vault's folders (see the module docstring)."""


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VaultStats:
    """What generate_vault wrote, counted while generating (not re-parsed)."""

    notes: int
    """Markdown files written, templates included."""
    templates: int
    """Template files with invalid YAML frontmatter (a subset of ``notes``)."""
    definition_bullets: int
    """Bullets ``* Term: def``, ``- **Term**: def``, ``- Term - def`` or ``- Term — def``."""
    enumerations: int
    """Lead-in lines ending in ``:`` followed by 3-6 plain bullet items."""
    embeds: int
    """``![[...]]`` figure embeds."""
    wikilinks: int
    """``[[...]]`` links in note bodies, self-links in Zettelkasten titles excluded."""
    dangling_links: int
    """Wikilinks (part of ``wikilinks``) whose target note does not exist."""
    attachments: int
    """PNG files written under ``attachments/``."""
    total_bytes: int
    """Bytes of all Markdown files together (attachments excluded)."""


@dataclass(slots=True)
class _Counts:
    """Mutable tallies used while rendering."""

    definition_bullets: int = 0
    """See VaultStats."""
    enumerations: int = 0
    """See VaultStats."""
    embeds: int = 0
    """See VaultStats."""
    wikilinks: int = 0
    """See VaultStats."""
    dangling_links: int = 0
    """See VaultStats."""


@dataclass(frozen=True, slots=True)
class _Plan:
    """Identity of one note, decided before any note is rendered so links can point anywhere."""

    kind: str
    """``zettel``, ``reading``, ``topic`` or ``template``."""
    relpath: str
    """Path inside the vault, POSIX separators."""
    stem: str
    """File name without ``.md``: what wikilinks use."""
    title: str
    """Human title."""
    topic: int
    """Index into ``_TOPICS``."""
    headings: tuple[str, ...]
    """Headings the note will contain (targets for ``[[stem#Heading]]``)."""


# --------------------------------------------------------------------------------------
# Grammar
# --------------------------------------------------------------------------------------


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


class _Writer:
    """Sentence and block generator bound to one note's RNG and topic."""

    __slots__ = ("counts", "plans", "rng", "topic", "topic_index", "vault_size")

    def __init__(
        self, rng: random.Random, topic_index: int, plans: list[_Plan], counts: _Counts
    ) -> None:
        self.rng = rng
        self.topic_index = topic_index
        self.topic = _TOPICS[topic_index]
        self.plans = plans
        self.counts = counts
        self.vault_size = len(plans)

    # -- words ------------------------------------------------------------------------
    def term(self) -> str:
        rng = self.rng
        # Mostly on-topic, sometimes borrowing a neighbouring topic's vocabulary.
        topic = self.topic if rng.random() < 0.85 else rng.choice(_TOPICS)
        return rng.choice(topic.terms)

    def obj(self) -> str:
        return self.rng.choice(self.topic.objects)

    def subject(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.45:
            return "the " + self.term()
        if r < 0.7:
            adj = rng.choice(_ADJECTIVES)
            return f"{_article(adj)} {adj} {self.term()}"
        if r < 0.85:
            return "the " + rng.choice(_ADJECTIVES) + " " + rng.choice(_KINDS)
        return "each " + self.term()

    def tag(self) -> str:
        rng = self.rng
        topic = self.topic if rng.random() < 0.8 else rng.choice(_TOPICS)
        if rng.random() < 0.5:
            return topic.tag + "/" + rng.choice(topic.subtags)
        return topic.tag

    # -- links --------------------------------------------------------------------------
    def link(self) -> str:
        """A wikilink to another note (or a dangling one), in one of the three forms."""
        rng = self.rng
        self.counts.wikilinks += 1
        if rng.random() < 0.06 or self.vault_size < 2:
            self.counts.dangling_links += 1
            ts = _timestamp(rng.randrange(4 * 336 * 1440))[0]
            return f"[[{ts}_{_slug(self.term())}]]"
        target = self.plans[rng.randrange(self.vault_size)]
        r = rng.random()
        if r < 0.2 and target.headings:
            return f"[[{target.stem}#{rng.choice(target.headings)}]]"
        if r < 0.4:
            return f"[[{target.stem}|{target.title.lower()}]]"
        return f"[[{target.stem}]]"

    # -- sentences -----------------------------------------------------------------
    def sentence(self) -> str:
        """One declarative sentence of 5 to 35 words, ending with a period."""
        rng = self.rng
        r = rng.random()
        verb, base = rng.choice(_VERBS)
        if r < 0.18:
            text = f"{_cap(self.subject())} {verb} {self.obj()}."
        elif r < 0.33:
            text = f"{_cap(self.subject())} {verb} {self.obj()} {rng.choice(_TAILS)}."
        elif r < 0.45:
            opener, adverb = rng.choice(_OPENERS), rng.choice(_ADVERBS)
            text = f"{opener}, {self.subject()} {adverb} {verb} {self.obj()}."
        elif r < 0.55:
            verb2, _ = rng.choice(_VERBS)
            text = (
                f"When {self.subject()} {verb} {self.obj()}, {self.subject()} {verb2} "
                f"{self.obj()} {rng.choice(_TAILS)}."
            )
        elif r < 0.64:
            verb2, _ = rng.choice(_VERBS)
            text = (
                f"{_cap(self.subject())} {verb} {self.obj()}, whereas {self.subject()} "
                f"{verb2} {self.obj()}."
            )
        elif r < 0.71:
            text = f"{_cap(self.subject())} is a special case of the {self.term()}."
        elif r < 0.77:
            text = f"This explains why {self.subject()} does not {base} {self.obj()}."
        elif r < 0.83:
            text = (
                f"{_cap(self.subject())} {verb} {self.obj()} {rng.choice(_TAILS)}, "
                f"which is why the {self.term()} matters ({self.link()})."
            )
        elif r < 0.89:
            text = f"The {self.term()} depends on {self.obj()}."
        elif r < 0.94:
            text = f"See {self.link()} for how the {self.term()} {verb} {self.obj()}."
        else:
            text = f"{_cap(self.term())} is {rng.choice(_ADVERBS)} {rng.choice(_ADJECTIVES)}."
        if rng.random() < 0.04:
            text = text[:-1] + f" #{self.tag()}."
        return text

    def paragraph(self, lo: int = 4, hi: int = 10) -> str:
        """A prose paragraph; sometimes with inline math."""
        rng = self.rng
        n = rng.randint(lo, hi)
        math_at = rng.randrange(n) if rng.random() < 0.15 else -1
        return " ".join(
            f"We write ${self.formula()}$ for {self.obj()}." if i == math_at else self.sentence()
            for i in range(n)
        )

    def formula(self) -> str:
        rng = self.rng
        f = rng.choice(_FORMULAS)
        return (
            f.replace("@a", rng.choice(_GREEK))
            .replace("@x", rng.choice(_LATIN))
            .replace("@c", rng.choice(_CONSTS))
        )

    def definition(self) -> str:
        """The right-hand side of a definition bullet (no colon, no spaced dash)."""
        rng = self.rng
        verb, _ = rng.choice(_VERBS)
        r = rng.random()
        if r < 0.5:
            adj = rng.choice(_ADJECTIVES)
            return f"{_article(adj)} {adj} {rng.choice(_KINDS)} that {verb} {self.obj()}"
        if r < 0.75:
            return f"the part of the {self.term()} that {verb} {self.obj()} {rng.choice(_TAILS)}"
        return f"{rng.choice(_KINDS)} used to {rng.choice(_VERBS)[1]} {self.obj()}"

    # -- blocks ---------------------------------------------------------------------------
    def definitions_block(self) -> str:
        rng = self.rng
        n = rng.randint(2, 5)
        self.counts.definition_bullets += n
        seen: set[str] = set()
        lines = [rng.choice(_DEF_LEADS)]
        style = rng.randrange(4)  # a note usually sticks to one bullet style...
        for _ in range(n):
            term = self.term()
            while term in seen:
                term = term + " " + rng.choice(_KINDS)
            seen.add(term)
            term = _cap(term)
            if rng.random() < 0.15:  # ...but not always
                style = rng.randrange(4)
            d = self.definition()
            if rng.random() < 0.2:
                d += f" ({self.link()})"
            if style == 0:
                lines.append(f"* {term}: {d}")
            elif style == 1:
                lines.append(f"- **{term}**: {d}")
            elif style == 2:
                lines.append(f"- {term} - {d}")
            else:
                lines.append(f"- {term} \u2014 {d}")
        return "\n".join(lines)

    def enumeration_block(self) -> str:
        rng = self.rng
        self.counts.enumerations += 1
        lead = rng.choice(_ENUM_LEADS).format(kind=_plural(rng.choice(_KINDS)), term=self.term())
        marker = rng.choice("*-")
        items = []
        for _ in range(rng.randint(3, 6)):
            r = rng.random()
            if r < 0.3:
                item = f"{_cap(rng.choice(_ADJECTIVES))} {self.term()}"
            elif r < 0.55:
                adj = rng.choice(_ADJECTIVES)
                item = f"{_cap(self.term())} with {_article(adj)} {adj} {rng.choice(_KINDS)}"
            elif r < 0.75:
                item = f"{_cap(self.term())} ({self.link()})"
            else:
                verb, _ = rng.choice(_VERBS)
                item = f"{_cap(self.subject())} {verb} {self.obj()}"
            items.append(f"{marker} {item}")
        return lead + "\n" + "\n".join(items)

    def math_block(self) -> str:
        rng = self.rng
        return (
            f"{_cap(self.subject())} is given by\n\n$${self.formula()}$$\n\n"
            f"where the left-hand side {rng.choice(_VERBS)[0]} {self.obj()}."
        )

    def code_block(self) -> str:
        rng = self.rng
        fn = rng.choice(("fit", "smooth", "project", "step", "estimate", "normalise"))
        fn += "_" + rng.choice(self.topic.terms).split()[0].lower().replace("-", "_")
        return rng.choice(_CODE_SNIPPETS).format(
            fn=fn,
            num=rng.choice(("0.1", "1e-3", "0.5", "2.0", "3e-4")),
            int=rng.randint(2, 500),
            doc=_cap(self.definition()) + ".",
        )

    def callout_block(self) -> str:
        rng = self.rng
        kind = rng.choice(_CALLOUTS)
        body = [self.sentence() for _ in range(rng.randint(1, 3))]
        return f"> [!{kind}] {_cap(self.term())}\n" + "\n".join("> " + s for s in body)

    def embed_block(self, n_figures: int) -> str:
        rng = self.rng
        self.counts.embeds += 1
        # Half the figure numbers have a PNG on disk; the rest are dangling embeds.
        fig = rng.randint(1, 2 * n_figures)
        size = rng.choice(("|200", "|200", "|300", ""))
        caption = self.sentence()
        return f"![[figure_{fig}.png{size}]]\n{caption}"

    def body_blocks(self, budget: int, n_figures: int, headings: tuple[str, ...] = ()) -> str:
        """Blocks of mixed content totalling roughly ``budget`` characters."""
        rng = self.rng
        parts: list[str] = []
        size = 0
        heading_iter = iter(headings)
        prev_prose = False
        retries = 0
        counts = self.counts
        while size < budget:
            # Blocks count themselves as they are built; a block dropped for overflowing
            # the budget must not stay counted.
            saved = (
                counts.definition_bullets,
                counts.enumerations,
                counts.embeds,
                counts.wikilinks,
                counts.dangling_links,
            )
            r = rng.random()
            if r < 0.42:
                block = self.paragraph(2, 7)
            elif r < 0.6:
                block = self.definitions_block()
            elif r < 0.74:
                block = self.enumeration_block()
            elif r < 0.8:
                block = self.math_block()
            elif r < 0.85:
                block = self.code_block()
            elif r < 0.9:
                block = self.callout_block()
            elif r < 0.95:
                block = self.embed_block(n_figures)
            else:
                block = self.paragraph(1, 3)
            if size + len(block) > budget + 200:
                (
                    counts.definition_bullets,
                    counts.enumerations,
                    counts.embeds,
                    counts.wikilinks,
                    counts.dangling_links,
                ) = saved
                # Retry with another (likely shorter) block rather than stop far below
                # the budget; give up after a few tries.
                retries += 1
                if retries > 6:
                    break
                continue
            if headings and rng.random() < 0.35:
                heading = next(heading_iter, None)
                if heading is not None:
                    block = f"## {heading}\n\n{block}"
            # Real notes sometimes start a list or a paragraph on the line right after a
            # paragraph. Never after a callout: the line would continue the quote.
            glue = prev_prose and block[0].isupper() and rng.random() < 0.1
            sep = "\n" if glue else "\n\n"
            prev_prose = r < 0.42 or r >= 0.95
            parts.append(sep if parts else "")
            parts.append(block)
            size += len(block) + len(sep)
        if not parts:
            # Nothing fitted a small budget: one or two sentences still make a body.
            parts.append(self.paragraph(1, 2))
        # Every planned heading must exist: other notes link to it with [[stem#Heading]].
        for heading in heading_iter:
            parts.append(f"\n\n## {heading}\n\n{self.paragraph(1, 3)}")
        return "".join(parts)


# --------------------------------------------------------------------------------------
# Notes
# --------------------------------------------------------------------------------------


def _surname(rng: random.Random) -> str:
    return _cap(
        "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
        + rng.choice(_SURNAME_ENDS)
    )


def _title(rng: random.Random, topic: _Topic) -> str:
    r = rng.random()
    term = rng.choice(topic.terms)
    if r < 0.4:
        return _cap(term)
    if r < 0.6:
        return _cap(rng.choice(_ADJECTIVES)) + " " + term
    if r < 0.8:
        return f"{_cap(term)} for {rng.choice(topic.terms)}"
    return f"{_cap(term)} and {rng.choice(topic.terms)}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _timestamp(minutes: int) -> tuple[str, str]:
    """(stem prefix ``YYYYMMDDHHMMSS``, display ``YYYY-MM-DD HH:MM``) for minutes after 2021-01-01.

    Calendar arithmetic by hand with 28-day months keeps dates valid and fast without datetime.
    """
    day, minute = divmod(minutes, 1440)
    year, day = divmod(day, 336)
    month, day = divmod(day, 28)
    y, mo, d, h, mi = 2021 + year, month + 1, day + 1, minute // 60, minute % 60
    return (
        f"{y:04d}{mo:02d}{d:02d}{h:02d}{mi:02d}{(minutes * 7) % 60:02d}",
        f"{y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}",
    )


def _make_plans(n_notes: int, seed: int) -> list[_Plan]:
    rng = random.Random(f"clozeforge-vault/{seed}/plan")
    plans: list[_Plan] = []
    used: set[str] = set()
    # Templates are rare in real vaults: one per thousand notes, and none in vaults too
    # small for a stray unparseable file to be realistic.
    first_template = min(499, n_notes // 2)
    template_at = set(range(first_template, n_notes, 1000)) if n_notes >= 50 else set()
    minutes = rng.randrange(60 * 24 * 300)
    n_templates = 0
    for i in range(n_notes):
        topic_index = rng.randrange(len(_TOPICS))
        topic = _TOPICS[topic_index]
        minutes += rng.randint(1, 300)  # strictly increasing: Zettelkasten ids stay unique
        title = _title(rng, topic)
        if i in template_at:
            stem = f"template_{('zettel', 'reading', 'literature')[n_templates % 3]}_{n_templates}"
            n_templates += 1
            plans.append(_Plan("template", f"001_Templates/{stem}.md", stem, stem, topic_index, ()))
            continue
        r = rng.random()
        if r < 0.68:  # shares of the reference vault: 68 % Zettelkasten
            stem = f"{_timestamp(minutes)[0]}_{_slug(title)}"
            folder = "100_Zettelkasten"
            if rng.random() < 0.3:
                folder += "/" + topic.folder
            plans.append(_Plan("zettel", f"{folder}/{stem}.md", stem, title, topic_index, ()))
        elif r < 0.82:  # 14 % reading notes, 18 % longer topic notes
            words = "".join(_cap(w) for w in re.findall(r"[a-zA-Z]+", title)[:3])
            citekey = f"{_surname(rng).lower()}{words}{2000 + rng.randrange(25)}"
            while citekey in used:
                citekey += rng.choice("abcdefgh")
            used.add(citekey)
            stem = f"note_{citekey}"
            heads = _READING_HEADINGS[:-1]  # "Open questions" is optional
            plans.append(_Plan("reading", f"220_Notes/{stem}.md", stem, title, topic_index, heads))
        else:
            stem = _slug(title)
            sub = rng.choice(topic.subtags)
            while stem in used:
                stem += "_" + rng.choice(_KINDS)
            used.add(stem)
            relpath = f"300_Topics/{topic.folder}/{sub}/{stem}.md"
            plans.append(_Plan("topic", relpath, stem, title, topic_index, _TOPIC_HEADINGS))
    return plans


def _note_rng(seed: int, plan: _Plan) -> random.Random:
    return random.Random(f"clozeforge-vault/{seed}/{plan.relpath}")


def _target_size(rng: random.Random, kind: str) -> int:
    """Bytes a note of ``kind`` aims at: log-normal, clamped to what real notes weigh."""
    median, sigma, low, high = _SIZES[kind]
    return max(low, min(high, int(rng.lognormvariate(math.log(median), sigma))))


def _lead_paragraph(w: _Writer, budget: int) -> str:
    """The prose that opens a note, no longer than ``budget`` allows (one sentence at least)."""
    most = max(1, min(10, budget // 110))
    return w.paragraph(max(1, most // 2), most)


def _render_zettel(w: _Writer, plan: _Plan, index: int, n_figures: int) -> str:
    rng = w.rng
    created = (
        f"{plan.stem[0:4]}-{plan.stem[4:6]}-{plan.stem[6:8]} {plan.stem[8:10]}:{plan.stem[10:12]}"
    )
    updated_day = min(28, int(plan.stem[6:8]) + rng.randint(0, 20))
    hour, minute = rng.randint(8, 19), rng.randint(0, 59)
    updated = f"{plan.stem[0:4]}-{plan.stem[4:6]}-{updated_day:02d} {hour:02d}:{minute:02d}"
    tags = " ".join(f"#{w.tag()}" for _ in range(rng.randint(1, 3)))
    lead = "\n" if rng.random() < 0.08 else ""
    target = _target_size(rng, "zettel")
    refs = ""
    if rng.random() < 0.5 and target > 700:
        n_refs = rng.randint(1, 2)
        # Literature notes are not part of the vault: these links always dangle.
        w.counts.wikilinks += n_refs
        w.counts.dangling_links += n_refs
        refs = "\n".join(
            f"[[@{_surname(rng).lower()}{_cap(w.term().split()[0])}{2000 + rng.randrange(25)}]]"
            f" - {_surname(rng)} and {_surname(rng)} - _{_cap(w.term())}_"
            for _ in range(n_refs)
        )
    head = (
        f"{lead}---\ncreation date: {created}\nlast updated: {updated}\n---\n"
        f"# [[{plan.stem}]] - {plan.title}\n\n__Tags__: {tags}\n\n---\n__Contents__: "
    )
    tail = f"\n\n__References__:\n{refs}\n"
    budget = target - len(head) - len(tail)
    contents = _lead_paragraph(w, budget)
    if budget - len(contents) > 250:
        contents += "\n\n" + w.body_blocks(budget - len(contents) - 2, n_figures)
    return head + contents + tail


def _yaml_tags(w: _Writer) -> str:
    rng = w.rng
    tags = list(dict.fromkeys(w.tag() for _ in range(rng.randint(1, 4))))
    if rng.random() < 0.25:
        return "tags: [" + ", ".join(tags) + "]\n"
    return "tags:\n" + "".join(f"  - {t}\n" for t in tags)


def _render_reading(w: _Writer, plan: _Plan, n_figures: int) -> str:
    rng = w.rng
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2021, 2025)
    stars = "\u2b50\ufe0f"
    front = (
        f"---\nid: {plan.stem}\naliases:\n  - {plan.title}\n{_yaml_tags(w)}"
        f"category: readingnote\nstatus: {rng.choice(('read', 'unread', 'skimmed'))}\n"
        f"first pass: {day:02d}/{month:02d}/{year}\nclarity: {stars * rng.randint(1, 5)}\n"
        f"reimplemented: {rng.choice(('true', 'false'))}\n---\n"
    )
    lead = "\n" if rng.random() < 0.05 else ""
    budget = _target_size(rng, "reading")
    sections = [
        f"# Paper\n\n{plan.title} ({_surname(rng)} et al.)",
        f"# Why read it\n\n{w.sentence()}",
        f"# Problem\n\n{w.paragraph(1, 2)}",
        f"# Data\n\n{_cap(w.obj())} {rng.choice(_TAILS)}.",
        f"# Relation to other work\n\n{w.sentence()} {w.link()}",
        "# Main contributions\n\n"
        + "\n".join(f"- {w.sentence()}" for _ in range(rng.randint(1, 3))),
    ]
    questions = f"# Open questions\n\n{w.paragraph(1, 2)}" if rng.random() < 0.5 else ""
    size = len(front) + sum(map(len, sections)) + len(questions)
    sections.append("# Notions\n\n" + w.body_blocks(max(150, budget - size - 30), n_figures))
    if questions:
        sections.append(questions)
    return lead + front + "\n\n".join(sections) + "\n"


def _render_topic(w: _Writer, plan: _Plan, n_figures: int) -> str:
    rng = w.rng
    front = (
        f"---\nid: {plan.stem}\naliases:\n  - {plan.title.lower()}\n"
        f"  - {_cap(w.term())}\n{_yaml_tags(w)}"
        f"created: {rng.randint(2021, 2025)}-{rng.randint(1, 12):02d}-"
        f"{rng.randint(1, 28):02d}\n---\n"
    )
    lead = "\n" if rng.random() < 0.05 else ""
    # Leave room for the headings body_blocks may have to append at the end.
    target = _target_size(rng, "topic")
    head = f"{lead}{front}# {plan.title}\n\n## Overview\n\n"
    overview = _lead_paragraph(w, (target - len(head)) // 3)
    # Leave room for the headings body_blocks may have to append at the end.
    budget = target - len(head) - len(overview) - 400
    body = w.body_blocks(max(150, budget), n_figures, _TOPIC_HEADINGS[1:])
    return f"{head}{overview}\n\n{body}\n"


def _render_template(plan: _Plan) -> str:
    # Templater / Zotero placeholders: the frontmatter is not valid YAML on purpose
    # (``key: value: more`` and an unclosed flow sequence).
    return (
        '---\ncategory: <% tp.system.prompt("Category: ") %>\n'
        "tags: [<% tp.file.tags %>\n"
        'creation date: <% tp.date.now("YYYY-MM-DD HH:mm") %>\n---\n'
        "# <% tp.file.title %>\n\n"
        "__Tags__: \n\n---\n__Contents__: \n\n__References__:\n\n"
        '<% tp.file.rename(tp.date.now("YYYYMMDDHHmmss")) %>\n'
    )


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid truecolour PNG filled with one colour.

    Deflate level 0 (stored blocks) keeps the bytes identical across zlib versions.
    """

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height, 0))
        + chunk(b"IEND", b"")
    )


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


def generate_vault(dest: Path, n_notes: int, *, seed: int = 0) -> VaultStats:
    """Write ``n_notes`` synthetic Markdown notes (and a few PNGs) under ``dest``.

    ``dest`` must be missing or empty so that the result depends only on the arguments.
    Raises ValueError for a negative count and FileExistsError for a non-empty ``dest``.
    """
    if n_notes < 0:
        raise ValueError(f"n_notes must be >= 0, got {n_notes}")
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty; refusing to mix a generated vault into it")
    dest.mkdir(parents=True, exist_ok=True)

    plans = _make_plans(n_notes, seed)
    n_figures = max(1, min(40, math.ceil(n_notes / 50)))
    counts = _Counts()
    total = 0
    templates = 0
    made_dirs: set[Path] = set()
    for index, plan in enumerate(plans):
        path = dest / plan.relpath
        if path.parent not in made_dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(path.parent)
        if plan.kind == "template":
            text = _render_template(plan)
            templates += 1
        else:
            w = _Writer(_note_rng(seed, plan), plan.topic, plans, counts)
            if plan.kind == "zettel":
                text = _render_zettel(w, plan, index, n_figures)
            elif plan.kind == "reading":
                text = _render_reading(w, plan, n_figures)
            else:
                text = _render_topic(w, plan, n_figures)
        data = text.encode("utf-8")
        path.write_bytes(data)
        total += len(data)

    attachments = dest / "attachments"
    attachments.mkdir(exist_ok=True)
    png_rng = random.Random(f"clozeforge-vault/{seed}/png")
    for fig in range(1, n_figures + 1):
        colour = (png_rng.randrange(256), png_rng.randrange(256), png_rng.randrange(256))
        size = png_rng.randint(4, 16)
        (attachments / f"figure_{fig}.png").write_bytes(_png(size, size, colour))

    return VaultStats(
        notes=len(plans),
        templates=templates,
        definition_bullets=counts.definition_bullets,
        enumerations=counts.enumerations,
        embeds=counts.embeds,
        wikilinks=counts.wikilinks,
        dangling_links=counts.dangling_links,
        attachments=n_figures,
        total_bytes=total,
    )


def _is_template(relpath: str) -> bool:
    return relpath.startswith("001_Templates/")


def edit_notes(dest: Path, fraction: float, *, seed: int) -> list[str]:
    """Edit ``round(fraction * n)`` of the ``n`` non-template notes under ``dest``, in place.

    Each edited note gets one definition bullet reworded (when it has one) and one new
    sentence appended to its last prose line. The choice of notes and the new text depend
    only on ``seed`` and the files' paths. Returns the edited paths, relative to ``dest``
    with POSIX separators, sorted.
    """
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be within [0, 1], got {fraction}")
    dest = Path(dest)
    relpaths = sorted(
        rel for p in dest.rglob("*.md") if not _is_template(rel := p.relative_to(dest).as_posix())
    )
    k = round(fraction * len(relpaths))
    chosen = sorted(random.Random(f"clozeforge-edit/{seed}").sample(relpaths, k))
    plans = [_Plan("zettel", rel, Path(rel).stem, Path(rel).stem, 0, ()) for rel in relpaths]
    for rel in chosen:
        path = dest / rel
        text = path.read_text(encoding="utf-8")
        rng = random.Random(f"clozeforge-edit/{seed}/{rel}")
        # Keep the note's theme: pick the topic whose terms appear most in the text.
        topic = max(range(len(_TOPICS)), key=lambda t: sum(x in text for x in _TOPICS[t].terms))
        w = _Writer(rng, topic, plans, _Counts())
        text = _reword_definition(text, w)
        text = _append_sentence(text, w)
        path.write_bytes(text.encode("utf-8"))
    return chosen


def _reword_definition(text: str, w: _Writer) -> str:
    matches = list(DEFINITION_RE.finditer(text))
    if not matches:
        return text
    m = w.rng.choice(matches)
    new = w.definition()
    while new == m.group(5):
        new = w.definition()
    return text[: m.start(5)] + new + text[m.end(5) :]


_PROSE_LINE = re.compile(r"^(?:__Contents__: )?[A-Z][^\n]*\.$", re.MULTILINE)


def _append_sentence(text: str, w: _Writer) -> str:
    sentence = w.sentence()
    end = text.find("\n__References__:")
    head = text if end < 0 else text[:end]
    lines = list(_PROSE_LINE.finditer(head))
    if not lines:
        return text.rstrip("\n") + "\n\n" + sentence + "\n"
    last = lines[-1]
    return text[: last.end()] + " " + sentence + text[last.end() :]


def main(argv: list[str] | None = None) -> int:
    """CLI entry point: generate a vault and print its statistics and timing."""
    parser = argparse.ArgumentParser(description="Generate a synthetic, seeded notes vault.")
    parser.add_argument("dest", type=Path, help="folder to create (must be missing or empty)")
    parser.add_argument("--notes", type=int, default=1000, help="number of notes (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        stats = generate_vault(args.dest, args.notes, seed=args.seed)
    except (ValueError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - start
    for field in VaultStats.__dataclass_fields__:
        print(f"{field}: {getattr(stats, field)}")
    print(f"seconds: {elapsed:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
