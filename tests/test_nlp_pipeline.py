import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from nlp.addresses import find_addresses
from nlp.dates import find_dates
from nlp.entities import extract_entities, lemmatize, sentences
from nlp.pipeline import analyze
from nlp.places import extract_places
from nlp.settlements import find_settlements

APPEAL_HTML = (
    "<p>Здравствуйте!&nbsp;Меня зовут Иванова Мария Петровна.</p>"
    "<p>Адрес: г. Курск, ул. Ленина, д. 5, кв. 12. Тел. 8 (912) 345-67-89, "
    "e-mail: maria.ivanova@mail.ru</p><p>Сообщение №: 91063 от 17.05.2021</p>"
)
APPEAL_CLEAN = (
    "Здравствуйте! Меня зовут Иванова Мария Петровна.\n"
    "Адрес: г. Курск, ул. Ленина, д. 5, кв. 12. Тел. 8 (912) 345-67-89, "
    "e-mail: maria.ivanova@mail.ru\nСообщение №: 91063 от 17.05.2021"
)
APPEAL_MASKED = (
    "Здравствуйте! Меня зовут [ФИО].\n"
    "Адрес: г. Курск, [АДРЕС]. Тел. [ТЕЛЕФОН], e-mail: [EMAIL]\n"
    "Сообщение №: 91063 от 17.05.2021"
)


def test_analyze_appeal():
    result = analyze(APPEAL_HTML)
    assert result.original == APPEAL_HTML
    assert result.clean == APPEAL_CLEAN
    assert result.language == "ru"
    assert result.masked_text == APPEAL_MASKED
    assert [(p.type, result.clean[p.start : p.stop]) for p in result.pii] == [
        ("PERSON", "Иванова Мария Петровна"),
        ("ADDRESS", "ул. Ленина, д. 5, кв. 12"),
        ("PHONE", "8 (912) 345-67-89"),
        ("EMAIL", "maria.ivanova@mail.ru"),
    ]
    assert [(e.type, e.text, e.normal) for e in result.entities] == [
        ("PER", "Иванова Мария Петровна", "Иванова Мария Петровна"),
        ("LOC", "Курск", "Курск"),
        ("ADDRESS", "ул. Ленина, д. 5, кв. 12", None),
        ("DATE", "17.05.2021", "2021-05-17"),
    ]
    assert result.places.region.code == "RU-46"
    assert result.places.city_or_district == "Курск"
    assert result.places.address == "ул. Ленина, д. 5, кв. 12"
    assert result.lemmas is None


def test_to_dict_without_personal_data():
    data = analyze(APPEAL_HTML).to_dict()
    assert set(data) == {"language", "masked_text", "pii", "entities", "places"}
    assert data["masked_text"] == APPEAL_MASKED
    assert data["pii"][0] == {"type": "PERSON", "start": 25, "stop": 47}
    assert [e["text"] for e in data["entities"]] == ["[ФИО]", "Курск", "[АДРЕС]", "17.05.2021"]
    assert data["entities"][0]["normal"] is None
    assert data["places"] == {
        "region": {
            "code": "RU-46",
            "name": "Курская область",
            "country": "RU",
            "matched": "Курск",
            "start": 59,
            "stop": 64,
            "city": "Курск",
        },
        "city_or_district": "Курск",
        "address": "[АДРЕС]",
    }
    serialized = json.dumps(data, ensure_ascii=False)
    for secret in ("Иванова", "Ленина", "345-67-89", "maria.ivanova"):
        assert secret not in serialized


def test_to_dict_with_personal_data():
    data = analyze(APPEAL_HTML, with_lemmas=True).to_dict(include_personal_data=True)
    assert data["original"] == APPEAL_HTML
    assert data["clean"] == APPEAL_CLEAN
    assert data["entities"][0]["text"] == "Иванова Мария Петровна"
    assert data["places"]["address"] == "ул. Ленина, д. 5, кв. 12"
    assert data["lemmas"][:6] == ["здравствовать", "я", "звать", "иванов", "мария", "петрович"]
    json.dumps(data)


def test_street_without_number_is_not_personal():
    data = analyze("На улице Ленина нет света").to_dict()
    assert data["masked_text"] == "На улице Ленина нет света"
    assert data["places"]["address"] == "улице Ленина"
    assert data["entities"] == [
        {"type": "ADDRESS", "text": "улице Ленина", "start": 3, "stop": 15, "normal": None}
    ]


def test_entity_partly_inside_personal_data_is_masked():
    result = analyze("Жалоба на ИП Татаренко Михаила Викторовича, тел. 89081239988")
    data = result.to_dict()
    assert "Татаренко" not in json.dumps(data, ensure_ascii=False)


def test_kazakh_text_is_flagged():
    result = analyze(
        "Сәлеметсіз бе! Алматы қаласы, Абай көшесі, 50 үйдің ауласындағы жолдар өте нашар."
    )
    assert result.language == "kk"
    assert result.places.region.code == "KZ-75"
    assert result.masked_text == result.clean  # «Абай көшесі» is a street, not a person


