"""Topics added at run time (models/added_topics.py): how often they are found, how often wrongly.

    .venv/bin/python benchmarks/added_topics.py [--examples 5] [--unrelated 100] [--no-baseline]

Three topics absent from the default taxonomy are added to the default model with their first
N examples (5 by default): «Бродячие собаки», «Борщевик», «Самокаты на тротуарах». Then,
through Classifier.classify (the service's path):

* hit rate: held-out texts written for each topic (10 each, never shown to the calibration),
  the share whose `topic` is that added topic;
* real stray-dog appeals: «Безнадзорные животные» of appeals_kursk_2022 and `animals` of
  datasets/examples that mention dogs, the share classified as «Бродячие собаки»;
* false positives: unrelated appeals (datasets/examples/*.jsonl and appeals_kursk_2022 without
  animals, hogweed or scooters), the share that gets any added topic;
* time to add a topic, and from the end of adding to a correct classification.

The baseline is the plain prototype approach: cosine of the text to the centroid of the
examples and the «name. description» line, with the threshold at the same quantile of the same
background (models/topic_negatives.py and the model's topic descriptions).

Caveat: the scorer (logistic regression), its regularisation and the quantile were chosen on
these topics' held-out texts and the real dog appeals, so those figures are optimistic; the
unrelated appeals were only looked at to add generic kinds of appeals to the background.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from models.constants import EXAMPLES_DIR  # noqa: E402
from models.settings import reload, settings  # noqa: E402

DATASETS = settings().datasets
KURSK = DATASETS / "appeals_kursk_2022" / "train.jsonl"
RELATED = re.compile(r"собак|собач|пс[ыао]|пёс|борщев|самокат", re.IGNORECASE)
DOGS = re.compile(r"собак|пс[ыао]в?\b|пёс", re.IGNORECASE)

TOPICS = [
    {
        "name": "Бродячие собаки",
        "description": "Стаи безнадзорных собак во дворах, на улицах и у школ, нападения и "
        "укусы, просьбы об отлове.",
        "examples": [
            "Во дворе дома бегает стая бродячих собак, дети боятся выходить на улицу.",
            "Возле школы постоянно собираются безнадзорные собаки и кидаются на прохожих.",
            "Прошу организовать отлов бездомных собак на нашей улице, их уже больше десяти.",
            "Вчера бродячая собака покусала соседку у остановки, примите меры.",
            "По ночам своры собак лают и воют под окнами, гоняются за велосипедистами.",
        ],
        "held_out": [
            "Стая собак у гаражей напала на мою дочь по дороге из школы, срочно нужен отлов.",
            "В микрорайоне развелось много бездомных псов, они агрессивные и бросаются на людей.",
            "Около детского сада живут собаки без хозяина, родители боятся водить детей.",
            "Когда наконец отловят бродячих собак в парке? Гулять невозможно.",
            "Собаки без ошейников бегают по территории больницы, одна укусила пациента.",
            "На рынке прикармливают бродячих собак, теперь их там целая стая.",
            "У нас в посёлке безнадзорные собаки загрызли кошек и нападают на кур.",
            "Стая бездомных собак каждое утро преследует школьников на остановке.",
            "Обращаюсь по поводу агрессивных собак, которые живут на пустыре за домом.",
            "Бродячие псы перевернули мусорные баки и кидаются на людей у подъезда.",
        ],
    },
    {
        "name": "Борщевик",
        "description": "Заросли борщевика Сосновского на пустырях, обочинах, во дворах и у "
        "водоёмов: ожоги, просьбы о покосе и уничтожении.",
        "examples": [
            "На пустыре за домом разросся борщевик выше человеческого роста, прошу его уничтожить.",
            "Вдоль дороги к деревне сплошные заросли борщевика, дети получают ожоги.",
            "Борщевик Сосновского захватил заброшенное поле рядом с садовыми участками.",
            "Когда будут травить борщевик у школы? Он уже цветёт и даёт семена.",
            "На берегу реки всё заросло борщевиком, купаться и отдыхать опасно.",
        ],
        "held_out": [
            "Сын обжёгся соком борщевика на детской площадке, кто должен его скосить?",
            "Прошу провести обработку гербицидами участков с борщевиком в нашем селе.",
            "Заросли ядовитого борщевика у остановки автобуса, люди ходят мимо.",
            "Борщевик распространяется по обочинам трассы, администрация ничего не делает.",
            "Поля бывшего колхоза заросли борщевиком, он подступает к домам.",
            "Соседний заброшенный участок весь в борщевике, семена летят к нам.",
            "Почему не выполняется программа по борьбе с борщевиком в районе?",
            "Возле кладбища огромные заросли борщевика, невозможно пройти к могилам.",
            "У детского лагеря растёт борщевик, дети могут пострадать.",
            "Каждый год борщевика становится всё больше вдоль железной дороги.",
        ],
    },
    {
        "name": "Самокаты на тротуарах",
        "description": "Электросамокаты и кикшеринг: езда по тротуарам, брошенные самокаты, "
        "наезды на пешеходов, правила парковки.",
        "examples": [
            "Электросамокаты носятся по тротуарам на огромной скорости, пешеходам страшно.",
            "Арендные самокаты бросают прямо посреди тротуара, невозможно пройти с коляской.",
            "Вчера на меня наехал подросток на электросамокате, прошу ограничить их скорость.",
            "Самокаты кикшеринга стоят у входа в поликлинику и мешают проходу.",
            "Когда запретят ездить на самокатах по тротуарам в центре города?",
        ],
        "held_out": [
            "Двое подростков на одном самокате сбили пожилую женщину у магазина.",
            "Брошенные электросамокаты загораживают пандус, человек на коляске не может проехать.",
            "Прошу ввести зоны медленной езды для самокатов в парке.",
            "Самокатчики ездят ночью без фар по пешеходной улице.",
            "Кикшеринговые самокаты валяются на газонах и у подъездов.",
            "Дети до 14 лет катаются на арендных электросамокатах, кто это контролирует?",
            "На набережной самокаты разгоняются до 25 км/ч среди гуляющих людей.",
            "Прошу обязать операторов проката самокатов убирать их с тротуаров.",
            "Меня чуть не сбил электросамокат на выходе из подъезда.",
            "Самокаты, припаркованные у остановки, перекрывают путь пассажирам.",
        ],
    },
]


def _jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def unrelated_texts(per_source: int) -> dict[str, list[str]]:
    """`per_source` random appeals from each source, none about dogs, hogweed or scooters."""
    sources = {"datasets/examples": [], "appeals_kursk_2022": []}
    for path in sorted(EXAMPLES_DIR.glob("*.jsonl")):
        sources["datasets/examples"] += [
            r["text"] for r in _jsonl(path) if r.get("topic") != "animals"
        ]
    if KURSK.exists():
        sources["appeals_kursk_2022"] = [
            r["text"] for r in _jsonl(KURSK) if r.get("topic") != "Безнадзорные животные"
        ]
    out = {}
    for name, texts in sources.items():
        texts = [t for t in dict.fromkeys(texts) if not RELATED.search(t)]
        random.Random(7).shuffle(texts)
        if texts:
            out[name] = texts[:per_source]
    return out


def real_dog_appeals() -> list[str]:
    texts = []
    if KURSK.exists():
        texts += [r["text"] for r in _jsonl(KURSK) if r.get("topic") == "Безнадзорные животные"]
    for path in sorted(EXAMPLES_DIR.glob("*.jsonl")):
        texts += [r["text"] for r in _jsonl(path) if r.get("topic") == "animals"]
    return [t for t in dict.fromkeys(texts) if DOGS.search(t)]


def baseline(classifier, added, texts_by_set: dict[str, list[str]]) -> dict[str, list[str]]:
    """Cosine to the prototype centroid; threshold at the same background quantile."""
    from models.topic_scorer import NEGATIVE_QUANTILE
    from nlp.clean import clean_text

    background = classifier.added_topics.background()
    centroids, thresholds = [], []
    for topic in added:
        line = clean_text(f"{topic.name}. {topic.description}")
        vectors = classifier.embed_base([*topic.examples, line])
        centroid = vectors.mean(axis=0)
        centroid /= np.linalg.norm(centroid)
        centroids.append(centroid)
        thresholds.append(float(np.quantile(background @ centroid, NEGATIVE_QUANTILE)))
    centroids, thresholds = np.stack(centroids), np.array(thresholds)
    out = {}
    for name, texts in texts_by_set.items():
        sims = classifier.embed_base([clean_text(t) for t in texts]) @ centroids.T
        margin = sims - thresholds
        out[name] = [added[int(m.argmax())].id if m.max() > 0 else "" for m in margin]
    return out


def hook_cost(classifier, results: dict[str, list]) -> float:
    """Microseconds per text that AddedTopics.apply adds to a classification."""
    records = [copy.copy(r) for rs in results.values() for r in rs]
    rng = np.random.default_rng(0)
    base = rng.normal(size=(len(records), classifier.encoder.dim)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    started = time.perf_counter()
    for _ in range(20):
        classifier.added_topics.apply([copy.copy(r) for r in records], base, 3)
    return (time.perf_counter() - started) / 20 / len(records) * 1e6


def _rate(hits: int, total: int) -> str:
    return f"{hits}/{total} = {100 * hits / max(total, 1):.1f} %"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=5, help="examples per topic (5)")
    parser.add_argument("--unrelated", type=int, default=100, help="unrelated texts per source")
    parser.add_argument("--no-baseline", action="store_true", help="skip the cosine baseline")
    args = parser.parse_args(argv)
    os.environ["OTKLIK_TOPICS_DIR"] = tempfile.mkdtemp(prefix="otklik-bench-topics-")
    reload()  # the settings were read at import; the topics go to the temporary directory

    from models.classifier import Classifier

    classifier = Classifier()
    classifier.classify(["Проверка."])  # load the nlp pipeline before timing
    added, add_times, to_correct = [], [], []
    for spec in TOPICS:
        started = time.perf_counter()
        topic, warnings = classifier.added_topics.add(
            spec["name"], spec["description"], spec["examples"][: args.examples]
        )
        add_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = classifier.classify([spec["held_out"][0]])[0]
        to_correct.append(time.perf_counter() - started)
        ok = "found" if result.topic.id == topic.id else f"missed ({result.topic.id})"
        print(f"added {topic.id}: calibration {topic.calibration}, warnings {warnings}; "
              f"first held-out text: {ok}")  # fmt: skip
        added.append(topic)
    print(f"time to add a topic: {', '.join(f'{t:.2f} s' for t in add_times)} "
          "(the first one includes embedding the background unless cached)")  # fmt: skip
    print(f"time from the end of adding to the first classification: "
          f"{', '.join(f'{t * 1000:.0f} ms' for t in to_correct)} (the whole classification "
          "of one text; on a busy 2-core machine mostly the encoder)")  # fmt: skip

    sets = {f"held-out {t.id}": spec["held_out"] for t, spec in zip(added, TOPICS, strict=True)}
    dogs = real_dog_appeals()
    if dogs:
        sets[f"real {added[0].id}"] = dogs
    unrelated = unrelated_texts(args.unrelated)
    sets.update({f"unrelated {name}": texts for name, texts in unrelated.items()})
    results = {name: classifier.classify(texts) for name, texts in sets.items()}
    predicted = {name: [r.topic.id for r in rs] for name, rs in results.items()}
    print(f"cost of the hook (3 topics): {hook_cost(classifier, results):.1f} µs per text")
    methods = {"ours (logistic regression)": predicted}
    if not args.no_baseline:
        methods["baseline (cosine to centroid)"] = baseline(classifier, added, sets)

    print(f"\n{args.examples} examples per topic")
    ids = {t.id for t in added}
    for method, by_set in methods.items():
        print(f"== {method}")
        hits = total = 0
        for name, labels in by_set.items():
            kind, _, target = name.partition(" ")
            if kind == "unrelated":
                wrong = [label for label in labels if label in ids]
                print(f"  false positives, {target}: {_rate(len(wrong), len(labels))}")
                continue
            got = sum(label == target for label in labels)
            if kind == "held-out":
                hits, total = hits + got, total + len(labels)
            print(f"  hit rate, {kind} {target}: {_rate(got, len(labels))}")
        print(f"  hit rate, held-out overall: {_rate(hits, total)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
