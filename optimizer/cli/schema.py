"""`optimizer schema`: the JSON Schema of scenario files, for editors."""

from __future__ import annotations

import json

import typer

from optimizer.cli.application import _Command, app


@app.command(cls=_Command)
def schema() -> None:
    """Print the JSON Schema of scenario files, for editors that validate as you type."""
    from optimizer.scenario.editor_schema import editor_schema

    typer.echo(json.dumps(editor_schema(), indent=2))
