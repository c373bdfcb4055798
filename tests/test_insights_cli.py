"""`otklik ingest | reclassify | painmap | report | demo` in-process, with the session's
classifier and a SQLite store in tmp_path. Messages to a person are in Russian."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select, update
from store_fixtures import insert_rows

from api import insights_cli
from api.cli import main
from insights.store import Message, open_store
from models.constants import DEMO_FILE

DEMO = DEMO_FILE


@pytest.fixture()
def db(store_url, classifier, monkeypatch):
    monkeypatch.setattr(insights_cli, "_classifier", lambda args: classifier)
    return store_url


def _count(db) -> int:
    with open_store(db).session() as session:
        return session.scalar(select(func.count()).select_from(Message))


def test_ingest_csv_with_russian_headers_twice(db, tmp_path, capsys):
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Номер", "Текст обращения", "Канал", "Дата поступления", "Регион", "ФИО"])
        writer.writerow(["1", "На улице Ленина яма на дороге", "website", "01.07.2026", "RU-44",
                         "Иванов И. И."])  # fmt: skip
        writer.writerow(["2", "Нет горячей воды", "email", "32.07.2026", "", ""])
        writer.writerow(["3", "Как оформить единое пособие?", "hotline", "02.07.2026", "", ""])
    assert main(["ingest", str(path), "--db", db]) == 0
    out = capsys.readouterr()
    assert "строка 3, поле received_at: не дата: «32.07.2026»" in out.err
    assert "Не загружаются столбцы: ФИО" in out.err
    assert "новых 2" in out.out and "отклонено 1" in out.out
    assert main(["ingest", str(path), "--db", db]) == 0
    assert "без изменений 2" in capsys.readouterr().out
    assert _count(db) == 2


def test_ingest_xlsx_with_map_and_bad_arguments(db, tmp_path, capsys):
    path = tmp_path / "export.xlsx"
    book = Workbook()
    book.active.append(["msg", "когда", "откуда"])
    book.active.append(["Автобус № 5 не пришёл утром", datetime(2026, 7, 3, 8, 0), "telegram"])
    book.save(path)
    assert main(["ingest", str(path), "--db", db, "--map", "msg=text", "--map",
                 "когда=received_at", "--map", "откуда=channel"]) == 0  # fmt: skip
    with open_store(db).session() as session:
        message = session.scalars(select(Message)).one()
    assert message.channel == "telegram" and message.received_at == datetime(2026, 7, 3, 8, 0)
    capsys.readouterr()

    assert main(["ingest", str(path), "--db", db]) == 2
    assert "Не найден столбец с текстом" in capsys.readouterr().err
    assert main(["ingest", str(path), "--db", db, "--map", "msg"]) == 2
    assert "ожидается СТОЛБЕЦ=ПОЛЕ" in capsys.readouterr().err
    assert main(["ingest", str(path), "--db", db, "--map", "msg=body"]) == 2
    assert "неизвестное поле «body»" in capsys.readouterr().err
    assert main(["ingest", str(path), "--db", db, "--map", "текст=text"]) == 2
    assert "нет столбца «текст»" in capsys.readouterr().err
    assert main(["ingest", str(tmp_path / "nope.csv"), "--db", db]) == 2
    assert "Файл не найден" in capsys.readouterr().err
    assert main(["ingest", str(tmp_path / "x.pdf"), "--db", db]) == 2
    assert "Неподдерживаемый формат" in capsys.readouterr().err


def test_reclassify(db, tmp_path, capsys):
    path = tmp_path / "m.jsonl"
    path.write_text(
        "\n".join(json.dumps({"id": i, "text": t}, ensure_ascii=False)
                  for i, t in enumerate(["Яма на дороге", "Нет света в подъезде"])),
        encoding="utf-8",
    )  # fmt: skip
    assert main(["ingest", str(path), "--db", db]) == 0
    store = open_store(db)
    with store.session.begin() as session:
        session.execute(update(Message).values(model_version="old"))
    capsys.readouterr()
    assert main(["reclassify", "--db", db]) == 0
    assert "переклассифицировано 2" in capsys.readouterr().out
    assert main(["reclassify", "--db", db]) == 0
    assert "уже размечены" in capsys.readouterr().out


def test_reclassify_readies_the_questions_features(db, tmp_path, capsys, monkeypatch):
    """Features another encoder made are replaced, and a question whose masked text changes
    (raw texts kept, masking improved) gets features of the new text, before any FAQ."""
    from insights.faq_features import QuestionFeatures, encoder_identity
    from insights.faq_text import content_text
    from insights.store import MessageBody

    monkeypatch.setenv("OTKLIK_STORE_RAW_TEXT", "1")
    path = tmp_path / "q.jsonl"
    unmasked = "Как записаться к врачу? Звоните 8 900 555-12-34"  # as an older masking left it
    questions = ["Когда починят дорогу на улице Ленина?", unmasked]
    path.write_text("\n".join(json.dumps({"id": i, "text": t, "kind": "вопрос"}, ensure_ascii=False)
                              for i, t in enumerate(questions)), encoding="utf-8")  # fmt: skip
    assert main(["ingest", str(path), "--db", db]) == 0
    store = open_store(db)
    with store.session.begin() as session:
        session.execute(update(Message).values(model_version="old"))
        session.execute(update(QuestionFeatures).where(QuestionFeatures.message_pk == 1)
                        .values(encoder="another-encoder"))  # fmt: skip
        session.execute(update(MessageBody).where(MessageBody.message_pk == 2)
                        .values(masked_text=unmasked))  # fmt: skip
    capsys.readouterr()
    assert main(["reclassify", "--db", db]) == 0
    assert "Подготовлены признаки 2 вопросов" in capsys.readouterr().out
    with store.session() as session:
        features = {f.message_pk: f for f in session.scalars(select(QuestionFeatures))}
        masked = session.scalar(select(MessageBody.masked_text).where(MessageBody.message_pk == 2))
    identity = encoder_identity(insights_cli._classifier(None).encoder)
    assert {pk: f.encoder for pk, f in features.items()} == {1: identity, 2: identity}
    assert "555-12-34" not in masked and features[2].content == content_text(masked)


@pytest.fixture()
def filled(db):
    t = datetime(2026, 7, 1)
    rows = []
    for i in range(30):
        rows.append({
            "received_at": t + timedelta(days=i), "service": "МФЦ" if i % 2 else "Запись к врачу",
            "channel": "website", "sentiment": "negative", "type": "complaint",
            "topic": "public_services" if i % 2 else "healthcare", "aspects": ["queues"],
            "masked_text": f"Очередь {i}", "kind": "question" if i % 3 == 0 else "appeal",
            "region_name": "Республика Бурятия", "region_code": "RU-03",
        })  # fmt: skip
    insert_rows(open_store(db), rows)
    return db


@pytest.mark.parametrize("suffix", [".png", ".xlsx", ".html", ".json"])
def test_painmap_outputs(filled, tmp_path, capsys, suffix):
    out = tmp_path / f"map{suffix}"
    assert main(["painmap", "--db", filled, "--from", "2026-07-01", "--to", "2026-09-30",
                 "-o", str(out)]) == 0  # fmt: skip
    assert out.stat().st_size > 0
    assert "Карта болей за 01.07.2026–30.09.2026" in capsys.readouterr().out


def test_painmap_bad_input(filled, tmp_path, capsys):
    assert main(["painmap", "--db", filled, "-o", str(tmp_path / "m.pdf")]) == 2
    assert "Неподдерживаемый формат" in capsys.readouterr().err
    assert main(["painmap", "--db", filled, "--from", "вчера", "-o", str(tmp_path / "m.png")]) == 2
    assert "--from: не дата «вчера»" in capsys.readouterr().err
    assert main(["painmap", "--db", filled, "--group-by", "x", "-o", str(tmp_path / "m.png")]) == 2
    assert "группировка" in capsys.readouterr().err
    assert main(["painmap", "--db", "nosuchdb://x", "-o", str(tmp_path / "m.png")]) == 2
    assert "Ошибка" in capsys.readouterr().err


def test_report_html_and_xlsx(filled, tmp_path, capsys):
    html = tmp_path / "report.html"
    assert main(["report", "--db", filled, "--from", "2026-07-01", "--to", "2026-09-30",
                 "-o", str(html)]) == 0  # fmt: skip
    text = html.read_text("utf-8")
    for heading in ("I. Статистическая часть", "II. Аналитическая часть", "Сроки ответа",
                    "10 наиболее интересующих граждан вопросов", "Рост более чем на 30 %",
                    "Новые темы и вопросы", "Сравнение с предыдущим периодом"):  # fmt: skip
        assert heading in text
    assert "Вопросов за период: 10" in text  # the FAQ grouping ran over the 10 questions
    xlsx = tmp_path / "report.xlsx"
    assert main(["report", "--db", filled, "--to", "2026-09-30", "--no-faq", "-o", str(xlsx)]) == 0
    book = load_workbook(xlsx)
    assert {"Сводка", "Каналы", "Темы", "Сроки ответа", "Опросы", "Портрет", "Главные боли",
            "Вопросы (топ-10)", "Рост более 30%", "Новые темы", "Графики"} <= set(book.sheetnames)
    assert "Примечание" in capsys.readouterr().err  # no FAQ without the model
    assert main(["report", "--db", filled, "-o", str(tmp_path / "r.docx")]) == 2


def test_demo_loads_a_slice(db, tmp_path, capsys):
    small = tmp_path / "demo.jsonl"
    small.write_text("".join(DEMO.read_text("utf-8").splitlines(keepends=True)[:12]), "utf-8")
    assert main(["demo", "--db", db, "--file", str(small)]) == 0
    assert "Демонстрационные данные загружены" in capsys.readouterr().out
    assert main(["demo", "--db", db, "--file", str(small)]) == 0
    assert _count(db) == 12
    assert main(["demo", "--db", db, "--file", str(tmp_path / "none.jsonl")]) == 2
    assert "datasets/demo/make_demo.py" in capsys.readouterr().err


def test_demo_press_stream_is_dated_from_now(db, tmp_path, capsys):
    from insights import spikes, triage
    from insights.deadlines import DeadlinePolicy
    from insights.fields import utcnow

    small = tmp_path / "demo.jsonl"
    small.write_text(DEMO.read_text("utf-8").splitlines(keepends=True)[0], "utf-8")
    stream = DEMO.with_name(insights_cli.PRESS_STREAM).read_text("utf-8")
    (tmp_path / insights_cli.PRESS_STREAM).write_text(stream, "utf-8")
    before = utcnow()
    assert main(["demo", "--db", db, "--file", str(small)]) == 0
    assert "Поток для пресс-службы" in capsys.readouterr().out
    store = open_store(db)
    items = triage.queue(store, DeadlinePolicy(), triage.QueueFilter(limit=1000))
    assert len(items) == len(stream.splitlines())
    left = [i["seconds_left"] for i in items if i["seconds_left"] is not None]
    assert any(s < 0 for s in left), "some items are past their deadline"
    assert any(0 < s <= 30 * 60 for s in left), "some are within half an hour of it"
    newest = max(i["published_at"] for i in items)
    assert before - timedelta(minutes=10) <= datetime.fromisoformat(newest) <= utcnow()
    assert all(i["url"] and i["author"] for i in items)
    alerts = spikes.detect(store)
    assert len(alerts) == 1, alerts
    assert alerts[0]["place"] == "Железнодорожный район", alerts[0]
    assert alerts[0]["topic"] == "housing_utilities"


def _features(db) -> int:
    from insights.faq_features import QuestionFeatures

    with open_store(db).session() as session:
        return session.scalar(select(func.count()).select_from(QuestionFeatures))


def test_faq_prepare_fills_what_a_bulk_load_left_and_ingest_fills_as_it_goes(
    filled, tmp_path, capsys
):
    assert main(["faq-prepare", "--db", filled, "--from", "2026-07-01", "--to", "2026-07-15"]) == 0
    assert "подготовлены признаки 5 вопросов" in capsys.readouterr().out  # days 0, 3, …, 12
    assert main(["faq-prepare", "--db", filled]) == 0
    assert "подготовлены признаки 5 вопросов" in capsys.readouterr().out  # the other five
    assert _features(filled) == 10
    assert main(["faq-prepare", "--db", filled, "--from", "2026-13-01"]) == 2
    assert "--from" in capsys.readouterr().err

    path = tmp_path / "questions.jsonl"
    path.write_text(
        json.dumps({"id": "q1", "kind": "вопрос", "text": "Как оформить единое пособие?",
                    "received_at": "2026-07-20"}, ensure_ascii=False) + "\n"  # fmt: skip
    )
    assert main(["ingest", str(path), "--db", filled]) == 0
    assert _features(filled) == 11  # computed at ingest: the FAQ will not run the encoder


def test_faq_prepare_months_keeps_each_months_grouping(filled, capsys, monkeypatch):
    from api.cli_support import load_classifier
    from insights import faq
    from insights.faq_results import FaqResult
    from insights.faq_store import build_faq
    from insights.periods import make_period

    assert main(["faq-prepare", "--db", filled, "--months"]) == 0
    out = capsys.readouterr().out
    assert "Группировка за 01.07.2026–31.07.2026: 10 вопросов" in out and "сохранена" in out
    with open_store(filled).session() as session:
        kept = session.scalars(select(FaqResult)).all()
    assert [(k.period_start, k.questions) for k in kept] == [(datetime(2026, 7, 1), 10)]

    def no_grouping(*args, **kwargs):
        raise AssertionError("the kept grouping should be read")

    monkeypatch.setattr(faq, "group_questions", no_grouping)
    encoder = load_classifier(None).encoder
    july = make_period("2026-07-01", "2026-07-31")
    assert build_faq(open_store(filled), encoder, july)["questions"] == 10


def test_faq_prepare_months_names_an_unreadable_knowledge_base(filled, tmp_path, capsys,
                                                               monkeypatch):
    from models.settings import reload

    monkeypatch.setenv("OTKLIK_FAQ_KB", str(tmp_path / "no-such-kb.jsonl"))
    reload()
    try:
        assert main(["faq-prepare", "--db", filled, "--months"]) == 2
    finally:
        monkeypatch.delenv("OTKLIK_FAQ_KB")
        reload()
    assert "базу знаний" in capsys.readouterr().err
