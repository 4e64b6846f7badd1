"""The folder the planning page serves: its scenario files, read and written only inside it.

Every path a request names is relative to the folder, resolved (symbolic links followed) and
refused unless it stays inside; a scenario whose `extends`, rate card or draws file lies
outside is refused too, without its contents.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optimizer.errors import OptimizerError, Problem, ScenarioError

SCENARIO_SUFFIXES = (".yaml", ".yml", ".json", ".toml")
# Folders below the served one that are listed; deeper files can still be opened by path.
LIST_DEPTH = 3
MOST_FILES = 500
# A file name the page may save: letters, digits, dots, dashes and underscores, ending .yaml.
SAVE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._ -]{0,99}")


class OutsideError(OptimizerError):
    """A path that leaves the served folder, or does not name a scenario file in it."""

    status = 403


class MissingError(OutsideError):
    """A path inside the served folder where there is no scenario file."""

    status = 404


class ExistsError(OptimizerError):
    """The file to save exists, and overwriting it was not asked for."""


@dataclass(frozen=True)
class Loaded:
    """A scenario file read for the page: its fields merged over the files it extends (what
    edits are merged over), and the files read to make them, with their change times."""

    path: str
    data: dict[str, Any]
    stamp: tuple[tuple[str, int], ...]


class Workspace:
    """The served folder."""

    def __init__(self, directory: str | Path) -> None:
        root = Path(directory)
        if not root.is_dir():
            raise OptimizerError(f"{directory}: not a directory")
        self.root = root.resolve()
        self._cache: dict[str, Loaded] = {}

    # Paths -----------------------------------------------------------------------------------

    def inside(self, path: Path) -> bool:
        """Whether `path`, once resolved (links followed), lies in the served folder."""
        try:
            path.resolve().relative_to(self.root)
        except (ValueError, OSError, RuntimeError):
            return False
        return True

    def file(self, relative: object) -> Path:
        """The scenario file a request names: relative, inside the folder, and a file."""
        if not isinstance(relative, str) or not relative or len(relative) > 1000:
            raise OutsideError("give a scenario file's path relative to the served folder")
        if "\x00" in relative or "\\" in relative or relative.startswith("/"):
            raise OutsideError(f"{relative!r} is not a path relative to the served folder")
        parts = relative.split("/")
        if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
            raise OutsideError(f"{relative!r} is not a path inside the served folder")
        path = self.root.joinpath(*parts)
        if not self.inside(path):
            raise OutsideError(f"{relative!r} leads outside the served folder")
        if path.suffix.lower() not in SCENARIO_SUFFIXES:
            raise OutsideError(f"{relative!r} is not a scenario file (.yaml, .yml, .json, .toml)")
        if not path.is_file():
            raise MissingError(f"{relative!r}: no such scenario file")
        return path

    def relative(self, path: Path) -> str:
        return path.resolve().relative_to(self.root).as_posix()

    def files(self) -> list[dict[str, Any]]:
        """The scenario files in the folder and its subfolders, by path: each with the name
        its own text gives (None when it takes it from the file it extends)."""
        found: list[dict[str, Any]] = []
        for directory, folders, names in os.walk(self.root, followlinks=False):
            here = Path(directory)
            depth = len(here.relative_to(self.root).parts)
            folders[:] = sorted(
                name for name in folders if not name.startswith(".") and depth < LIST_DEPTH
            )
            for name in sorted(names):
                path = here / name
                if name.startswith(".") or path.suffix.lower() not in SCENARIO_SUFFIXES:
                    continue
                if not self.inside(path) or not path.is_file():
                    continue  # a link out of the folder is not offered
                found.append({"path": self.relative_link(path), "name": _own_name(path)})
                if len(found) >= MOST_FILES:
                    return found
        return sorted(found, key=lambda entry: (entry["path"].count("/"), entry["path"]))

    def relative_link(self, path: Path) -> str:
        """The path as listed: relative to the folder, links not followed."""
        return path.relative_to(self.root).as_posix()

    # Reading ---------------------------------------------------------------------------------

    def load(self, relative: object) -> Loaded:
        """The file's merged fields, read again only when a file it reads has changed."""
        from optimizer.scenario.loading import BUILTIN_DIR, Trace, _resolve

        path = self.file(relative)
        key = str(relative)
        cached = self._cache.get(key)
        if cached is not None and _stamp(cached.stamp) == cached.stamp:
            return cached
        trace = Trace()
        try:
            data = _resolve(path, chain=(), trace=trace)
        except ScenarioError as error:
            self._refuse_outside(trace.files, BUILTIN_DIR)
            raise ScenarioError(key, error.problems) from None
        self._refuse_outside(trace.files, BUILTIN_DIR)
        stamp = _stamp(tuple((str(file), 0) for file in dict.fromkeys(trace.files)))
        loaded = Loaded(key, data, stamp)
        self._cache[key] = loaded
        return loaded

    def _refuse_outside(self, files: list[Path], builtin: Path) -> None:
        for read in files:
            if self.inside(read) or _within(read, builtin):
                continue
            raise ScenarioError(
                "",
                [Problem("", "the scenario reads a file outside the served folder; not opened")],
            )

    # Writing ---------------------------------------------------------------------------------

    def save_path(self, name: object, original: Path) -> Path:
        """Where the page saves an edited scenario: a new .yaml file in the served folder,
        never one the original reads."""
        if not isinstance(name, str) or not SAVE_NAME.fullmatch(name.strip()):
            raise OutsideError(
                "name the file with letters, digits, dots, dashes or underscores, e.g. my-plan.yaml"
            )
        name = name.strip()
        if not name.lower().endswith((".yaml", ".yml")):
            name += ".yaml"
        if ".." in name:
            raise OutsideError(f"{name!r} is not a file name in the served folder")
        target = self.root / name
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise OutsideError(f"{name} exists and is not a plain file: choose another name")
        if target.exists() and target.resolve() == original.resolve():
            raise OutsideError(f"{name} is the scenario being edited: choose another name")
        return target

    def save(self, target: Path, text: str, overwrite: bool, reads: list[Path]) -> str:
        from optimizer.files import write_text

        if any(target.resolve() == read.resolve() for read in reads):
            raise OutsideError(
                f"{target.name} is read by the scenario being edited: choose another name"
            )
        if target.exists() and not overwrite:
            raise ExistsError(f"{target.name} exists: overwrite it?")
        write_text(target, text)
        return self.relative_link(target)


