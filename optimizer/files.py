"""Outputs are written to a temporary file beside the target and moved into place."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from optimizer.errors import OptimizerError


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write; it replaces `path` only if the block succeeds.

    A file that cannot be written (missing directory, no permission, full disk) raises
    `OptimizerError` naming the target, so callers report it like any other bad input.
    """
    target = Path(path)
    try:
        descriptor, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=target.suffix
        )
    except OSError as error:
        raise _cannot_write(target, error) from error
    os.close(descriptor)
    try:
        yield Path(temporary)
        # mkstemp creates owner-only files; outputs get the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except OSError as error:
        raise _cannot_write(target, error) from error
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _cannot_write(target: Path, error: OSError) -> OptimizerError:
    if not target.parent.is_dir():
        return OptimizerError(f"cannot write {target}: directory {target.parent} does not exist")
    if target.is_dir():
        return OptimizerError(f"cannot write {target}: it is a directory")
    return OptimizerError(f"cannot write {target}: {error.strerror or error}")


def write_text(path: str | Path, text: str) -> None:
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
