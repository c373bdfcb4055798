"""The model card (README.md) of a model an analyst trained with `otklik train`."""

from __future__ import annotations

from pathlib import Path

MODES = {
    "heads": "голова (логистическая регрессия) на замороженных эмбеддингах кодировщика и"
    " TF-IDF слов и символьных n-грамм, построенном по текстам обучения",
    "finetune": "дообучены верхние слои кодировщика (encoder_delta.safetensors), затем голова"
    " на их эмбеддингах и TF-IDF слов и символьных n-грамм текстов обучения",
}
TASKS = {"topic": "тема", "sentiment": "тональность", "type": "тип обращения",
         "aspects": "боли (аспекты)"}  # fmt: skip
METHODS = {"kfold": "перекрёстная проверка (out-of-fold)", "holdout": "отложенная выборка",
           "none": "не проводилась"}  # fmt: skip


def write_trained_card(
    directory: Path, config: dict, metrics: dict, report: dict | None, names: dict[str, str]
) -> None:
    training = metrics["training"]
    evaluation = metrics["evaluation"]
    lines = [
        f"# Модель {config['name']} {config['version']}",
        "",
        f"Задача: {TASKS.get(config['task'], config['task'])}. Режим: {MODES[config['mode']]}.",
        f"Базовая модель: {config['base']} (её остальные головы сохранены без изменений).",
        f"Обучена {config['trained_at']} за {training['seconds']} с, seed {training['seed']}.",
        "",
        "## Данные для обучения",
        "",
        f"Файл: {training['source'] or '—'}; строк в обучении: {training['rows']};"
        f" классов: {len(training['classes'])}. Лицензию и происхождение данных указывает тот,"
        " кто обучал модель.",
        "",
        "| метка | название | строк |",
        "|---|---|---|",
    ]
    lines += [f"| {k} | {names.get(k, k)} | {v} |" for k, v in training["classes"].items()]
    if training["notes"]:
        lines += ["", "Замечания к данным:", ""] + [f"- {note}" for note in training["notes"]]
    lines += ["", "## Качество", "", f"Метод оценки: {METHODS.get(evaluation['method'], '')}"
              + (f", {evaluation['folds']} блоков" if "folds" in evaluation else "")
              + (f", доля {evaluation['test_size']}" if "test_size" in evaluation else "")
              + "."]  # fmt: skip
    if report is not None:
        keys = [("accuracy", "accuracy"), ("macro_f1", "macro-F1"),
                ("weighted_f1", "weighted-F1"), ("micro_f1", "micro-F1"), ("n", "строк")]
        lines += ["", "| показатель | значение |", "|---|---|"]
        lines += [f"| {title} | {report[k]} |" for k, title in keys if k in report]
        lines += ["", "| метка | precision | recall | F1 | строк |", "|---|---|---|---|---|"]
        lines += [
            f"| {names.get(c['label'], c['label'])} | {c['precision']} | {c['recall']} |"
            f" {c['f1']} | {c['support']} |"
            for c in report["per_class"]
        ]
        lines += ["", "Матрица ошибок: confusion.png; страница для аналитика: evaluation.html;"
                  " все цифры: evaluation.json."]  # fmt: skip
    params = ", ".join(f"{k}={v}" for k, v in training["params"].items())
    lines += ["", "## Параметры", "", params, ""]
    (directory / "README.md").write_text("\n".join(lines), encoding="utf-8")
