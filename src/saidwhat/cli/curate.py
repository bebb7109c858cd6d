"""Curation commands under ``saidwhat speakers``: merge, rename, split, hide, export-kb.

Thin: each resolves its speakers, calls ``saidwhat.store.curation`` and
prints the one line the edit returns. A speaker is given by its id (as
``saidwhat speakers -f jsonl`` shows it) or by a name that means one
speaker only; an ambiguous name is an error listing the candidates.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from saidwhat.cli.common import (
    DEFAULT_DB,
    EditDbOption,
    StoreDbOption,
    err,
    fail,
    open_existing,
    plural,
    speaker_commands,
)
from saidwhat.errors import SaidwhatError

if TYPE_CHECKING:
    from collections.abc import Callable

    from saidwhat.store import Store
    from saidwhat.store.curation import Edit

SpeakerArgument = Annotated[
    str, typer.Argument(help="A speaker: its id, or a name or alias only it has.")
]


def _edit(db: Path, make: Callable[[Store], Edit]) -> None:
    """Open the store for writing, make the edit, print what it did (errors: exit 2)."""
    with open_existing(db, write=True) as store:
        try:
            edit = make(store)
        except SaidwhatError as exc:
            raise fail(exc) from exc
    typer.echo(edit.message)


@speaker_commands.command("merge")
def merge_speakers(
    into: SpeakerArgument,
    others: Annotated[
        list[str], typer.Argument(help="The speakers to merge into it.", show_default=False)
    ],
    db: EditDbOption = DEFAULT_DB,
) -> None:
    """Merge speakers the store kept apart into one (INTO keeps its name).

    Their quotes, names and knowledge-base ids move to INTO, their
    statements are linked again, and their names stay INTO's: an article
    naming one of them later is INTO's quote.
    """
    from saidwhat.store.curation import merge, resolve_speaker

    def make(store: Store) -> Edit:
        target = resolve_speaker(store, into)
        return merge(store, target, [resolve_speaker(store, other) for other in others])

    _edit(db, make)


@speaker_commands.command("rename")
def rename_speaker(
    speaker: SpeakerArgument,
    new_name: Annotated[str, typer.Argument(help="The name to show from now on.")],
    db: EditDbOption = DEFAULT_DB,
) -> None:
    """Give a speaker another name; the old one stays an alias.

    The new name is kept when a later article uses the old one.
    """
    from saidwhat.store.curation import rename, resolve_speaker

    _edit(db, lambda store: rename(store, resolve_speaker(store, speaker), new_name))


@speaker_commands.command("split")
def split_speaker(
    speaker: SpeakerArgument,
    alias: Annotated[str, typer.Argument(help="One of its aliases that is someone else.")],
    db: EditDbOption = DEFAULT_DB,
) -> None:
    """Split an alias off a speaker: a new speaker with the quotes that name it.

    A quote moves when its article named the speaker ALIAS (its pronouns and
    descriptions in that article follow); later articles that use ALIAS
    are the new speaker's.
    """
    from saidwhat.store.curation import resolve_speaker, split

    _edit(db, lambda store: split(store, resolve_speaker(store, speaker), alias))


@speaker_commands.command("hide")
def hide_speaker(
    speaker: SpeakerArgument,
    undo: Annotated[bool, typer.Option("--undo", help="Show the speaker again.")] = False,
    db: EditDbOption = DEFAULT_DB,
) -> None:
    """Hide a speaker from speaker lists and searches (nothing is deleted).

    Its quotes stay in the store, new ones still go to it, and a search
    naming it (--speaker) still finds them; `speakers --hidden` lists it.
    """
    from saidwhat.store.curation import hide, resolve_speaker

    _edit(db, lambda store: hide(store, resolve_speaker(store, speaker), hidden=not undo))


@speaker_commands.command("export-kb")
def export_knowledge_base(
    output: Annotated[Path, typer.Argument(help="The file to write: .jsonl or .csv.")],
    db: StoreDbOption = DEFAULT_DB,
) -> None:
    """Write the store's speakers as a knowledge base that `saidwhat ingest --kb` reads.

    One entry per speaker (descriptions no article tied to anyone are left
    out), with its aliases, kind, description, whether it is hidden, and its
    external id (saidwhat:<id> when it has none): ingesting the same
    articles into a fresh store with --kb gives the same speakers.
    """
    from saidwhat.store.curation import knowledge_base
    from saidwhat.store.identity import write_knowledge_base

    with open_existing(db) as store:
        try:
            count = write_knowledge_base(knowledge_base(store), output)
        except SaidwhatError as exc:
            raise fail(exc) from exc
        except OSError as exc:  # a full disk, a read-only folder: said with what to do
            from saidwhat.store.faults import as_fault

            raise fail(as_fault(output, exc) or exc) from exc
    err.print(f"wrote {output} ({plural(count, 'speaker')})", highlight=False)
