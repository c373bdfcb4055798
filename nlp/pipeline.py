"""One call for everything nlp/ knows about a text: clean, language, entities, places, PII."""

from __future__ import annotations

from dataclasses import dataclass

from nlp.clean import clean_text
from nlp.entities import Entity, extract_entities, lemmatize
from nlp.language import detect_language
from nlp.pii import PLACEHOLDERS, PiiSpan, mask_pii
from nlp.places import Places, extract_places

# natasha's models are Russian. On Ukrainian and Belarusian they still find most names; on
# Kazakh they take every capitalised word for one, and on Latin script they find nothing. There
# only the regular expressions run (cue words, initials, numbers, addresses).
NER_LANGUAGES = frozenset({"ru", "uk", "be"})


@dataclass
class TextAnalysis:
    """Offsets in `pii`, `entities` and `places` refer to `clean`, not to `original`.

    `original`, `clean`, `lemmas`, person and address entities and `places.address` carry
    personal data; `masked_text` does not.
    """

    original: str
    clean: str
    language: str
    masked_text: str
    pii: list[PiiSpan]
    entities: list[Entity]
    places: Places
    lemmas: list[str] | None = None

    def to_dict(self, include_personal_data: bool = False) -> dict:
        """JSON-ready. Without personal data: no original/clean/lemmas, entity texts that
        overlap personal data masked, the street address masked."""
        data = {
            "language": self.language,
            "masked_text": self.masked_text,
            "pii": [span.to_dict() for span in self.pii],
            "entities": [
                e.to_dict() if include_personal_data else self._masked_entity(e)
                for e in self.entities
            ],
            "places": self.places.to_dict(include_personal_data=include_personal_data),
        }
        if include_personal_data:
            data = {"original": self.original, "clean": self.clean, **data}
            if self.lemmas is not None:
                data["lemmas"] = self.lemmas
        return data

    def _masked_entity(self, entity: Entity) -> dict:
        inside = [s for s in self.pii if s.start < entity.stop and entity.start < s.stop]
        if not inside:
            return entity.to_dict()
        if any(s.start < entity.start or s.stop > entity.stop for s in inside):
            text = PLACEHOLDERS[inside[0].type]
        else:
            text = self.clean[entity.start : entity.stop]
            for s in reversed(inside):
                a, b = s.start - entity.start, s.stop - entity.start
                text = text[:a] + s.placeholder + text[b:]
        return {**entity.to_dict(), "text": text, "normal": None}


def analyze(raw: str, with_lemmas: bool = False) -> TextAnalysis:
    """Clean `raw`, detect its language, find entities, places and personal data.

    Lemmas cost several times more than the rest (natasha's morphology tagger): ask for them
    with `with_lemmas=True`.
    """
    clean = clean_text(raw)
    language = detect_language(clean)
    entities = extract_entities(clean, ner=language in NER_LANGUAGES)
    masked = mask_pii(clean, entities)
    return TextAnalysis(
        original=raw,
        clean=clean,
        language=language,
        masked_text=masked.masked_text,
        pii=masked.spans,
        entities=entities,
        places=extract_places(clean, entities),
        lemmas=lemmatize(clean) if with_lemmas else None,
    )
