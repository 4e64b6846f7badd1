"""The `optimizer` typer app: the group every command registers on, and its global options."""

from __future__ import annotations

from typing import Annotated, Any

import typer


class _HelpIsAFlag:
    """Typer 0.29 labels `--help` with a `<bool>` value it does not take."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.metavar = ""
        return option


class _Group(_HelpIsAFlag, typer.core.TyperGroup):
    pass


class _Argument(typer.core.TyperArgument):
    """An argument shown by its metavar alone (`FILE...`): typer 0.29 adds its Python type
    (`<list[Path]>`) to the help and wraps it in braces on the usage line."""

    def display_type_rich(self, ctx: Any) -> None:
        return None

    def _usage_display_name(self) -> str:
        return self.display_name_raw if self.required else f"[{self.display_name_raw}]"


class _Command(_HelpIsAFlag, typer.core.TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            # typer makes its own argument objects; they take this class's way of showing
            if type(param) is typer.core.TyperArgument:
                param.__class__ = _Argument


app = typer.Typer(
    cls=_Group,
    help="Plan influencer-marketing budgets: how many micro, macro and mega creators to engage"
    " per platform and period, proven optimal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)


def _show_version(asked: bool) -> None:
    if asked:
        from optimizer import __version__

        typer.echo(f"optimizer {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_show_version,
            is_eager=True,
            metavar="",  # a flag: no "<bool>" value to suggest
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    pass
