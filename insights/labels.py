"""Russian display names of the values stored with a message (channels, kinds, outcomes, …)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from models.constants import DEFAULT_MODEL_DIR, DEFAULT_TAXONOMY_FILE, TAXONOMY_FILE
from models.taxonomy import Taxonomy

NOT_GIVEN = "не указано"

CHANNELS = {
    "website": "Сайт", "email": "Электронная почта", "phone": "Телефон", "post": "Почта",
    "reception": "Личный приём", "hotline": "Горячая линия", "review_book": "Книга отзывов",
    "gosuslugi": "Госуслуги (ПОС)", "feedback_platform": "Платформа обратной связи",
    "social_vk": "ВКонтакте", "social_ok": "Одноклассники", "telegram": "Telegram",
    "open_resource": "Открытые ресурсы", "survey": "Опрос", "mfc": "МФЦ", "chat": "Чат-бот",
}  # fmt: skip
# Social media: 2 hours for an official appeal or a comment, 4 hours for a mention (seed 001).
SOCIAL_CHANNELS = frozenset(
    {
        "social_vk",
        "social_ok",
        "telegram",
        "open_resource",
        "social",
        "vk",
        "ok",
        "max",
        "dzen",
        "youtube",
        "instagram",
        "facebook",
    }  # fmt: skip
)
KINDS = {
    "appeal": "Обращение", "complaint": "Жалоба", "review": "Отзыв", "post": "Публикация",
    "comment": "Комментарий", "mention": "Упоминание", "question": "Вопрос",
    "survey_answer": "Ответ на опрос",
}  # fmt: skip
OUTCOMES = {
    "satisfied": "Удовлетворено", "unsatisfied": "Отказано (не удовлетворено)",
    "explained": "Разъяснено", "forwarded": "Направлено по компетенции",
    "in_progress": "На рассмотрении", "left_without_answer": "Оставлено без ответа",
}  # fmt: skip
GENDERS = {"male": "Мужской", "female": "Женский"}
CLIENTS = {"external": "Внешний", "internal": "Внутренний"}
DIMENSIONS = {
    "service": "Услуга / процесс", "topic": "Тема", "organization": "Организация",
    "channel": "Канал", "touchpoint": "Точка контакта", "region": "Регион", "type": "Тип",
    "kind": "Вид", "sentiment": "Тональность",
}  # fmt: skip
NO_ASPECT = "none"
NO_ASPECT_NAME = "Боль не определена"


@lru_cache(maxsize=4)
def taxonomy(model_dir: str | None = None) -> Taxonomy:
    """The taxonomy of the model directory, else the default one of the repository."""
    for path in (
        Path(model_dir or DEFAULT_MODEL_DIR) / TAXONOMY_FILE,
        DEFAULT_TAXONOMY_FILE,
    ):
        if path.exists():
            try:
                return Taxonomy.load(path)
            except (OSError, ValueError, KeyError, json.JSONDecodeError):
                continue
    return Taxonomy("empty", "0", [], [], [], [], [])


def added_topic_names(directory: Path | None = None) -> dict[str, str]:
    """Names of the topics analysts added to any model (``otklik topics add``): stored messages
    may carry them. Unreadable files are skipped; the topics API reports them."""
    if directory is None:
        from models.added_topics import topics_dir

        directory = topics_dir()
    names: dict[str, str] = {}
    for path in sorted(Path(directory).glob("*.json")):
        try:
            for topic in json.loads(path.read_text("utf-8")).get("topics", []):
                names.setdefault(str(topic["id"]), str(topic["name"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
    return names


class Names:
    """Display names of every dimension's values."""

    def __init__(self, tax: Taxonomy | None = None) -> None:
        tax = tax or taxonomy()
        self.taxonomy = tax
        self.maps = {
            "topic": {**added_topic_names(), **tax.names("topics")},
            "type": tax.names("types"),
            "aspect": {**tax.names("aspects"), NO_ASPECT: NO_ASPECT_NAME},
            "sentiment": tax.names("sentiments"),
            "urgency": tax.names("urgency"),
            "channel": CHANNELS,
            "kind": KINDS,
            "outcome": OUTCOMES,
            "gender": GENDERS,
            "client": CLIENTS,
        }

    def name(self, dimension: str, value: object) -> str:
        if value is None or value == "":
            return NOT_GIVEN
        return self.maps.get(dimension, {}).get(str(value), str(value))


def names_for(model: Taxonomy | Path | str) -> Names:
    """The display names under a model: its taxonomy, or the taxonomy in its directory."""
    if isinstance(model, Taxonomy):
        return Names(model)
    return Names(taxonomy(str(model)))
