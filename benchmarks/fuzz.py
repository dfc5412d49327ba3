"""Fuzzing the readers in-process: mutated copies of every form in every format, counted by how each ended.

    python benchmarks/fuzz.py [--n 20000] [--seed 0] [--seconds 10] [--memory-mb 1024] [--progress 1000]

Each case renders a form (whole, or one role's part) from an example PEP, damages it one way or
several (flipped, cut and inserted bytes in the file or inside a compressed part, parts recompressed
with zlib, LZMA or bz2, document properties and PDF field names rewritten, digits made superscript,
row numbers made huge, paragraphs nested deep) and parses it with `isolated=False`, in this process.
A guard stops a case after `--seconds` of CPU time (a profiling interval timer, so a busy machine does not
stop a case that is only waiting) and the process may use at most
`--memory-mb` beyond what it held at the start (RLIMIT_AS), so a hang or a blow-up is counted, not
suffered. Every outcome is counted: "read" (a PEP), each PepdocsError class, "timeout", "memory",
and "RAW <type>" for any other exception, which is a bug. Exit status 1 when any case was RAW.
"""

from __future__ import annotations

import argparse
import io
import random
import re
import signal
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pepdocs  # noqa: E402
from pepdocs._util.isolate import address_space  # noqa: E402
from pepdocs.forms._spec import ROLES  # noqa: E402

EXAMPLES = {
    "southwark-full": "southwark-primary",
    "southwark-review": "southwark-review",
    "kent": "kent-secondary",
    "no-provision": "no-provision",
    "early-years": "early-years",
    "post-16": "post-16-neet",
}
TOKENS = [b"<w:p>", b"</w:p>", b"<w:tc>", b"</w:tr>", b"&amp;", b"\xff\xfe", b"<!--", b"]]>", b"obj", b"endobj",
          b"/Kids[1 0 R]", b"<<", b">>", b"(", b"xref", b"stream", b"/V", b"/AS/Yes", "²".encode()]  # fmt: skip


class Timeout(BaseException):
    """A case ran past its time."""


def _alarm(_signal: int, _frame: FrameType | None) -> None:
    raise Timeout


def documents() -> list[tuple[str, bytes]]:
    """Every form in every format, whole and as each role's part, filled from an example PEP."""
    out = []
    for form in pepdocs.list_forms():
        pep = pepdocs.read_pep(ROOT / "examples" / f"{EXAMPLES.get(form.id, 'southwark-primary')}.json")
        parts = [None, *(role for role in ROLES if any(role in s.roles for s in form.sections))]
        for fmt in form.formats:
            for part in parts:
                data = pepdocs.render(pep, form, fmt, part=part)  # type: ignore[arg-type]
                out.append((f"{form.id}/{fmt}/{part or 'whole'}", data))
    return out


def _bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(out))
        action = rng.choice(["flip", "cut", "insert"])
        if action == "flip":
            out[at] = rng.randrange(256)
        elif action == "cut":
            del out[at : at + rng.randint(1, 400)]
        else:
            out[at:at] = rng.choice(TOKENS)
        if not out:
            break
    return bytes(out)


