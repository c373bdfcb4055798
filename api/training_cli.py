"""Commands for analysts who train their own model (in Russian).

    otklik train DATA --label-col COL [--text-col text] [--task topic|sentiment|type|aspects]
                 [--taxonomy FILE] [--mode heads|finetune] [--base DIR] --output DIR
    otklik evaluate --model DIR DATA --label-col COL [--text-col text] [--task T] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from models.constants import DEFAULT_MODEL_DIR, TRAINABLE_TASKS
from training.labelled import MAX_ROWS, TrainingError

INTERRUPTED = "Прервано: модель не записана."


def register(commands) -> None:
    train = commands.add_parser(
        "train", help="обучить свою модель на размеченном файле (CSV, XLSX, JSONL)"
    )
    train.add_argument("data", type=Path, help="размеченный файл")
    train.add_argument("--label-col", required=True, help="столбец с метками")
    train.add_argument("--text-col", default="text", help="столбец с текстом (text)")
    train.add_argument(
        "--task", choices=TRAINABLE_TASKS, default="topic", help="что предсказывать (topic)"
    )
    train.add_argument("--taxonomy", type=Path, default=None,
                       help="названия меток: JSON {\"метка\": \"название\"} или таксономия")
    train.add_argument("--mode", choices=("heads", "finetune"), default="heads",
                       help="heads — быстро (минуты); finetune — дообучение верхних слоёв"
                            " кодировщика (десятки минут на 2 ядрах)")
    train.add_argument("--base", type=Path, default=None, help="базовая модель (встроенная)")
    train.add_argument("--output", "-o", type=Path, required=True, help="каталог новой модели")
    train.add_argument("--name", default=None, help="имя модели (по умолчанию — имя каталога)")
    train.add_argument("--eval", dest="evaluation", default="auto",
                       choices=("auto", "kfold", "holdout", "none"),
                       help="оценка: heads — 5 блоков, finetune — отложенные 20%% (auto)")
    train.add_argument("--folds", type=int, default=5, help="блоков перекрёстной проверки (5)")
    train.add_argument("--test-size", type=float, default=0.2, help="доля отложенной выборки")
    train.add_argument("--seed", type=int, default=0, help="зерно случайности (0)")
    train.add_argument("--epochs", type=float, default=3.0, help="эпох дообучения (3)")
    train.add_argument("--train-layers", type=int, default=4, help="дообучаемых слоёв (4)")
    train.add_argument("--max-rows", type=int, default=MAX_ROWS, help=f"предел строк ({MAX_ROWS})")
    train.add_argument("--class-weight", choices=("sqrt", "balanced", "none"), default="sqrt",
                       help="веса классов: sqrt (по умолчанию) — редкие классы важнее, но не"
                            " вровень с частыми; balanced — все классы вровень (macro-F1);"
                            " none — как в данных (weighted-F1)")
    train.add_argument("--overwrite", action="store_true", help="заменить модель в --output")
    train.set_defaults(handler=run_train, interrupted=INTERRUPTED)

    evaluate = commands.add_parser("evaluate", help="оценить модель на размеченном файле")
    evaluate.add_argument("data", type=Path, help="размеченный файл")
    evaluate.add_argument("--model", type=Path, default=None, help="каталог модели")
    evaluate.add_argument("--label-col", required=True, help="столбец с метками")
    evaluate.add_argument("--text-col", default="text", help="столбец с текстом (text)")
    evaluate.add_argument("--task", choices=TRAINABLE_TASKS, default=None,
                          help="какую голову оценивать (по умолчанию — задача модели или topic)")
    evaluate.add_argument("--report", type=Path, default=None,
                          help="каталог отчёта (HTML, PNG, JSON); по умолчанию DATA.evaluation")
    evaluate.add_argument("--json", action="store_true", help="вывести метрики JSON в stdout")
    evaluate.set_defaults(handler=run_evaluate)


def _print_notes(notes: list[str]) -> None:
    for note in notes:
        print(f"Замечание: {note}", file=sys.stderr)


def run_train(args: argparse.Namespace) -> int:
    from training.labelled import read_labelled
    from training.trainer import Trainer, TrainOptions, read_taxonomy_file

    if args.folds < 2:
        raise TrainingError("--folds: нужно не меньше 2 блоков")
    if not 0.05 <= args.test_size <= 0.5:
        raise TrainingError("--test-size: доля от 0.05 до 0.5")
    data = read_labelled(args.data, text_col=args.text_col, label_col=args.label_col,
                         task=args.task, max_rows=args.max_rows)  # fmt: skip
    _print_notes(data.notes)
    counts = data.counts()
    print(f"Данные: {len(data.texts)} строк, {len(counts)} классов"
          f" (от {min(counts.values())} до {max(counts.values())} строк на класс)")  # fmt: skip
    options = TrainOptions(
        task=args.task,
        mode=args.mode,
        base=args.base or DEFAULT_MODEL_DIR,
        output=args.output,
        name=args.name,
        evaluation=args.evaluation,
        folds=args.folds,
        test_size=args.test_size,
        seed=args.seed,
        epochs=args.epochs,
        train_layers=args.train_layers,
        overwrite=args.overwrite,
        class_weight=None if args.class_weight == "none" else args.class_weight,
        taxonomy=read_taxonomy_file(args.taxonomy, args.task) if args.taxonomy else {},
        source=args.data.name,
    )
    if options.evaluation_method() == "kfold" and min(counts.values()) < args.folds:
        print(f"Замечание: в части классов меньше {args.folds} строк — в проверке они попадут"
              " не во все блоки", file=sys.stderr)  # fmt: skip
    result = Trainer(options).train(data)
    report = result["report"]
    print(f"Модель записана в {args.output} за {result['seconds']:.0f} с.")
    if report is not None:
        print(_scores_line(report, result["evaluation"]["method"]))
        print(f"Отчёт: {args.output / 'evaluation.html'}; карточка: {args.output / 'README.md'}")
    print("Поставить в работу: скопируйте каталог в $OTKLIK_HOME/models и выполните"
          " POST /v1/models/ИМЯ/activate или otklik serve --model КАТАЛОГ")  # fmt: skip
    return 0


def _scores_line(report: dict, method: str) -> str:
    how = {"kfold": "перекрёстная проверка", "holdout": "отложенная выборка"}.get(method, method)
    parts = [f"{k} {report[k]:.3f}" for k in ("accuracy", "macro_f1", "weighted_f1", "micro_f1")
             if k in report]  # fmt: skip
    return f"Качество ({how}, {report['n']} строк): " + ", ".join(parts)


def run_evaluate(args: argparse.Namespace) -> int:
    from training.evaluate import evaluate_file

    report_dir = args.report or args.data.with_name(args.data.stem + ".evaluation")
    report, notes = evaluate_file(args.model, args.data, text_col=args.text_col,
                                  label_col=args.label_col, task=args.task,
                                  report_dir=report_dir)  # fmt: skip
    _print_notes(notes)
    if args.json:
        keys = ("n", "accuracy", "macro_f1", "weighted_f1", "micro_f1", "exact_match",
                "per_class", "confusion", "unknown_labels", "task", "model")
        print(json.dumps({k: report[k] for k in keys if k in report}, ensure_ascii=False))
    else:
        print(_scores_line(report, "file"))
        print(f"Отчёт: {report_dir / 'evaluation.html'}")
    return 0

