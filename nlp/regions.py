"""Federal subjects of Russia and regions of Kazakhstan named in a text.

The gazetteer is `nlp/data/regions.json` (its "about" field documents the codes). Names are
matched by lemma, so every case form counts: «Бурятия», «в Бурятии», «Республики Бурятия»,
«по Курской области», «Магаданская обл.», «из Улан-Удэ». Abbreviations («СПб», «ХМАО», «ДНР»)
are matched as spelled. A city names its region: «в Курске» → Курская область.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from nlp.morph import WORD, fold_yo, lemma_set, name_lemmas, word_forms

DATA_PATH = Path(__file__).resolve().parent / "data" / "regions.json"

# A name right after one of these is a street, a square or a namesake: «ул. Кирова», «им. Ленина».
STREET_WORDS = frozenset(
    "ул улица пр просп пр-т пр-кт проспект пер переулок б-р бульвар ш шоссе наб набережная "
    "пл площадь проезд пр-д тупик аллея мкр микрорайон им имени имя".split()
)
# Names that double as person names or common words need one of these right before them.
PLACE_CUES = frozenset("в во из под на г гор город".split())
# Between the words of a multi-word name: spaces, hyphens, dashes, brackets, quotes.
_NAME_GAP = re.compile(r"[\s\-\u2010-\u2015()«»\"]*")
_CUE_GAP = re.compile(r"[\s.]*")


@dataclass(frozen=True)
class RegionInfo:
    code: str
    name: str
    country: str


@dataclass(frozen=True)
class Region:
    """A region named in a text; `city` is set when the text named one of its cities."""

    code: str
    name: str
    country: str
    matched: str
    start: int
    stop: int
    city: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class _Name:
    region: RegionInfo
    words: tuple[frozenset[str], ...]  # lemma alternatives per word; empty for exact names
    exact: str | None  # an abbreviation, matched as spelled
    city: str | None
    guarded: bool
    capitalized: bool

    @property
    def size(self) -> int:
        return len(self.words) or 1


@dataclass(frozen=True)
class _Token:
    start: int
    stop: int
    text: str


class Gazetteer:
    def __init__(self, data: dict):
        self.regions: list[RegionInfo] = []
        self._by_lemma: dict[str, list[_Name]] = defaultdict(list)
        self._by_exact: dict[str, list[_Name]] = defaultdict(list)
        # forms of the first words of all names: other tokens are not even lemmatized
        self._first_forms: set[str] = set()
        guarded = {fold_yo(n.lower()) for n in data.get("guarded", [])}
        capitalized = {fold_yo(n.lower()) for n in data.get("capitalized", [])}
        for item in data["regions"]:
            info = RegionInfo(item["code"], item["name"], item["country"])
            self.regions.append(info)
            cities = set(item.get("cities", []))
            # Москва, Санкт-Петербург, Астана ...: every name of the region names the city too
            city_state = item["name"] in cities
            names = [item["name"], *item.get("aliases", []), *item.get("cities", [])]
            for surface in dict.fromkeys(names):
                words = tuple(name_lemmas(w) for w in WORD.findall(surface))
                if not words:
                    continue
                key = fold_yo(surface.lower())
                name = _Name(
                    region=info,
                    words=words,
                    exact=None,
                    city=item["name"] if city_state else (surface if surface in cities else None),
                    guarded=key in guarded,
                    capitalized=key in capitalized or key in guarded,
                )
                for lemma in words[0]:
                    self._by_lemma[lemma].append(name)
                self._first_forms.update(word_forms(WORD.findall(surface)[0]))
            for abbr in item.get("abbr", []):
                city = item["name"] if city_state else None
                self._by_exact[abbr].append(
                    _Name(info, (), abbr, city, guarded=False, capitalized=False)
                )
        for names in self._by_lemma.values():
            names.sort(key=lambda n: -n.size)
        self._by_code = {r.code: r for r in self.regions}

    def get(self, code: str) -> RegionInfo | None:
        return self._by_code.get(code)

    def find_all(self, text: str, exclude: Sequence[tuple[int, int]] = ()) -> list[Region]:
        tokens = [_Token(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]
        found: list[Region] = []
        i = 0
        while i < len(tokens):
            name = self._match_at(text, tokens, i)
            if name is None:
                i += 1
                continue
            first, last = tokens[i], tokens[i + name.size - 1]
            if not _overlaps(first.start, last.stop, exclude):
                found.append(
                    Region(
                        code=name.region.code,
                        name=name.region.name,
                        country=name.region.country,
                        matched=text[first.start : last.stop],
                        start=first.start,
                        stop=last.stop,
                        city=name.city,
                    )
                )
            i += name.size
        return found

    def _candidates(self, token: _Token) -> Iterable[_Name]:
        yield from self._by_exact.get(token.text, ())
        if fold_yo(token.text.lower()) not in self._first_forms:
            return
        seen: set[int] = set()
        for lemma in lemma_set(token.text):
            for name in self._by_lemma.get(lemma, ()):
                if id(name) not in seen:
                    seen.add(id(name))
                    yield name

    def _match_at(self, text: str, tokens: list[_Token], i: int) -> _Name | None:
        best: _Name | None = None
        for name in self._candidates(tokens[i]):
            if best is not None and name.size <= best.size:
                continue
            if _words_match(text, tokens, i, name) and _context_allows(text, tokens, i, name):
                best = name
        return best


def _words_match(text: str, tokens: list[_Token], i: int, name: _Name) -> bool:
    if name.exact is not None:
        return tokens[i].text == name.exact
    if i + len(name.words) > len(tokens):
        return False
    for k, alternatives in enumerate(name.words):
        token = tokens[i + k]
        if k and not _NAME_GAP.fullmatch(text, tokens[i + k - 1].stop, token.start):
            return False
        if alternatives.isdisjoint(lemma_set(token.text)):
            return False
    return True


def _context_allows(text: str, tokens: list[_Token], i: int, name: _Name) -> bool:
    token = tokens[i]
    if name.capitalized and not token.text[:1].isupper():
        return False
    previous = _previous_word(text, tokens, i)
    if previous in STREET_WORDS:
        return False
    return not name.guarded or previous in PLACE_CUES


def _previous_word(text: str, tokens: list[_Token], i: int) -> str | None:
    if i == 0:
        return None
    prev = tokens[i - 1]
    if not _CUE_GAP.fullmatch(text, prev.stop, tokens[i].start):
        return None
    return fold_yo(prev.text.lower())


def _overlaps(start: int, stop: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(start < s_stop and s_start < stop for s_start, s_stop in spans)


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer(json.loads(DATA_PATH.read_text("utf-8")))


def list_regions(country: str | None = None) -> list[RegionInfo]:
    return [r for r in gazetteer().regions if country is None or r.country == country]


def region_by_code(code: str) -> RegionInfo | None:
    return gazetteer().get(code)


def find_regions(text: str, exclude: Sequence[tuple[int, int]] = ()) -> list[Region]:
    """Every region mention, in text order; mentions overlapping `exclude` spans are skipped."""
    return list(_find_regions(text, tuple(exclude)))


@lru_cache(maxsize=256)  # the pipeline asks several times about the same text
def _find_regions(text: str, exclude: tuple[tuple[int, int], ...]) -> tuple[Region, ...]:
    return tuple(gazetteer().find_all(text, exclude))


def find_region(text: str, exclude: Sequence[tuple[int, int]] = ()) -> Region | None:
    """The region the text is about: the most mentioned one, the first named on a tie.

    The mention returned is that region's first one.
    """
    found = find_regions(text, exclude)
    if not found:
        return None
    counts = Counter(r.code for r in found)
    top = max(counts.values())
    return next(r for r in found if counts[r.code] == top)
