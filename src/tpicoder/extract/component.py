"""Shared base of the lexicon-backed components: data in via ``initialize``, out via JSONL.

Following spaCy's component-data convention, the config holds settings (lexicon folder name,
thresholds), while the entries themselves arrive through :meth:`initialize` (from ``lexicons/``)
or :meth:`from_disk` (from a saved pipeline). ``to_disk`` writes them as JSONL next to the
component; ``from_disk`` clears before reading.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import srsly

from tpicoder.lexicon import ExtractionLexicon, load_extraction_lexicon


class LexiconComponent:
    """Base class: subclasses implement :meth:`data_from_lexicon` and :meth:`compile`."""

    data_file = "entries.jsonl"

    def __init__(self, nlp: Any, name: str, lexicons_dir: str | None = None) -> None:
        self.nlp = nlp
        self.name = name
        self.lexicons_dir = lexicons_dir or None
        self.data: dict[str, Any] = {}
        self._ready = False

    # -- data --------------------------------------------------------------------------------
    def data_from_lexicon(self, lex: ExtractionLexicon) -> dict[str, Any]:  # pragma: no cover
        """Return the JSON-serialisable entries this component needs."""
        raise NotImplementedError

    def compile(self) -> None:  # pragma: no cover
        """Build matchers and lookup tables from ``self.data``."""
        raise NotImplementedError

    def initialize(
        self, get_examples: Any = None, *, nlp: Any = None, lexicons_dir: str | None = None
    ) -> None:
        """Load entries from the lexicon folder and compile them."""
        lex = load_extraction_lexicon(lexicons_dir or self.lexicons_dir)
        self.set_data(self.data_from_lexicon(lex))

    def set_data(self, data: dict[str, Any]) -> None:
        """Replace the entries and recompile."""
        self.data = data
        self.compile()
        self._ready = True

    def ensure_ready(self) -> None:
        """Initialize from the lexicons when the pipeline was built without ``nlp.initialize``."""
        if not self._ready:
            self.initialize()

    # -- serialization -----------------------------------------------------------------------
    def to_bytes(self, *, exclude: tuple[str, ...] = ()) -> bytes:
        """Serialize the entries."""
        self.ensure_ready()
        return srsly.msgpack_dumps(self.data)

    def from_bytes(self, data: bytes, *, exclude: tuple[str, ...] = ()) -> LexiconComponent:
        """Load entries serialized by :meth:`to_bytes` (clears first)."""
        self.data = {}
        self.set_data(srsly.msgpack_loads(data))
        return self

    def to_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> None:
        """Write the entries as JSONL, one ``{"key": ..., "value": ...}`` line per entry."""
        self.ensure_ready()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_jsonl(path / self.data_file, ({"key": k, "value": v} for k, v in self.data.items()))

    def from_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> LexiconComponent:
        """Read entries written by :meth:`to_disk` (clears first)."""
        self.data = {}
        lines = srsly.read_jsonl(Path(path) / self.data_file)
        self.set_data({line["key"]: line["value"] for line in lines})
        return self
