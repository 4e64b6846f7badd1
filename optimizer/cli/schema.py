"""`optimizer schema`: the JSON Schema of scenario files, for editors."""

from __future__ import annotations

import typer

from optimizer.cli.application import _Command, app
from optimizer.jsontext import json_text


@app.command(cls=_Command)
def schema() -> None:
    """Print the JSON Schema of scenario files, for editors that validate as you type."""
    from optimizer.scenario.editor_schema import editor_schema

    typer.echo(json_text(editor_schema()))
