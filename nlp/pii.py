"""Personal data (152-ФЗ) replaced by typed placeholders: «[ФИО]», «[ТЕЛЕФОН]», «[EMAIL]»,
«[АДРЕС]», «[СНИЛС]», «[ПАСПОРТ]», «[ИНН]», «[КАРТА]».

Kept as they are: dates, sums, times, percentages, document and appeal numbers («Сообщение №:
91063 от 17.05.2021»), a house number without a street («дом 15»), cities and regions.
A street address is masked when it has a house or flat number («ул. Ленина, д. 5, кв. 12»);
a street named alone («на улице Ленина нет света») is a place, not an address.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from nlp.addresses import find_addresses
from nlp.clean import replace_surrogates
from nlp.entities import Entity, ner_spans
from nlp.pii_names import find_persons
from nlp.pii_numbers import STRONG, WEAK, Finding, find_numbers, protected_spans

PLACEHOLDERS = {
    "PERSON": "[ФИО]",
    "PHONE": "[ТЕЛЕФОН]",
    "EMAIL": "[EMAIL]",
    "ADDRESS": "[АДРЕС]",
    "SNILS": "[СНИЛС]",
    "PASSPORT": "[ПАСПОРТ]",
    "INN": "[ИНН]",
    "CARD": "[КАРТА]",
}
# On a tie in length and strength the earlier type wins.
_TYPE_ORDER = {t: i for i, t in enumerate(
    ("PASSPORT", "SNILS", "PHONE", "INN", "CARD", "EMAIL", "ADDRESS", "PERSON")
)}  # fmt: skip


@dataclass(frozen=True)
class PiiSpan:
    type: str  # a key of PLACEHOLDERS
    start: int
    stop: int

    @property
    def placeholder(self) -> str:
        return PLACEHOLDERS[self.type]

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class MaskResult:
    masked_text: str
    spans: list[PiiSpan] = field(default_factory=list)  # offsets in the unmasked text


def find_pii(text: str, entities: Sequence[Entity] | None = None) -> list[PiiSpan]:
    """Non-overlapping personal-data spans in text order. `entities` are natasha NER results
    for the same text (PER spans are used); they are computed when not given."""
    text = replace_surrogates(text)  # one for one: the offsets stay those of the caller's text
    if entities is None:
        entities = ner_spans(text)
    findings = find_numbers(text)
    findings += [
        Finding("ADDRESS", a.start, a.stop, STRONG) for a in find_addresses(text) if a.has_number
    ]
    findings += find_persons(text, entities)
    protected = protected_spans(text)
    findings = [
        f
        for f in findings
        if f.strength > WEAK or not any(f.start < s and p < f.stop for p, s in protected)
    ]
    return _merge_names(text, [PiiSpan(f.type, f.start, f.stop) for f in _resolve(findings)])


def _resolve(findings: list[Finding]) -> list[Finding]:
    """Overlaps: the longest finding wins, then the stronger, then by type order."""
    ranked = sorted(
        findings, key=lambda f: (-(f.stop - f.start), -f.strength, _TYPE_ORDER[f.type], f.start)
    )
    kept: list[Finding] = []
    for f in ranked:
        if all(f.stop <= k.start or k.stop <= f.start for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


def _merge_names(text: str, spans: list[PiiSpan]) -> list[PiiSpan]:
    """«[ФИО] [ФИО]» for «Волобуева Людмила Михайловна» (NER split it) becomes one «[ФИО]»."""
    merged: list[PiiSpan] = []
    for span in spans:
        if (
            merged
            and span.type == "PERSON"
            and merged[-1].type == "PERSON"
            and not text[merged[-1].stop : span.start].strip()
        ):
            merged[-1] = PiiSpan("PERSON", merged[-1].start, span.stop)
        else:
            merged.append(span)
    return merged


def mask_pii(text: str, entities: Sequence[Entity] | None = None) -> MaskResult:
    """Offsets are those of `text`; lone surrogates in it come out as U+FFFD."""
    text = replace_surrogates(text)
    spans = find_pii(text, entities)
    masked = text
    for span in reversed(spans):
        masked = masked[: span.start] + span.placeholder + masked[span.stop :]
    return MaskResult(masked_text=masked, spans=spans)
