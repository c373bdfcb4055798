"""The label sets a model predicts: topics, types, aspects, sentiments, urgency levels."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

OTHER_TOPIC = "other"


@dataclass(frozen=True)
class Label:
    id: str
    name: str
    description: str = ""
    totk: str | None = None
    client: str | None = None
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


@dataclass
class Taxonomy:
    name: str
    version: str
    topics: list[Label]
    types: list[Label]
    aspects: list[Label]
    sentiments: list[Label]
    urgency: list[Label]
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict) -> Taxonomy:
        def labels(key: str) -> list[Label]:
            out = []
            for item in data.get(key, []):
                out.append(
                    Label(
                        id=str(item["id"]),
                        name=str(item.get("name", item["id"])),
                        description=str(item.get("description", "")),
                        totk=item.get("totk"),
                        client=item.get("client"),
                        keywords=tuple(item.get("keywords", ())),
                        examples=tuple(item.get("examples", ())),
                    )
                )
            return out

        return cls(
            name=str(data.get("name", "taxonomy")),
            version=str(data.get("version", "1")),
            topics=labels("topics"),
            types=labels("types"),
            aspects=labels("aspects"),
            sentiments=labels("sentiments"),
            urgency=labels("urgency"),
        )

    @classmethod
    def load(cls, path: Path) -> Taxonomy:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    def to_dict(self) -> dict:
        def dump(items: list[Label]) -> list[dict]:
            rows = []
            for label in items:
                row = {k: v for k, v in asdict(label).items() if v not in (None, (), "")}
                for key in ("keywords", "examples"):
                    if key in row:
                        row[key] = list(row[key])
                rows.append(row)
            return rows

        return {
            "name": self.name,
            "version": self.version,
            "topics": dump(self.topics),
            "types": dump(self.types),
            "aspects": dump(self.aspects),
            "sentiments": dump(self.sentiments),
            "urgency": dump(self.urgency),
        }

    def save(self, path: Path) -> None:
        Path(path).write_text(
            json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )

    def names(self, group: str) -> dict[str, str]:
        return {label.id: label.name for label in getattr(self, group)}