def _repack(docx: bytes, change: Callable[[str, bytes], bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as target:
        for item in source.infolist():
            target.writestr(item.filename, change(item.filename, source.read(item.filename)))
    return out.getvalue()


def _superscript(rng: random.Random, text: bytes) -> bytes:
    digits = [m.start() for m in re.finditer(rb"[0-9]", text)]
    out = bytearray(text)
    for at in sorted(rng.sample(digits, min(len(digits), rng.randint(1, 3))), reverse=True):
        out[at : at + 1] = "²".encode()
    return bytes(out)


def _nested(depth: int) -> bytes:
    inner = b""
    for _ in range(depth):
        inner = b"<w:p><w:r><w:t>" + b"x" * 5000 + b"</w:t></w:r>" + inner + b"</w:p>"
    return inner


def mutate_docx(rng: random.Random, docx: bytes) -> bytes:
    kind = rng.choice(["file", "xml", "xml", "properties", "compressed", "nested", "rows"])
    if kind == "file":
        return _bytes(rng, docx)
    if kind == "xml":
        return _repack(docx, lambda name, data: _bytes(rng, data) if name == "word/document.xml" else data)
    if kind == "properties":  # the form id, version and sections pepdocs reads first
        damage = _superscript if rng.random() < 0.5 else _bytes
        return _repack(docx, lambda name, data: damage(rng, data) if name == "docProps/custom.xml" else data)
    if kind == "compressed":
        compression = rng.choice([zipfile.ZIP_DEFLATED, zipfile.ZIP_LZMA, zipfile.ZIP_BZIP2])
        packed = _repack(docx, lambda _name, data: data, compression)
        info = zipfile.ZipFile(io.BytesIO(packed)).getinfo("word/document.xml")
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        at = start + rng.randrange(max(1, info.compress_size))
        return packed[:at] + bytes([packed[at] ^ (1 << rng.randrange(8))]) + packed[at + 1 :]
    if kind == "nested":
        before, after = b"<w:body>", b"<w:body>" + _nested(rng.choice([5, 9, 20, 100, 300]))
    else:  # rows added to a table, past what any PEP has
        before = b"</w:tbl>"
        after = b"<w:tr><w:tc><w:p><w:r><w:t>r</w:t></w:r></w:p></w:tc></w:tr>" * rng.choice([10, 2000]) + before
    return _repack(docx, lambda name, data: data.replace(before, after, 1) if name == "word/document.xml" else data)


def mutate_pdf(rng: random.Random, pdf: bytes) -> bytes:
    kind = rng.choice(["file", "file", "names", "values", "states"])
    if kind == "file":
        return _bytes(rng, pdf)
    if kind == "names":  # a row number made huge or superscript
        numbers = list(re.finditer(rb"/T ?\(([0-9]+)\)", pdf))
        if not numbers:
            return _bytes(rng, pdf)
        m = rng.choice(numbers)
        new = rng.choice([b"1000000000", "²".encode("latin-1"), b"999", b"-1", b"00"])
        return pdf[: m.start(1)] + new + pdf[m.end(1) :]
    if kind == "values":
        return re.sub(rb"/V ?\(", b"/V (" + rng.choice(TOKENS), pdf, count=rng.randint(1, 20))
    return re.sub(rb"/V ?/", b"/XV/", pdf, count=rng.randint(1, 10))  # states left only in the widgets' /AS


def cases(docs: list[tuple[str, bytes]], n: int, seed: int) -> Iterator[tuple[str, bytes]]:
    rng = random.Random(seed)
    for i in range(n):
        name, data = docs[i % len(docs)]
        mutate = mutate_docx if data[:2] == b"PK" else mutate_pdf
        yield name, mutate(rng, data)


def run(
    n: int, seed: int, seconds: float, memory_mb: int, out: Callable[[str], None] = print, progress: int = 0
) -> Counter[str]:
    """Run `n` cases; the counts by outcome (and a running count every `progress` cases)."""
    import resource

    docs = documents()
    limit = address_space() + memory_mb * 2**20
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    previous = signal.signal(signal.SIGPROF, _alarm)
    counts: Counter[str] = Counter()
    raw: list[str] = []
    slowest = 0.0
    try:
        for index, (name, data) in enumerate(cases(docs, n, seed)):
            started = time.process_time()
            signal.setitimer(signal.ITIMER_PROF, seconds)
            try:
                pepdocs.parse(data)
                outcome = "read"
            except pepdocs.PepdocsError as error:
                outcome = type(error).__name__
            except Timeout:
                outcome = "timeout"
                raw.append(f"case {index} ({name}): over {seconds:g} s CPU")
            except MemoryError:
                outcome = "memory"
            except Exception as error:
                outcome = f"RAW {type(error).__name__}"
                raw.append(f"case {index} ({name}): {type(error).__name__}")
            finally:
                signal.setitimer(signal.ITIMER_PROF, 0)
            slowest = max(slowest, time.process_time() - started)
            counts[outcome] += 1
            if progress and (index + 1) % progress == 0:
                out(f"... {index + 1} cases: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    finally:
        signal.signal(signal.SIGPROF, previous)
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
    out(f"{n} cases, seed {seed}, {len(docs)} documents; slowest case {slowest:.2f} s CPU")
    for outcome, count in sorted(counts.items(), key=lambda item: -item[1]):
        out(f"  {outcome:24} {count}")
    for line in raw[:20]:
        out(f"  {line}")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--memory-mb", type=int, default=1024)
    parser.add_argument("--progress", type=int, default=0, help="Print running counts every this many cases.")
    args = parser.parse_args()
    import warnings

    warnings.simplefilter("ignore")  # parse warns about what it could not read; only outcomes count here
    counts = run(args.n, args.seed, args.seconds, args.memory_mb, lambda line: print(line, flush=True), args.progress)
    sys.exit(1 if any(outcome.startswith("RAW") for outcome in counts) else 0)


if __name__ == "__main__":
    main()
