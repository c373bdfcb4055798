"""Named entities (natasha NER + dates + street addresses), lemmas and sentences."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from razdel import sentenize

from nlp.addresses import find_addresses
from nlp.dates import find_dates
from nlp.morph import WORD, nominative
from nlp.names import person_normal
from nlp.runtime import inference, models

ENTITY_TYPES = ("PER", "LOC", "ORG", "DATE", "ADDRESS")


@dataclass(frozen=True)
class Entity:
    """`normal`: PER «Фамилия Имя Отчество» (parts found), LOC nominative, DATE ISO 8601."""

    type: str
    text: str
    start: int
    stop: int
    normal: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def ner_spans(text: str) -> list[Entity]:
    """natasha NER spans (PER, LOC, ORG) with normal forms for PER and LOC."""
    if not text.strip():
        return []
    tagger = models().ner_tagger
    with inference():
        markup = tagger(text)  # tokenizes on its own: no Doc.segment() needed
    found = []
    for span in markup.spans:
        surface = text[span.start : span.stop]
        found.append(Entity(span.type, surface, span.start, span.stop, _normal(span.type, surface)))
    return found


def _normal(kind: str, span: str) -> str | None:
    if kind == "PER":
        return person_normal(span)
    if kind == "LOC":
        return nominative(WORD.findall(span)) or None
    return None


def extract_entities(text: str, ner: bool = True) -> list[Entity]:
    """PER, LOC, ORG (natasha NER, skipped with ner=False), DATE and ADDRESS (street
    addresses), in text order."""
    found = ner_spans(text) if ner else []
    found += [Entity("DATE", d.text, d.start, d.stop, d.normal) for d in find_dates(text)]
    found += [Entity("ADDRESS", a.text, a.start, a.stop, None) for a in find_addresses(text)]
    return sorted(found, key=lambda e: (e.start, -e.stop))


def lemmatize(text: str) -> list[str]:
    """Lower-case lemmas of the words of text (punctuation dropped), with natasha's morphology
    tagger choosing between readings. Costs several times more than NER."""
    if not text.strip():
        return []
    from natasha import Doc

    m = models()
    doc = Doc(text)
    with inference():
        doc.segment(m.segmenter)
        doc.tag_morph(m.morph_tagger)
        lemmas = []
        for token in doc.tokens:
            if token.pos == "PUNCT":
                continue
            token.lemmatize(m.morph_vocab)
            lemmas.append((token.lemma or token.text).lower())
    return lemmas


def sentences(text: str) -> list[str]:
    return [s.text for s in sentenize(text)]
