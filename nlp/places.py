"""Where a message is about: region, city or district, street address."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nlp.addresses import StreetAddress, find_addresses
from nlp.entities import Entity, extract_entities
from nlp.morph import WORD
from nlp.pii import PLACEHOLDERS
from nlp.regions import Region, find_region, find_regions
from nlp.runtime import morph_vocab
from nlp.settlements import find_settlements


@dataclass(frozen=True)
class Places:
    """`address` with a house or flat number is personal data (152-ФЗ; `address_is_personal`),
    masked in the text and by `to_dict(include_personal_data=False)`; a street named alone
    («на улице Ленина нет света») is a place and stays."""

    region: Region | None = None
    city_or_district: str | None = None
    address: str | None = None
    address_is_personal: bool = False

    def to_dict(self, include_personal_data: bool = True) -> dict:
        address = self.address
        if self.address_is_personal and not include_personal_data:
            address = PLACEHOLDERS["ADDRESS"]
        return {
            "region": self.region.to_dict() if self.region else None,
            "city_or_district": self.city_or_district,
            "address": address,
        }


def extract_places(text: str, entities: Sequence[Entity] | None = None) -> Places:
    """Region (gazetteer over the text, then over LOC spans), the first city, district or
    village named, and the first street address (with its house number when there is one)."""
    if entities is None:
        entities = extract_entities(text)
    persons = [(e.start, e.stop) for e in entities if e.type == "PER"]
    region = find_region(text, exclude=persons) or _region_from_locations(entities)
    address = _address(text)
    return Places(
        region=region,
        city_or_district=_city_or_district(text, region, entities, persons),
        address=address.text if address else None,
        address_is_personal=address is not None and address.has_number,
    )


def _region_from_locations(entities: Sequence[Entity]) -> Region | None:
    for e in entities:
        if e.type != "LOC" or not e.normal:
            continue
        found = find_region(e.normal)
        if found is not None:
            return Region(
                code=found.code,
                name=found.name,
                country=found.country,
                matched=e.text,
                start=e.start,
                stop=e.stop,
                city=found.city,
            )
    return None


def _city_or_district(
    text: str,
    region: Region | None,
    entities: Sequence[Entity],
    persons: Sequence[tuple[int, int]],
) -> str | None:
    for s in find_settlements(text):
        if not any(s.start < stop and start < s.stop for start, stop in persons):
            return s.name
    if region is not None and region.city is not None:
        return region.city
    for mention in find_regions(text, exclude=persons):
        if mention.city is not None:
            return mention.city
    streets = find_addresses(text)
    return next((e.normal for e in entities if _is_town(e, streets)), None)


def _is_town(entity: Entity, streets: Sequence[StreetAddress]) -> bool:
    """A one-word LOC that pymorphy2's dictionary knows as a place, not a street, a region or a
    country."""
    if entity.type != "LOC" or not entity.normal or len(WORD.findall(entity.text)) != 1:
        return False
    if any(a.start <= entity.start and entity.stop <= a.stop for a in streets):
        return False
    if find_regions(entity.normal) or entity.normal.lower() in _COUNTRIES:
        return False
    vocab = morph_vocab()
    return vocab.word_is_known(entity.text) and any(
        "Geox" in p.tag and p.tag.POS == "NOUN" for p in vocab.parse(entity.text)
    )


_COUNTRIES = frozenset(
    "россия рф казахстан украина беларусь белоруссия ссср китай сша германия".split()
)


def _address(text: str) -> StreetAddress | None:
    addresses = find_addresses(text)
    numbered = [a for a in addresses if a.has_number]
    return numbered[0] if numbered else (addresses[0] if addresses else None)
