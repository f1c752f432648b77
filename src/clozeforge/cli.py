"""Command line: each command checks its options, calls one library function, prints.

Exit codes: 0 success (warnings allowed); 1 a user error (bad option, missing folder,
unwritable output, ``--strict`` with warnings) with a one-line message; 2 nothing to build
(no notes, or no note with a fact).
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from .config import Settings
from .config.places import check_outside_notes
from .errors import ClozeforgeError, NothingToBuildError, StrictModeError
from .phrasers import available_phrasers
from .summary import SHOWN_WARNINGS, notes_in_parentheses, print_report, shorten
from .written_options import NAMES as WRITTEN_OPTIONS
from .written_options import unset_empty, written_options

EXIT_USER_ERROR = 1
EXIT_NOTHING_TO_BUILD = 2


class _NothingToBuild(click.ClickException):
    exit_code = EXIT_NOTHING_TO_BUILD


def _fail(error: ClozeforgeError) -> click.ClickException:
    if isinstance(error, StrictModeError):
        for diagnostic in error.diagnostics:
            click.secho(f"warning: {diagnostic}", fg="yellow", err=True)
    if isinstance(error, NothingToBuildError):
        return _NothingToBuild(str(error))
    return click.ClickException(str(error))


@click.group()
@click.version_option(package_name="clozeforge")
def cli() -> None:
    """Turn a folder of Markdown notes into Anki cloze decks."""


@cli.command()
@click.argument("notes_dir", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="The .apkg to write, outside the notes folder [default: decks/<folder name>.apkg "
    "in the current folder, or beside the notes folder when run inside it].",
)
@click.option("--deck-name", help="Root deck name [default: the folder's name].")
@click.option(
    "--split-by-tag",
    is_flag=True,
    default=None,
    help="Also write one .apkg per deck next to the output.",
)
@click.option(
    "--max-claims",
    type=click.IntRange(min=0),
    help="At most this many key claims per note, best first [no limit: every claim that"
    " scores high enough].",
)
@click.option("--ignore", multiple=True, help="Glob of files/folders to skip (repeatable).")
@click.option(
    "--phraser", type=click.Choice(available_phrasers()), help="Who phrases the clozes [rules]."
)
@click.option("--model", help="T5 checkpoint: a local folder, or a hub name when online.")
@click.option(
    "--prompts",
    "prompts_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of prompt templates overriding the shipped ones.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    help="Facts per model call [chosen for the device: 512 on a GPU, 32 on a CPU].",
)
@click.option("--max-new-tokens", type=click.IntRange(min=1), help="Longest model output [64].")
@click.option("--num-beams", type=click.IntRange(min=1), help="Beam search width; 1 is greedy [1].")
@click.option(
    "--copy-constraint/--no-copy-constraint",
    "copy_constrained",
    default=None,
    help="Restrict model output to the fact's own words [on].",
)
@click.option("--device", help="Torch device for the model [cuda if present, else cpu].")
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the phrasing cache and build state [~/.cache/clozeforge].",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write cache or build state.")
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    help="Processes reading the notes; 0: one per core, one for small builds [0].",
)
@click.option(
    "--orphans-deck",
    is_flag=True,
    default=None,
    help="Put cards whose fact disappeared into ROOT::_removed, tagged clozeforge::removed.",
)
@click.option(
    "--allow-outside",
    is_flag=True,
    default=None,
    help="Read notes and images reached through symbolic links that point outside the folder.",
)
@click.option(
    "--keep-left-out",
    is_flag=True,
    default=None,
    help="Also package the cards a learner would not keep, suspended, tagged clozeforge::left-out.",
)
@click.option("--strict", is_flag=True, default=None, help="Fail (exit 1) on any warning.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Config file [clozeforge.toml in the current folder].",
)
@click.option("-v", "--verbose", is_flag=True, help="Print every warning, not the first 20.")
@written_options
def build(
    notes_dir: Path, no_cache: bool, config_path: Path | None, verbose: bool, **options: Any
) -> None:
    """Build an Anki package from the notes in NOTES_DIR.

    Nothing is written into NOTES_DIR: an output or cache inside it is refused. Settings
    can also come from clozeforge.toml in the current folder (or --config FILE), whose keys
    are these options' long names with '-' written '_' (max_claims = 3; see
    clozeforge.example.toml), and from CLOZEFORGE_<KEY> environment variables
    (CLOZEFORGE_MAX_CLAIMS=3); flags win over the environment, which wins over the file.
    """
    from .builder import build as run_build

    options["ignore"] = options["ignore"] or None
    unset_empty(options)
    flags = {"notes_dir": notes_dir, **options, "use_cache": False if no_cache else None}
    try:
        settings = Settings.resolve(flags, config_path=config_path, from_command_line=True)
        if settings.phraser == "t5" and not settings.model:
            raise click.ClickException("--phraser t5 needs --model (a local folder or a hub name)")
        with _progress_bars() as progress:
            report = run_build(settings, progress=progress)
    except ClozeforgeError as error:
        raise _fail(error) from None
    print_report(report, verbose)


_PREVIEW_OPTIONS = (
    *("deck_name", "max_claims", "ignore", "phraser", "model", "prompts_dir", "batch_size"),
    *("max_new_tokens", "num_beams", "copy_constrained", "device", "jobs", "strict"),
    *("config_path", "verbose"),
    *WRITTEN_OPTIONS,
)
"""Options of ``build`` that ``preview`` takes too (the ones shaping the cards)."""


@cli.command()
@click.argument("notes_dir", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "page",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The HTML page to write [default: decks/<folder name>-preview.html].",
)
def preview(
    notes_dir: Path, page: Path | None, config_path: Path | None, verbose: bool, **options: Any
) -> None:
    """Show every card a build of NOTES_DIR makes, front and back, on one offline HTML page."""
    from .preview import preview as run_preview

    page = page or Path("decks") / f"{notes_dir.resolve().name or 'notes'}-preview.html"
    options["ignore"] = options["ignore"] or None
    unset_empty(options)
    flags = {"notes_dir": notes_dir, "output": page.with_suffix(".apkg"), **options}
    try:
        # The page is what is written: a refusal names it (not the package it stands for).
        check_outside_notes(notes_dir, page, "-o/--output", Path.cwd())
        settings = Settings.resolve(flags, config_path=config_path)
        if settings.phraser == "t5" and not settings.model:
            raise click.ClickException("--phraser t5 needs --model (a local folder or a hub name)")
        with _progress_bars() as progress:
            report = run_preview(settings, page, progress=progress)
    except ClozeforgeError as error:
        raise _fail(error) from None
    diagnostics = report.build.diagnostics
    shown = diagnostics if verbose else diagnostics[:SHOWN_WARNINGS]
    for diagnostic in shown:
        click.secho(f"warning: {diagnostic}", fg="yellow", err=True)
    if len(diagnostics) > len(shown):
        click.secho(
            f"... and {len(diagnostics) - len(shown)} more warnings (-v shows all)", err=True
        )
    notes = notes_in_parentheses(report.cards, report.notes or report.cards)
    click.echo(
        f"cards: {report.cards} in {report.decks} decks{notes}; warnings: {len(diagnostics)}"
    )
    if report.pages:
        click.echo(f"pages: {len(report.pages)} (one per deck or part), index {report.page}")
    if report.left_out:
        click.echo(f"left out: {report.left_out} cards a learner would not keep, listed with why")
    if report.math_failures:
        click.echo(f"math: {report.math_failures} formulas shown as TeX (could not convert)")
    click.echo(f"wrote {report.page}")


# The build options preview shares, the same objects: their help and checks stay as build's.
preview.params[2:2] = [param for param in build.params if param.name in _PREVIEW_OPTIONS]


@cli.command()
@click.argument("note", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--vault",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder to resolve wikilinks in [the note's folder].",
)
@click.option("--max-claims", type=click.IntRange(min=0), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print the facts as JSON.")
def inspect(note: Path, vault: Path | None, max_claims: int | None, as_json: bool) -> None:
    """Show the facts clozeforge finds in NOTE."""
    from .builder import inspect_note

    try:
        facts, diagnostics = inspect_note(note, vault=vault, max_claims=max_claims)
    except ClozeforgeError as error:
        raise _fail(error) from None
    for diagnostic in diagnostics:
        click.secho(f"warning: {diagnostic}", fg="yellow", err=True)
    if as_json:
        rows = [
            {
                "kind": f.kind.value,
                "line": f.line,
                "key": f.key,
                "subject": f.subject,
                "details": list(f.details),
                "score": round(f.score, 3),
                "path": f.path,
            }
            for f in facts
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not facts:
        click.echo("no facts found")
        return
    width = max(12, *(len(fact.kind.value) for fact in facts))
    click.echo(f"{'kind':<{width}} {'line':>5}  text")
    for fact in facts:
        text = fact.subject if not fact.details else f"{fact.subject}: {' | '.join(fact.details)}"
        if fact.kind.written:  # its question (or cloze) and its answer, as written
            text = f"{fact.subject} -> {fact.details[0]}" if fact.details else fact.subject
        click.echo(f"{fact.kind.value:<{width}} {fact.line:>5}  {shorten(text, 100)}")


@contextmanager
def _progress_bars() -> Iterator[Any]:
    """A callback that draws one bar per stage on a terminal, for builds worth watching."""
    bars: dict[str, Any] = {}

    def progress(event: Any) -> None:
        if event.stage == "wait":
            click.echo("waiting for another build of this notes folder to finish...", err=True)
            return
        if event.total < 200 or not sys.stderr.isatty():
            return
        bar = bars.get(event.stage)
        if bar is None:
            bar = bars[event.stage] = click.progressbar(
                length=event.total, label=f"{event.stage:<8}", file=sys.stderr
            )
            bar.__enter__()
        bar.update(event.done - bar.pos)
        if event.done >= event.total:
            bar.render_finish()

    try:
        yield progress
    finally:
        for bar in bars.values():
            bar.__exit__(None, None, None)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    """Console entry point: maps errors to the documented exit codes, never a traceback."""
    # A build stopped with SIGTERM unwinds as one interrupted: its workers are stopped
    # and its lock released on the way out, as with Ctrl-C.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        cli.main(args=argv, prog_name="clozeforge", standalone_mode=False)
    except click.UsageError as error:
        error.show()
        sys.exit(EXIT_USER_ERROR)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_USER_ERROR)
    except KeyboardInterrupt:
        click.echo("Interrupted; nothing was half-written.", err=True)
        sys.exit(130)
