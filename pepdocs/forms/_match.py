"""Matching a form's printed labels to model paths through a vocabulary of what PEP forms call things."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from enum import Enum
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from pepdocs._errors import FormError
from pepdocs.forms._codecs import code_label
from pepdocs.model._paths import Slot, slot

SURE = 88.0
"""A mapping at least this good, and clear of the runner-up, is used; below it a person confirms it."""
POSSIBLE = 70.0
"""Below this a label is left unmapped."""
MARGIN = 4.0

_FILLER = {"the", "a", "an", "please", "enter", "give", "state", "insert", "if", "applicable", "any", "your", "is"}


@lru_cache(maxsize=8192)  # the same labels and code words are compared for every place of a form
def normal(label: str) -> str:
    """A label as matched: case, punctuation, filler words and a trailing colon or question mark ignored."""
    text = label.casefold().replace("&", " and ").replace("%", " percent ").replace("’", "'")
    text = re.sub(r"\b(dd|mm|yyyy|yy)\b", " ", text)
    words = [w for w in re.sub(r"[^\w']+", " ", text).split() if w not in _FILLER]
    return " ".join(w.strip("'") for w in words)


def similarity(a: str, b: str) -> float:
    """How alike two normalised labels are, 0-100: whole-string and word-order-free similarity."""
    if a == b:
        return 100.0
    if not a or not b:
        return 0.0
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))


@dataclass(frozen=True)
class Match:
    """A model path a label may mean, how sure the match is (0-100) and the vocabulary words it matched."""

    path: str
    score: float
    matched: str


@dataclass(frozen=True)
class Vocabulary:
    """Each model path's usual labels, person groups and their fields, code-list words, labels to leave alone."""

    paths: dict[str, tuple[str, ...]]
    groups: dict[str, tuple[str, ...]]
    members: dict[str, tuple[str, ...]]
    choices: dict[str, dict[str, tuple[str, ...]]]
    ignore: frozenset[str]

    @property
    def key(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        return tuple(sorted(self.paths.items()))

    def extended(self, other: Vocabulary) -> Vocabulary:
        def merge(a: dict[str, tuple[str, ...]], b: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
            out = dict(a)
            for key, words in b.items():
                out[key] = out.get(key, ()) + tuple(w for w in words if w not in out.get(key, ()))
            return out

        choices = {name: merge(self.choices.get(name, {}), words) for name, words in other.choices.items()}
        return Vocabulary(
            merge(self.paths, other.paths),
            merge(self.groups, other.groups),
            merge(self.members, other.members),
            {**self.choices, **choices},
            self.ignore | other.ignore,
        )

    # --- single answers ------------------------------------------------------------------------

    def candidates(self, label: str, context: str = "", kinds: frozenset[str] | None = None) -> list[Match]:
        """Model paths `label` may mean, best first, one entry per path; `context` is the heading it stands under."""
        key = normal(label)
        if not key:
            return []
        best: dict[str, Match] = {}

        def offer(path: str, score: float, matched: str) -> None:
            kind = _kind(path)
            if kind in ("", "model") or (kinds is not None and kind not in kinds):
                return
            if path not in best or best[path].score < score:
                best[path] = Match(path, score, matched)

        for path, words in _normal_paths(self).items():
            if "[]" in path:
                continue
            for word, original in words:
                offer(path, similarity(key, word), original)
        for path, score, matched in self._composed(key):
            offer(path, score, matched)
        if context:
            for path, score, matched in self._composed(normal(context) + " " + key):
                offer(path, score - 2, matched)
        return sorted(best.values(), key=lambda m: (-m.score, m.path))

    def _composed(self, key: str) -> list[tuple[str, float, str]]:
        """Group + field labels: "Social worker's telephone" -> people.social_worker.phone."""
        out = []
        for group, words in self.groups.items():
            for word in words:
                g = normal(word)
                if not g or not (key == g or key.startswith(g + " ") or key.endswith(" " + g)):
                    continue
                rest = key.removeprefix(g).removesuffix(g).strip()
                rest = re.sub(r"^(s|of|for)\b", "", rest).strip()
                if not rest:
                    out.append((f"{group}.name", 96.0, word))
                    continue
                for member, labels in self.members.items():
                    for label in labels:
                        score = similarity(rest, normal(label))
                        if score >= POSSIBLE:
                            out.append((f"{group}.{member}", score * 0.98, f"{word} / {label}"))
        return [(p, s, m) for p, s, m in out if _kind(p) != ""]

    def ignored(self, label: str) -> bool:
        """Whether a label names something no PEP records: a signature, "for office use only"."""
        key = normal(label)
        return any(similarity(key, normal(w)) >= 95 or key.startswith(normal(w) + " ") for w in self.ignore)

    # --- tables ----------------------------------------------------------------------------------

    def table(self, headers: list[str], heading: str = "") -> tuple[str, list[Match | None], float]:
        """The list path a table's header row means, each column's item path (or None), and how sure."""
        by_list: dict[str, dict[str, list[tuple[str, str]]]] = {}
        for path, words in _normal_paths(self).items():
            if "[]." in path and path.count("[]") == 1:
                list_path, column = path.split("[].", 1)
                by_list.setdefault(list_path, {})[column] = words
        keys = [normal(h) for h in headers]
        best: tuple[float, str, list[Match | None]] = (0.0, "", [None] * len(headers))
        for list_path, columns in sorted(by_list.items()):
            chosen: list[Match | None] = []
            taken: set[str] = set()
            for key in keys:
                options = sorted(
                    (
                        (max(similarity(key, w) for w, _ in words), column)
                        for column, words in columns.items()
                        if column not in taken
                    ),
                    reverse=True,
                )
                if key and options and options[0][0] >= POSSIBLE:
                    score, column = options[0]
                    if len(options) > 1 and options[1][0] >= score - 1:
                        score = min(score, SURE - 1)  # two columns answer to these words: a person decides
                    taken.add(column)
                    chosen.append(Match(f"{list_path}[].{column}", score, column))
                else:
                    chosen.append(None)
            found = [m.score for m in chosen if m is not None]
            if not found:
                continue
            cover = sum(found) / max(1, len([k for k in keys if k]))
            named = max((similarity(normal(heading), w) for w, _ in _normal_paths(self).get(list_path, [])), default=0)
            if heading and named < POSSIBLE:
                named = max(
                    (
                        similarity(part, w)
                        for w, _ in _normal_paths(self).get(list_path, [])
                        for part in _tails(normal(heading))
                    ),
                    default=0,
                )
            score = cover + (0.25 * named if named >= POSSIBLE else 0.0)
            if score > best[0]:
                best = (score, list_path, chosen)
        score, list_path, chosen = best
        return list_path, chosen, min(100.0, score)

    # --- tick boxes and drop-downs ---------------------------------------------------------------

    def choice(self, path: str, option: str) -> tuple[str, float]:
        """The code value (or "true"/"false") a printed option means for `path`, and how sure; ("", 0) if none."""
        found = slot(path)
        key = normal(option)
        if found.kind == "bool":
            words = self.choices.get("bool", {})
            members: list[tuple[str, list[str]]] = [(v, [normal(w) for w in ws]) for v, ws in words.items()]
        elif found.enum is not None:
            extra = self.choices.get(found.enum.__name__, {})
            members = [
                (
                    str(m.value),
                    [
                        normal(code_label(m)),
                        normal(_label(m)),
                        normal(str(m.value)),
                        *map(normal, extra.get(str(m.value), ())),
                    ],
                )
                for m in found.enum
            ]
        else:
            return "", 0.0
        scored = sorted(
            ((max(similarity(key, w) if w else 0.0 for w in words), value) for value, words in members),
            reverse=True,
        )
        if not scored:
            return "", 0.0
        score, value = scored[0]
        if len(scored) > 1 and scored[1][0] >= score - 1 and score < 100:
            return value, min(score, POSSIBLE)
        return value, score


def _label(member: Enum) -> str:
    return str(getattr(member, "label", member.value))


def _tails(key: str) -> list[str]:
    """A heading's word-tails: "section 4 targets for next term" -> "targets for next term", ..."""
    words = key.split()
    return [" ".join(words[i:]) for i in range(len(words))]


@cache
def _kind(path: str) -> str:
    try:
        found: Slot = slot(path)
    except KeyError:
        return ""
    return found.kind


@cache
def _normal_paths_cached(paths: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, list[tuple[str, str]]]:
    return {path: [(normal(w), w) for w in words] for path, words in paths}


def _normal_paths(vocabulary: Vocabulary) -> dict[str, list[tuple[str, str]]]:
    """Each path's labels normalised once per vocabulary (keyed by its contents, not by the object)."""
    return _normal_paths_cached(vocabulary.key)


def _words(raw: Any, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict) or not all(
        isinstance(v, list) and all(isinstance(w, str) for w in v) for v in raw.values()
    ):
        raise FormError(f"{where}: each entry must be a list of labels")
    return {str(k): tuple(v) for k, v in raw.items()}


def read_vocabulary(path: Path) -> Vocabulary:
    """A vocabulary from a TOML file: [paths], [groups], [members], [choices.CodeList], [ignore] labels."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as error:
        raise FormError(f"{path.name}: not a readable vocabulary ({error.__class__.__name__}: {error})") from None
    for path_name in raw.get("paths", {}):
        if _kind(path_name) == "":
            raise FormError(f"{path.name}: the model has no path {path_name!r}")
    return Vocabulary(
        _words(raw.get("paths", {}), f"{path.name} [paths]"),
        _words(raw.get("groups", {}), f"{path.name} [groups]"),
        _words(raw.get("members", {}), f"{path.name} [members]"),
        {name: _words(words, f"{path.name} [choices.{name}]") for name, words in raw.get("choices", {}).items()},
        frozenset(raw.get("ignore", {}).get("labels", [])),
    )


@cache
def _base() -> Vocabulary:
    return read_vocabulary(Path(__file__).with_name("_vocabulary.toml"))


def vocabulary(extra: Path | None = None) -> Vocabulary:
    """The package's vocabulary, extended by a user's file of the same shape (read afresh each time)."""
    return _base() if extra is None else _base().extended(read_vocabulary(extra))


@dataclass
class Spot:
    """A place an answer goes, as found in a document before it is mapped.

    `place` says how to find it again (see the engines' `_places`); a table has `headers` and one
    `columns` place per heading; `key` names it in a form's true mapping (its label, or a PDF field's name).
    """

    label: str
    place: dict[str, Any]
    key: str
    control: str = "text"
    options: list[str] = field(default_factory=list)
    heading: str = ""
    headers: list[str] = field(default_factory=list)
    columns: list[dict[str, Any]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    rows: int = 0
    below: list[dict[str, Any]] = field(default_factory=list)
    section: str = ""
    alternatives: list[str] = field(default_factory=list)
    """Other words that name the place: a PDF field's printed label beside its tooltip, and its name."""


def chosen_values(value: Any) -> set[str]:
    """The choice values a model value ticks, as a form's spec names them: code values, or "true"/"false"."""
    values = value if isinstance(value, list) else [value]
    out = set()
    for v in values:
        if isinstance(v, bool):
            out.add("true" if v else "false")
        elif isinstance(v, Enum):
            out.add(str(v.value))
        elif v is not None:
            out.add(str(v))
    return out


def choice_words(found: Slot, values: list[str]) -> str:
    """Ticked choice values as words the codec of `found` reads: "Yes", "Full care order (C2)", one a line."""
    words = []
    for value in values:
        if value in ("true", "false"):
            words.append("Yes" if value == "true" else "No")
        elif found.enum is not None:
            try:
                words.append(code_label(found.enum(value)))
            except ValueError:
                words.append(value)
        else:
            words.append(value)
    return "\n".join(words)
