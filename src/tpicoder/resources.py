"""The only reader of ``lexicons/``.

Lexicons ship inside the wheel as ``tpicoder/lexicons``; an editable install reads the source tree's
``lexicons/``. Setting the environment variable
``TPICODER_LEXICONS`` to a folder (or passing ``lexicons_dir`` where offered) makes tpicoder read an
edited copy instead, so a coder can try a new synonym or payer rule without reinstalling.
Every file is parsed and validated once per process and per folder.
"""

from __future__ import annotations

import functools
import importlib.resources
import os
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from tpicoder.errors import LexiconError

ENV_VAR = "TPICODER_LEXICONS"
M = TypeVar("M", bound=BaseModel)


def lexicon_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Return the folder lexicons are read from.

    Args:
        override: an explicit folder; wins over the environment variable and the packaged copy.

    Raises:
        LexiconError: when no lexicon folder can be found.

    """
    return _lexicon_dir(str(override) if override else None, os.environ.get(ENV_VAR))


@functools.lru_cache(maxsize=64)
def _lexicon_dir(override: str | None, env: str | None) -> Path:
    # Resolved once per (argument, environment) pair: every load on the per-note path asks for it.
    chosen = override or env
    if chosen:
        path = Path(chosen)
        if not path.is_dir():
            raise LexiconError(str(path), f"lexicon folder does not exist (from {ENV_VAR} or argument)")
        return path.resolve()
    packaged = importlib.resources.files("tpicoder") / "lexicons"
    path = Path(str(packaged))
    if path.is_dir():
        return path
    # An editable install (pip install -e .) runs from the source tree, where the lexicons sit at the
    # repository root beside src/, not inside the package.
    checkout = Path(__file__).resolve().parents[2] / "lexicons"
    if (checkout / "extraction").is_dir() and (checkout.parent / "pyproject.toml").is_file():
        return checkout
    raise LexiconError(
        str(path),
        f"packaged lexicons not found; install the wheel (pip install .) or set {ENV_VAR}",
    )


@functools.lru_cache(maxsize=256)
def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError as exc:
        raise LexiconError(str(path), "file not found") from exc
    except yaml.YAMLError as exc:
        raise LexiconError(str(path), f"not valid YAML: {exc}") from exc


def read_yaml(relpath: str, override: str | os.PathLike[str] | None = None) -> Any:
    """Parse one YAML file under the lexicon folder (cached)."""
    return _read_yaml(lexicon_dir(override) / relpath)


def list_files(
    relfolder: str, suffix: str = ".yaml", override: str | os.PathLike[str] | None = None
) -> list[str]:
    """List the files of a lexicon sub-folder, as paths relative to the lexicon folder, sorted (cached)."""
    return list(_list_files(lexicon_dir(override), relfolder, suffix))


@functools.lru_cache(maxsize=64)
def _list_files(root: Path, relfolder: str, suffix: str) -> tuple[str, ...]:
    folder = root / relfolder
    if not folder.is_dir():
        return ()
    return tuple(sorted(f"{relfolder}/{p.name}" for p in folder.iterdir() if p.name.endswith(suffix)))


def format_validation_error(exc: ValidationError) -> str:
    """Render a pydantic error as 'field.path: message' lines."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"]) or "(file)"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


@functools.lru_cache(maxsize=256)
def _load_model(path: Path, model: type[M]) -> M:
    raw = _read_yaml(path)
    if raw is None:
        raise LexiconError(str(path), "file is empty")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise LexiconError(str(path), format_validation_error(exc)) from exc


def load(relpath: str, model: type[M], override: str | os.PathLike[str] | None = None) -> M:
    """Read and validate one lexicon file into ``model`` (cached per process).

    Raises:
        LexiconError: naming the file and the failing field.

    """
    return _load_model(lexicon_dir(override) / relpath, model)


def clear_cache() -> None:
    """Forget parsed files and folder listings (tests that edit lexicon copies call this)."""
    _read_yaml.cache_clear()
    _load_model.cache_clear()
    _lexicon_dir.cache_clear()
    _list_files.cache_clear()
