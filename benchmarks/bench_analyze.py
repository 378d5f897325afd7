"""Throughput and memory of analyze_many on one core, beside bare spaCy tokenization.

Prints figures; asserts nothing. Notes are ~350 words, assembled from the dev corpus's sentences in
random order (seeded), so vocabulary is realistic and notes differ.

    taskset -c 0 python benchmarks/bench_analyze.py [--notes 1000] [--repeats 3] [--memory-notes 100000]
        [--components]
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import time
from pathlib import Path

import spacy

from tpicoder.api import analyze_many

ROOT = Path(__file__).resolve().parents[1]


def make_notes(n: int, words: int = 350, seed: int = 7) -> list[str]:
    sentences = []
    for p in sorted((ROOT / "corpora" / "dev" / "notes").glob("*.txt")):
        sentences += [
            s.strip()
            for s in re.split(r"(?<=[.!?])\s+|\n+", p.read_text(encoding="utf-8"))
            if len(s.split()) > 3
        ]
    rng = random.Random(seed)
    notes = []
    for _ in range(n):
        parts, count = [], 0
        while count < words:
            s = rng.choice(sentences)
            parts.append(s)
            count += len(s.split())
        notes.append("\n".join(parts))
    return notes


def stage_times(notes: list[str]) -> dict[str, float]:
    """Milliseconds per note spent in tokenization, each pipeline component, findings and coding."""
    from tpicoder.api import _nlp, _result
    from tpicoder.extract.textio import tokenizer_view
    from tpicoder.extract.to_findings import doc_to_findings, findings_config

    nlp = _nlp(None)
    config = findings_config(None)
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    docs = [nlp.make_doc(tokenizer_view(t)) for t in notes]
    times["tokenizer"] = time.perf_counter() - t0
    for name, component in nlp.pipeline:
        t0 = time.perf_counter()
        docs = [component(d) for d in docs]
        times[name] = time.perf_counter() - t0
    t0 = time.perf_counter()
    found = [doc_to_findings(d, config, t) for d, t in zip(docs, notes, strict=True)]
    times["findings"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for t, f in zip(notes, found, strict=True):
        _result(t, f, note_id=None, payer="cms", claim=None, lexicons_dir=None)
    times["coding + result"] = time.perf_counter() - t0
    return {k: v / len(notes) * 1000 for k, v in times.items()}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--notes", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument(
        "--memory-notes", type=int, default=0, help="also stream this many notes and report peak RSS"
    )
    ap.add_argument("--components", action="store_true", help="also print milliseconds per note by stage")
    args = ap.parse_args()
    notes = make_notes(args.notes)
    words = sum(len(n.split()) for n in notes) / len(notes)
    blank = spacy.blank("en")

    def best_of(run, repeats: int) -> float:
        # Best of several runs: the machine's other load only ever adds time.
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            for _ in run():
                pass
            times.append(time.perf_counter() - t0)
        return min(times)

    for _ in blank.pipe(notes[:50]):
        pass
    for _ in analyze_many(notes[:50]):
        pass
    tok = best_of(lambda: blank.pipe(notes), args.repeats)
    full = best_of(lambda: analyze_many(notes), args.repeats)
    print(f"notes {len(notes)}  mean words {words:.0f}  best of {args.repeats} runs")
    print(f"spacy.blank tokenization   {len(notes) / tok:9.0f} notes/s")
    print(f"tpicoder analyze_many      {len(notes) / full:9.0f} notes/s  ({full / tok:.1f}x tokenization)")
    if args.components:
        for name, ms in stage_times(notes).items():
            print(f"  {name:22} {ms:6.2f} ms/note")
    if args.memory_notes:
        base = rss_mb()
        checkpoints = {}
        step = max(1, args.memory_notes // 5)

        def stream():
            for i in range(args.memory_notes):
                yield notes[i % len(notes)] + f"\nid {i}"

        for i, _ in enumerate(analyze_many(stream()), 1):
            if i % step == 0:
                checkpoints[i] = rss_mb()
        print(
            f"peak RSS before {base:.0f} MB; during stream: "
            + ", ".join(f"{k}:{v:.0f}MB" for k, v in checkpoints.items())
        )


if __name__ == "__main__":
    main()