def test_english_text_skips_ner_but_masks_numbers():
    result = analyze(
        "Hello, my name is John Smith, call me at +7 912 345 67 89 or john@example.com"
    )
    assert result.language == "en"
    assert result.entities == []
    assert result.masked_text == "Hello, my name is John Smith, call me at [ТЕЛЕФОН] or [EMAIL]"


def test_empty_text():
    result = analyze("<p>&nbsp;</p>")
    assert (result.clean, result.language, result.masked_text) == ("", "unknown", "")
    assert result.entities == [] and result.pii == []
    assert result.to_dict()["places"] == {"region": None, "city_or_district": None, "address": None}


@pytest.mark.parametrize(
    ("text", "region", "city_or_district", "address"),
    [
        (
            "Помогите, в деревне Большие Угоны улица Старая Слобода без света.",
            None,
            "деревня Большие Угоны",
            "улица Старая Слобода",
        ),
        (
            "Жители п. Кшенский Советского района Курской области просят помочь.",
            "RU-46",
            "посёлок Кшенский",
            None,
        ),
        ("Дорога в Льговском районе разбита.", None, "Льговский район", None),
        ("Нет воды в Улан-Удэ, ул. Ключевская, 4.", "RU-03", "Улан-Удэ", "ул. Ключевская, 4"),
        ("В Льгове опять нет света", "RU-46", "Льгов", None),
        (
            "Во дворе дома №50 по улице Абая в Алматы ямы",
            "KZ-75",
            "Алматы",
            "дома №50 по улице Абая",
        ),
        ("В Магаданской обл. на проспекте Ленина 12 холодно", "RU-49", None, "проспекте Ленина 12"),
    ],
)
def test_places(text, region, city_or_district, address):
    places = extract_places(text)
    assert (places.region.code if places.region else None) == region
    assert places.city_or_district == city_or_district
    assert places.address == address


def test_region_from_person_name_is_ignored():
    places = extract_places("Владимир Курский обещал помочь")
    assert places.region is None


def test_extract_entities():
    text = "Глава района Сергей Иванович Петров 17 мая 2021 г. пообещал жителям Курской области."
    found = [(e.type, e.text, e.normal) for e in extract_entities(text)]
    assert ("PER", "Сергей Иванович Петров", "Петров Сергей Иванович") in found
    assert ("DATE", "17 мая 2021 г.", "2021-05-17") in found
    assert ("LOC", "Курской области", "Курская область") in found
    for e in extract_entities(text):
        assert text[e.start : e.stop] == e.text


@pytest.mark.parametrize(
    ("span", "normal"),
    [
        ("Ивановой Марии Петровне", "Иванова Мария Петровна"),
        ("Петрову И.И.", "Петров И.И."),
        ("И.И. Иванов", "Иванов И.И."),
        ("Сергеем Ивановичем Петровым", "Петров Сергей Иванович"),
        ("Ситниковой Кристины Мгеровны", "Ситникова Кристина Мгеровна"),
    ],
)
def test_person_normal_form(span, normal):
    from nlp.names import person_normal

    assert person_normal(span) == normal


def test_dates():
    text = "17.05.2021, 2021-05-17, 26 февраля 2021г., мае 2021 г., в 2020 году, 1 сентября"
    assert [(d.text, d.normal) for d in find_dates(text)] == [
        ("17.05.2021", "2021-05-17"),
        ("2021-05-17", "2021-05-17"),
        ("26 февраля 2021г.", "2021-02-26"),
        ("мае 2021 г.", "2021-05"),
        ("2020 году", "2020"),
        ("1 сентября", "--09-01"),
    ]


def test_settlements():
    text = "г.Курска, Льговского муниципального района, д. Еськово, Курский р-н, с. Иваново"
    assert [(s.kind, s.name) for s in find_settlements(text)] == [
        ("city", "Курск"),
        ("district", "Льговский район"),
        ("деревня", "деревня Еськово"),
        ("district", "Курский район"),
        ("село", "село Иваново"),
    ]


def test_address_parts():
    [address] = find_addresses("проживаю: ул. Бойцов 9-й Дивизии, д. 195, корп. 2, кв. 46.")
    assert (address.street, address.house, address.flat) == ("ул. Бойцов 9-й Дивизии", "195", "46")
    assert address.text == "ул. Бойцов 9-й Дивизии, д. 195, корп. 2, кв. 46"


def test_lemmatize_and_sentences():
    assert lemmatize("Жители Курской области просят отремонтировать дороги.") == [
        "житель", "курский", "область", "просить", "отремонтировать", "дорога"
    ]  # fmt: skip
    assert sentences("Нет света. Третий день! Когда дадут?") == [
        "Нет света.",
        "Третий день!",
        "Когда дадут?",
    ]


def test_analyze_is_thread_safe():
    texts = [
        APPEAL_HTML,
        "Прошу Иванова И.И. проверить дом по ул. Мира, 5 в Костроме",
        "В Улан-Удэ, тел. 8 (3012) 21-34-56, нет воды",
    ] * 4
    expected = [analyze(t).to_dict() for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(lambda t: analyze(t).to_dict(), texts)) == expected