def _within(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError):
        return False
    return True


def _stamp(files: tuple[tuple[str, int], ...]) -> tuple[tuple[str, int], ...]:
    out = []
    for name, _ in files:
        try:
            out.append((name, os.stat(name).st_mtime_ns))
        except OSError:
            out.append((name, -1))
    return tuple(out)


def _own_name(path: Path) -> str | None:
    """The `name` a file's own text gives, read cheaply (first lines of YAML or TOML)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(4000)
    except OSError:
        return None
    if path.suffix.lower() == ".json":
        match = re.search(r'"name"\s*:\s*"([^"]{1,200})"', head)
    else:
        match = re.search(r"^name\s*[:=]\s*(.+?)\s*(?:#.*)?$", head, re.MULTILINE)
    if not match:
        return None
    return match.group(1).strip().strip("'\"") or None


def edits_problems(edits: object) -> list[Problem]:
    """What the page may change: budget, objective, order value, rules and offers; no field
    that names a file (a rate card, a draws file, `extends`)."""
    if not isinstance(edits, Mapping):
        return [Problem("edits", "must be a mapping of the fields to change")]
    allowed = {"budget", "objective", "average_order_value", "rules", "platforms"}
    problems = [
        Problem(str(key), "the page does not change this field; edit the file")
        for key in edits
        if key not in allowed
    ]
    platforms = edits.get("platforms")
    if isinstance(platforms, Mapping) and "from_csv" in platforms:
        problems.append(Problem("platforms.from_csv", "a rate card is changed in the file"))
    return problems
