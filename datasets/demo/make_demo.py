"""Write the demo data set: datasets/demo/messages.jsonl (and faq_kb.jsonl).

Two quarters of 2026 (April–June, July–September) of messages to four regional bodies, written
by the project from templates — no real person or appeal behind any of them (names and phone
numbers in a few texts are made up, to show the masking). Planted trends, for the pain map,
the FAQ and the report to find:

* a growing pain: «Запись к врачу» — cannot get through to the registry, no appointment slots
  (aspects reachability and queues), about three times as many complaints in the third quarter;
* a question group growing by more than 30 %: «как оформить единое пособие» (30 → 62, a
  campaign), and one growing by 10 % («как встать на учёт в центр занятости», 40 → 44, none);
* new in the third quarter: a question group «отопительный сезон» and the topic «Животные»
  (stray dogs) absent in the second quarter.

Beside them, press_stream.jsonl: open-resource items for the press desk (posts, comments
under the organisations' own posts, mentions, reviews on map sites) with `url`, `author`,
`reach`, `official` and, instead of a date, `minutes_ago`: `otklik demo` dates them back from
the moment it runs, so the triage queue always has items near and past their 2 h / 4 h
deadlines, and a planted spike — 17 negative posts about heating in the Железнодорожный
district of Улан-Удэ within the last two hours, against about one such post a day before.

    python datasets/demo/make_demo.py [--output datasets/demo] [--seed 2026]

A script beside the data it writes (datasets/ is not a package); it imports nothing of otklik.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
Q2 = (datetime(2026, 4, 1), datetime(2026, 7, 1))
Q3 = (datetime(2026, 7, 1), datetime(2026, 10, 1))

REGIONS = {
    "Республика Бурятия": ["Улан-Удэ", "Гусиноозёрск", "Северобайкальск", "Кяхта"],
    "Амурская область": ["Благовещенск", "Белогорск", "Свободный", "Тында"],
    "Костромская область": ["Кострома", "Галич", "Шарья", "Нерехта"],
    "Магаданская область": ["Магадан", "Сусуман", "Ола", "Ягодное"],
}
IN_CITY = {  # «в {city}»: the prepositional case
    "Улан-Удэ": "Улан-Удэ", "Гусиноозёрск": "Гусиноозёрске", "Северобайкальск": "Северобайкальске",
    "Кяхта": "Кяхте", "Благовещенск": "Благовещенске", "Белогорск": "Белогорске",
    "Свободный": "Свободном", "Тында": "Тынде", "Кострома": "Костроме", "Галич": "Галиче",
    "Шарья": "Шарье", "Нерехта": "Нерехте", "Магадан": "Магадане", "Сусуман": "Сусумане",
    "Ола": "Оле", "Ягодное": "Ягодном",
}  # fmt: skip
REGION_WEIGHTS = [0.34, 0.28, 0.24, 0.14]
STREETS = ["Ленина", "Советской", "Гагарина", "Мира", "Пушкина", "Октябрьской", "Кирова",
           "Комсомольской", "Школьной", "Набережной"]  # fmt: skip
OPENINGS = ["", "", "Здравствуйте! ", "Добрый день. ", "Здравствуйте. ", "Обращаюсь повторно. ",
            "Уважаемые специалисты! "]  # fmt: skip
CLOSINGS = ["", "", " Прошу разобраться.", " Примите меры!", " Сколько можно?",
            " Прошу дать ответ в установленный срок.", " Очень надеюсь на помощь."]  # fmt: skip
FAKE_CONTACTS = [
    " Моя фамилия Колесникова Анна Викторовна, телефон для связи 8 914 555-12-34.",
    " С уважением, Дорофеев Игорь Сергеевич, тел. +7 (924) 700-11-22.",
    " Ответ прошу направить на почту demo.zhitel@example.ru.",
    " Пишу от имени мамы, Семёновой Галины Петровны, 1949 г. р.",
]
STATUSES = ["наемный работник", "индивидуальный предприниматель", "пенсионер",
            "лицо с инвалидностью", "многодетная семья", "обучающийся", "безработный"]  # fmt: skip
STATUS_WEIGHTS = [0.34, 0.06, 0.27, 0.08, 0.09, 0.06, 0.10]

# service: (topic, organization, touchpoints, {aspect: [complaint templates]})
SERVICES = {
    "Запись к врачу": (
        "healthcare",
        "Министерство здравоохранения",
        ["Регистратура поликлиники", "Колл-центр", "Портал записи"],
        {
            "reachability": [
                "Невозможно дозвониться в регистратуру поликлиники в {city}: звоню с утра третий"
                " день, трубку никто не берёт.",
                "В поликлинику г. {town} не дозвониться — то занято, то сбрасывают. Как"
                " записаться к терапевту, если телефон не отвечает?",
                "Колл-центр записи к врачу не отвечает часами, висишь на линии по 40 минут и"
                " потом звонок обрывается.",
                "Дозвониться в детскую поликлинику г. {town} нереально, ребёнок болеет, а"
                " записаться к педиатру не можем уже неделю.",
                "Горячая линия записи к врачам в {city} не работает: автоответчик и гудки, живого"
                " человека не услышать.",
            ],
            "queues": [
                "Талонов к эндокринологу в {city} нет, ближайшая запись только через два месяца.",
                "Записаться к неврологу невозможно: свободных талонов нет ни на портале, ни в"
                " регистратуре. Говорят приходить к 7 утра за талоном.",
                "В поликлинике г. {town} живая очередь к терапевту по три часа, запись по"
                " времени не соблюдается.",
                "Запись к кардиологу закрыта, в регистратуре отвечают что талоны будут в следующем"
                " месяце. Пожилым людям так ждать нельзя.",
                "Очередь на МРТ в {city} — полтора месяца, а направление действует две недели.",
            ],
            "digital": [
                "Через Госуслуги записаться к врачу невозможно: пишет «нет доступного времени»,"
                " хотя в регистратуре говорят что запись есть.",
                "Сайт записи к врачу в {city} постоянно выдаёт ошибку, личный кабинет не"
                " открывается.",
            ],
            "staff": [
                "Медрегистратор в поликлинике г. {town} разговаривала грубо, отказалась записать и"
                " бросила трубку.",
                "Сотрудники регистратуры хамят пациентам, на вопросы отвечают раздражённо.",
            ],
        },
    ),
    "Назначение пособий и выплат": (
        "social_support",
        "Министерство социальной защиты населения",
        ["Личный приём", "Портал Госуслуг", "Окно МФЦ"],
        {
            "documents": [
                "Для оформления пособия требуют справки, которые уже есть у ведомств. Третий раз"
                " отправляют за новой бумагой.",
                "В соцзащите г. {town} отказались принять заявление на выплату из-за отсутствия"
                " копии документа, которую раньше не требовали.",
                "Список документов на субсидию меняется каждый раз, никто не может сказать точно"
                " что нужно.",
            ],
            "waiting": [
                "Выплату на ребёнка назначили, но деньги не приходят уже второй месяц.",
                "Заявление на субсидию по оплате ЖКУ рассматривают дольше положенного срока,"
                " ответа нет полтора месяца.",
                "Компенсацию ветерану труда задерживают третий месяц, в {city} никто не объясняет"
                " причину.",
            ],
            "result": [
                "Отказали в едином пособии, хотя доход семьи ниже прожиточного минимума. Отказ"
                " считаю незаконным.",
                "Многодетной семье отказали в выплате без объяснения причин.",
            ],
            "information": [
                "На сайте соцзащиты устаревшая информация о выплатах, телефоны не работают,"
                " узнать ничего невозможно.",
            ],
        },
    ),
    "Ремонт дорог": (
        "roads",
        "Министерство транспорта и дорожного хозяйства",
        ["Обращение в администрацию", "Сайт ведомства"],
        {
            "result": [
                "На улице {street} в {city} яма на яме, ремонт обещали в прошлом году, но ничего"
                " не сделано.",
                "После ремонта дороги на улице {street} асфальт снова развалился через месяц."
                " Куда смотрит подрядчик?",
                "Дорога к посёлку под г. {town} в ужасном состоянии, скорая не может проехать.",
            ],
            "waiting": [
                "Жалобу на разбитую дорогу по улице {street} подавали весной, ответа до сих пор"
                " нет.",
            ],
        },
    ),
    "Вывоз ТКО": (
        "ecology_waste",
        "Региональный оператор по обращению с ТКО",
        ["Колл-центр регоператора", "Сайт регоператора"],
        {
            "result": [
                "Мусор во дворе по улице {street} в {city} не вывозят уже неделю, контейнеры"
                " переполнены.",
                "Контейнерная площадка у дома завалена отходами, вывоз нерегулярный.",
            ],
            "cost": [
                "Плата за вывоз мусора выросла, а мусор как не вывозили, так и не вывозят."
                " Требую перерасчёт.",
                "Начисляют за вывоз ТКО на умершего родственника, перерасчёт не делают.",
            ],
            "reachability": [
                "Дозвониться до регоператора по вывозу мусора невозможно, линия всё время"
                " занята.",
            ],
        },
    ),
    "Общественный транспорт": (
        "public_transport",
        "Министерство транспорта и дорожного хозяйства",
        ["Остановка / маршрут", "Диспетчерская служба"],
        {
            "waiting": [
                "Автобус № {route} в {city} ходит раз в час вместо 15 минут, люди мёрзнут на"
                " остановке.",
                "Утром автобусы по маршруту {route} не приходят, опаздываем на работу.",
            ],
            "staff": [
                "Водитель автобуса № {route} грубил пассажирам и не остановился на остановке"
                " по требованию.",
                "Кондуктор на маршруте {route} отказалась принять оплату картой и высадила"
                " пенсионерку.",
            ],
            "cost": [
                "Проезд в автобусе снова подорожал, для пенсионеров это очень дорого.",
            ],
        },
    ),
    "Отопление и горячая вода": (
        "housing_utilities",
        "Министерство ЖКХ и энергетики",
        ["Управляющая компания", "Диспетчерская ЖКХ"],
        {
            "result": [
                "В доме по улице {street} в {city} нет горячей воды уже три недели, управляющая"
                " компания ничего не делает.",
                "Течёт крыша, в квартире плесень, заявки в управляющую компанию игнорируют.",
                "После опрессовки батареи в доме еле тёплые, в квартире холодно.",
            ],
            "cost": [
                "Счёт за отопление завышен в два раза, перерасчёт делать отказываются.",
            ],
            "reachability": [
                "Аварийно-диспетчерская служба не отвечает на звонки, в подвале прорыв трубы.",
            ],
        },
    ),
    "Содействие занятости": (
        "employment",
        "Центр занятости населения",
        ["Личный приём", "Портал «Работа России»"],
        {
            "staff": [
                "Инспектор центра занятости в {city} отнеслась ко мне пренебрежительно,"
                " консультацию не дала.",
            ],
            "documents": [
                "Для постановки на учёт как безработного требуют кучу справок, хотя всё есть на"
                " портале.",
            ],
            "digital": [
                "Портал «Работа России» не даёт подать заявление, ошибка при загрузке резюме.",
            ],
            "result": [
                "Полгода стою на учёте в центре занятости, ни одной подходящей вакансии не"
                " предложили.",
            ],
        },
    ),
    "Выдача документов в МФЦ": (
        "public_services",
        "МФЦ",
        ["Окно МФЦ", "Электронная очередь МФЦ"],
        {
            "queues": [
                "В МФЦ г. {town} очередь по два часа, из десяти окон работают три.",
                "Электронная очередь в МФЦ не работает, талоны кончаются к обеду.",
            ],
            "waiting": [
                "Документы из МФЦ не готовы в срок, уже дважды переносили дату выдачи.",
            ],
            "accessibility": [
                "В МФЦ в {city} нет пандуса, маме на коляске не попасть внутрь.",
            ],
            "premises": [
                "В зале ожидания МФЦ душно, не хватает стульев, пожилые люди стоят.",
            ],
        },
    ),
}
SERVICE_WEIGHTS = {
    "Запись к врачу": 1.0, "Назначение пособий и выплат": 1.1, "Ремонт дорог": 0.8,
    "Вывоз ТКО": 0.7, "Общественный транспорт": 0.7, "Отопление и горячая вода": 0.9,
    "Содействие занятости": 0.5, "Выдача документов в МФЦ": 0.8,
}  # fmt: skip

# FAQ groups: (service, counts per quarter (Q2, Q3), paraphrases)
# FAQ groups: (service, counts per quarter (Q2, Q3), wordings of the same question)
QUESTIONS = {
    "unified_allowance": (
        "Назначение пособий и выплат", (30, 62),
        [
            "Как оформить единое пособие на ребёнка?",
            "Подскажите, как оформить единое пособие на детей?",
            "Как подать заявление на единое пособие на ребенка?",
            "Куда обращаться, чтобы оформить единое пособие на ребёнка?",
            "Хочу оформить единое пособие на детей, как это сделать?",
            "Как получить единое пособие на ребёнка, куда подавать заявление?",
        ],
    ),
    "employment_registration": (
        "Содействие занятости", (40, 44),
        [
            "Как встать на учёт в центр занятости как безработный?",
            "Как встать на учет в центре занятости в качестве безработного?",
            "Подскажите, как встать на учёт по безработице в центре занятости?",
            "Как мне встать на учёт как безработному в центр занятости?",
            "Что нужно, чтобы встать на учёт в центре занятости как безработный?",
        ],
    ),
    "hot_water": (
        "Отопление и горячая вода", (25, 27),
        [
            "Когда дадут горячую воду после отключения?",
            "Когда включат горячую воду после летнего отключения?",
            "Подскажите, когда дадут горячую воду на улице {street}?",
            "Когда снова будет горячая вода после отключения?",
        ],
    ),
    "capital_repair_compensation": (
        "Назначение пособий и выплат", (20, 21),
        [
            "Как пенсионеру получить компенсацию за взносы на капремонт?",
            "Как получить компенсацию взносов на капремонт пенсионеру?",
            "Подскажите, как пенсионеру оформить компенсацию за капремонт?",
        ],
    ),
    "waste_schedule": (
        "Вывоз ТКО", (18, 18),
        [
            "Где узнать график вывоза мусора?",
            "Где посмотреть график вывоза мусора на улице {street}?",
            "Подскажите, где найти график вывоза мусора в {city}?",
        ],
    ),
    "transport_card": (
        "Общественный транспорт", (22, 24),
        [
            "Как оформить социальную транспортную карту?",
            "Где оформить социальную транспортную карту пенсионеру?",
            "Подскажите, как получить социальную транспортную карту?",
        ],
    ),
    "mfc_status": (
        "Выдача документов в МФЦ", (20, 22),
        [
            "Как узнать статус заявления, поданного в МФЦ?",
            "Где проверить статус заявления в МФЦ?",
            "Подскажите, как узнать статус моего заявления в МФЦ?",
        ],
    ),
    "heating_season": (
        "Отопление и горячая вода", (0, 30),
        [
            "Когда начнётся отопительный сезон в {city}?",
            "Когда начнется отопительный сезон в этом году?",
            "Подскажите, когда начинается отопительный сезон?",
            "С какого числа начнётся отопительный сезон?",
        ],
    ),
}
KB = [
    ("kb-1", "Как встать на учёт в центре занятости в качестве безработного?"),
    ("kb-2", "Где посмотреть график отключения горячей воды?"),
    ("kb-3", "Как получить компенсацию расходов на уплату взноса на капитальный ремонт?"),
    ("kb-4", "Как оформить социальную транспортную карту?"),
    ("kb-5", "Как узнать о готовности документов в МФЦ?"),
    ("kb-6", "Как получить справку о составе семьи?"),
]
POSITIVE = [
    ("healthcare", "Запись к врачу",
     "Благодарю врача-терапевта поликлиники г. {town} за внимательное отношение и помощь."),
    ("social_support", "Назначение пособий и выплат",
     "Спасибо специалистам соцзащиты г. {town}: выплату оформили быстро и всё объяснили."),
    ("public_services", "Выдача документов в МФЦ",
     "Очень понравилось обслуживание в МФЦ, приняли без очереди, всё вежливо и быстро."),
    ("roads", "Ремонт дорог",
     "Спасибо за ремонт дороги на улице {street}, наконец-то можно нормально ездить!"),
    ("public_transport", "Общественный транспорт",
     "Благодарность водителю автобуса № {route} за аккуратное вождение и вежливость."),
    ("employment", "Содействие занятости",
     "Центр занятости помог найти работу за месяц, спасибо консультанту за поддержку."),
    ("housing_utilities", "Отопление и горячая вода",
     "Спасибо аварийной службе, быстро устранили течь в подвале нашего дома."),
]  # fmt: skip
SUGGESTIONS = [
    ("public_transport", "Общественный транспорт",
     "Предлагаю пустить дополнительный автобус по маршруту {route} в часы пик."),
    ("landscaping", None,
     "Предлагаю установить скамейки и освещение в сквере на улице {street} в {city}."),
    ("healthcare", "Запись к врачу",
     "Предлагаю сделать в поликлиниках г. {town} запись к врачу через чат-бот в мессенджере."),
    ("public_services", "Выдача документов в МФЦ",
     "Предлагаю продлить работу МФЦ в субботу до 18 часов."),
]  # fmt: skip
STRAY_DOGS = [
    "Во дворе по улице {street} в {city} стая бездомных собак бросается на детей.",
    "Бродячие собаки у школы в {city}, дети боятся ходить. Куда смотрит отлов?",
    "На остановке постоянно стая собак, вчера покусали женщину. Примите меры!",
    "Безнадзорные собаки в микрорайоне нападают на прохожих, прошу организовать отлов.",
]
SURVEY_TEXTS = {
    "good": ["Всё понравилось, спасибо.", "Быстро и вежливо.", "Услугу получил без проблем.",
             "Специалист всё подробно объяснил."],
    "bad": ["Долго ждал в очереди.", "Не смог дозвониться заранее.",
            "Пришлось приходить несколько раз.", "Сотрудник был неприветлив."],
}  # fmt: skip


class Writer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rows: list[dict] = []

    def place(self) -> tuple[str, str]:
        region = self.rng.choices(list(REGIONS), REGION_WEIGHTS)[0]
        return region, self.rng.choice(REGIONS[region])

    def fill(self, template: str, city: str) -> str:
        return template.format(
            city=city, town="{town}", street=self.rng.choice(STREETS),
            route=self.rng.randint(2, 48),
        )  # fmt: skip

    def when(self, quarter: tuple[datetime, datetime], social: bool) -> datetime:
        span = (quarter[1] - quarter[0]).days
        day = quarter[0] + timedelta(days=self.rng.randrange(span))
        if not social and day.weekday() >= 5 and self.rng.random() < 0.7:
            day -= timedelta(days=day.weekday() - 4)  # most official mail on weekdays
        hour = self.rng.randint(0, 23) if social else self.rng.randint(8, 19)
        return day + timedelta(hours=hour, minutes=self.rng.randrange(60))

    def answer(self, row: dict, received: datetime, social: bool, quarter_end: datetime):
        rng = self.rng
        if row["kind"] in ("review", "survey_answer"):
            return
        if social:
            hours = rng.lognormvariate(0.2, 0.8)
            if row["kind"] == "mention" and rng.random() < 0.3:
                return
            row["answered_at"] = (received + timedelta(hours=hours)).isoformat(timespec="minutes")
            return
        if received > quarter_end - timedelta(days=20) and rng.random() < 0.3:
            return  # still being considered at the end of the data
        extended = rng.random() < 0.08
        days = rng.gammavariate(2.2, 6.0)
        if extended:
            days = rng.uniform(31, 58)
        elif rng.random() < 0.04:
            days = rng.uniform(31, 45)  # overdue
        row["extended"] = extended
        row["answered_at"] = (received + timedelta(days=days)).isoformat(timespec="minutes")

    def profile(self, row: dict) -> None:
        if self.rng.random() < 0.6:
            row["age"] = min(90, max(18, int(self.rng.gauss(49, 16))))
            row["gender"] = self.rng.choices(["female", "male"], [0.62, 0.38])[0]
            row["social_status"] = self.rng.choices(STATUSES, STATUS_WEIGHTS)[0]

    def add(self, text: str, quarter, *, service: str | None, topic_org: str | None,
            touchpoint: str | None, kind: str, channel: str, outcome_bias: float = 0.0,
            region_city: tuple[str, str] | None = None,
            complaint: bool = False) -> dict:  # fmt: skip
        region, city = region_city or self.place()
        social = channel in ("social_vk", "telegram", "social_ok")
        received = self.when(quarter, social)
        row = {
            "text": text.replace("{city}", IN_CITY[city]).replace("{town}", city),
            "kind": kind,
            "channel": channel,
            "received_at": received.isoformat(timespec="minutes"),
            "region": region,
        }
        if topic_org:
            row["organization"] = topic_org
        if service:
            row["service"] = service
        if touchpoint:
            row["touchpoint"] = touchpoint
        self.answer(row, received, social, quarter[1])
        if complaint and "answered_at" in row:
            weights = [0.42 - outcome_bias, 0.22 + outcome_bias, 0.26, 0.10]
            row["outcome"] = self.rng.choices(
                ["satisfied", "unsatisfied", "explained", "forwarded"], weights
            )[0]
        elif "answered_at" in row and kind in ("appeal", "question"):
            row["outcome"] = self.rng.choices(["explained", "satisfied", "forwarded"],
                                              [0.7, 0.2, 0.1])[0]  # fmt: skip
        if not social:
            self.profile(row)
        self.rows.append(row)
        return row


def complaint_channel(rng: random.Random) -> tuple[str, str]:
    channel = rng.choices(
        ["website", "email", "gosuslugi", "phone", "hotline", "reception", "social_vk",
         "telegram", "review_book"],
        [0.2, 0.1, 0.17, 0.1, 0.08, 0.07, 0.16, 0.08, 0.04],
    )[0]  # fmt: skip
    if channel in ("social_vk", "telegram"):
        kind = rng.choices(["post", "comment", "mention"], [0.4, 0.4, 0.2])[0]
    elif channel == "review_book":
        kind = "review"
    else:
        kind = rng.choice(["complaint", "appeal"])
    return channel, kind


def generate(seed: int = 2026) -> tuple[list[dict], list[dict]]:
    rng = random.Random(seed)
    w = Writer(rng)
    for q_index, quarter in enumerate((Q2, Q3)):
        # complaints: a base of ~50 per service weight unit, the planted pain on top
        for service, (_topic, org, touchpoints, aspects) in SERVICES.items():
            base = int(round(64 * SERVICE_WEIGHTS[service]))
            for _ in range(base):
                aspect = rng.choice(list(aspects))
                template = rng.choice(aspects[aspect])
                text = rng.choice(OPENINGS) + w.fill(template, "{city}") + rng.choice(CLOSINGS)
                if rng.random() < 0.05:
                    text += rng.choice(FAKE_CONTACTS)
                channel, kind = complaint_channel(rng)
                w.add(text, quarter, service=service, topic_org=org,
                      touchpoint=rng.choice(touchpoints), kind=kind, channel=channel,
                      complaint=True)  # fmt: skip
            if service == "Запись к врачу":
                planted = 22 if q_index == 0 else 95
                for _ in range(planted):
                    aspect = rng.choice(["reachability", "reachability", "queues"])
                    template = rng.choice(aspects[aspect])
                    text = rng.choice(OPENINGS) + w.fill(template, "{city}") + rng.choice(CLOSINGS)
                    channel, kind = complaint_channel(rng)
                    region = rng.choices(list(REGIONS), [0.55, 0.2, 0.15, 0.1])[0]
                    w.add(text, quarter, service=service, topic_org=org,
                          touchpoint=rng.choice(touchpoints[:2]), kind=kind, channel=channel,
                          complaint=True, outcome_bias=0.12 * q_index,
                          region_city=(region, rng.choice(REGIONS[region])))  # fmt: skip
        # questions (FAQ groups)
        for group, (service, counts, paraphrases) in QUESTIONS.items():
            org, touchpoints = SERVICES[service][1], SERVICES[service][2]
            for _ in range(counts[q_index]):
                text = w.fill(rng.choice(paraphrases), "{city}")
                if rng.random() < 0.3:
                    text = rng.choice(["Здравствуйте! ", "Добрый день. ", ""]) + text
                channel = rng.choices(["hotline", "website", "gosuslugi", "social_vk", "email"],
                                      [0.35, 0.25, 0.15, 0.15, 0.1])[0]  # fmt: skip
                kind = "comment" if channel == "social_vk" else "question"
                region_city = None
                if group == "unified_allowance" and q_index == 1 and rng.random() < 0.5:
                    region_city = ("Амурская область", rng.choice(REGIONS["Амурская область"]))
                w.add(text, quarter, service=service, topic_org=org,
                      touchpoint=rng.choice(touchpoints), kind=kind, channel=channel,
                      region_city=region_city)  # fmt: skip
        # new topic of the third quarter: stray dogs
        if q_index == 1:
            for _ in range(26):
                text = w.fill(rng.choice(STRAY_DOGS), "{city}") + rng.choice(CLOSINGS)
                channel, kind = complaint_channel(rng)
                w.add(text, quarter, service=None, topic_org="Администрация муниципалитета",
                      touchpoint=None, kind=kind, channel=channel, complaint=True)  # fmt: skip
        # gratitude and suggestions
        for _ in range(85):
            _topic, service, template = rng.choice(POSITIVE)
            channel = rng.choice(["website", "social_vk", "review_book", "email", "telegram"])
            kind = {"social_vk": "comment", "telegram": "post", "review_book": "review"}.get(
                channel, "appeal"
            )
            w.add(w.fill(template, "{city}"), quarter, service=service,
                  topic_org=SERVICES[service][1], touchpoint=None, kind=kind,
                  channel=channel)  # fmt: skip
        for _ in range(30):
            _topic, service, template = rng.choice(SUGGESTIONS)
            org = SERVICES[service][1] if service else "Администрация муниципалитета"
            w.add(w.fill(template, "{city}"), quarter, service=service, topic_org=org,
                  touchpoint=None, kind="appeal", channel=rng.choice(["website", "email"]))
        # survey answers with CSAT / NPS / CES
        for _ in range(180):
            service = rng.choice(list(SERVICES))
            worse = 1.0 if (service == "Запись к врачу" and q_index == 1) else 0.0
            good = rng.random() > 0.25 + 0.35 * worse
            row = w.add(rng.choice(SURVEY_TEXTS["good" if good else "bad"]), quarter,
                        service=service, topic_org=SERVICES[service][1],
                        touchpoint=rng.choice(SERVICES[service][2]), kind="survey_answer",
                        channel="survey")  # fmt: skip
            row["csat"] = rng.choice([4, 5, 5]) if good else rng.choice([1, 2, 3, 3])
            row["nps"] = rng.choice([8, 9, 10, 10]) if good else rng.choice([2, 4, 5, 6, 7])
            row["ces"] = rng.choice([4, 5]) if good else rng.choice([1, 2, 3])
    rows = sorted(w.rows, key=lambda r: r["received_at"])
    for i, row in enumerate(rows, start=1):
        row["id"] = f"demo-{i:05d}"
        row["client"] = "external"
    ordered = [{"id": r.pop("id"), **r} for r in rows]
    kb = [{"faq_id": fid, "faq_question": q} for fid, q in KB]
    return ordered, kb


# ---------------------------------------------------------------- the press desk's stream
# (minutes ago, channel, kind, official, reach, text); written for the demo, not collected.
STREAM = [
    (25, "social_vk", "comment", True, 310,
     "Под вашим постом про ремонт дорог: на улице Гагарина, 14 яму так и не засыпали, вчера "
     "пробил колесо. Обращение № 03-118 от прошлой недели, ответа нет."),
    (70, "social_vk", "comment", True, 95,
     "А когда будет приём у педиатра в поликлинике на Ключевской? Записи нет уже месяц."),
    (104, "social_ok", "comment", True, 42,
     "Спасибо за новость, но у нас в Кяхте автобус №2 опять не вышел на линию, люди стоят на "
     "остановке по полчаса."),
    (118, "telegram", "comment", True, 520,
     "Ваш канал пишет, что мусор вывозят по графику. На Советской, 31 контейнеры переполнены "
     "третий день, всё разносят собаки."),
    (135, "social_vk", "comment", True, 1800,
     "Обращение № 44-2071: с понедельника на улице Мира, 7 нет горячей воды, управляющая "
     "компания трубку не берёт. Когда дадут воду?"),
    (160, "social_vk", "comment", True, 260,
     "Пишу под вашим постом, потому что по телефону не дозвониться: когда выплатят единое "
     "пособие за октябрь? Заявление подавали 2 октября."),
    (40, "telegram", "mention", False, 12400,
     "Жители Благовещенска жалуются, что на переезде у Белогорской снова пробка на час: "
     "светофор не работает с утра."),
    (95, "social_vk", "mention", False, 3400,
     "Минздрав снова обещает новые талоны к неврологу, а в Шарье записаться невозможно: "
     "госуслуги показывают «нет свободного времени»."),
    (190, "open_resource", "mention", False, 870,
     "На форуме города обсуждают: в Галиче полгода не могут починить освещение в парке, "
     "вечером идти страшно."),
    (215, "telegram", "mention", False, 25000,
     "Магадан: водители маршруток отказываются брать карты, только наличные. Куда смотрит "
     "транспортный отдел?"),
    (250, "social_ok", "mention", False, 150,
     "В Сусумане опять отключили свет на весь вечер, без предупреждения. Когда это "
     "закончится?"),
    (300, "social_vk", "mention", False, 640,
     "Кто знает, куда жаловаться на управляющую компанию? Подъезд не убирают с лета."),
    (55, "open_resource", "review", False, 35,
     "Отзыв о МФЦ на Ленина: очередь два часа, работали два окна из шести. Консультант "
     "вежливый, но это не спасает. Две звезды."),
    (130, "open_resource", "review", False, 18,
     "Поликлиника №3 в Улан-Удэ: регистратура не берёт трубку, электронная очередь зависает. "
     "Врач хороший, попасть к нему — квест."),
    (400, "open_resource", "review", False, 22,
     "Центр занятости в Тынде: всё объяснили и помогли с резюме за 20 минут. Спасибо "
     "сотрудникам!"),
    (20, "social_vk", "post", False, 2100,
     "Благодарю коммунальщиков Костромы: за ночь расчистили двор после снегопада, утром "
     "спокойно выехали."),
    (480, "telegram", "post", False, 7800,
     "Напоминаем: приём документов на компенсацию за газификацию продлили до конца месяца. "
     "Кто не успел — ещё можно."),
    (8, "social_vk", "comment", True, 75,
     "Подскажите, как записать ребёнка в кружок робототехники через госуслуги? Кнопка не "
     "активна."),
    (12, "open_resource", "mention", False, 430,
     "Тында: во дворе по улице Кирова, 5 третью неделю стоит открытый люк, никто не огородил."),
]
SPIKE_PLACE = "Железнодорожный район"  # of Улан-Удэ
SPIKE = [
    "Железнодорожный район Улан-Удэ, опять нет отопления! В квартире +15, дети в куртках.",
    "Улан-Удэ, Железнодорожный район: батареи ледяные со вчерашнего вечера. Сколько можно?",
    "Железнодорожный район Улан-Удэ — в доме отопления нет, в управляющей компании молчат.",
    "У нас в Железнодорожном районе Улан-Удэ холодные батареи уже сутки, никто ничего не "
    "объясняет!",
    "Железнодорожный район Улан-Удэ замерзает: отопление отключили без предупреждения.",
    "Пишу из Железнодорожного района: в квартире холодно, батареи не греют, управляющая "
    "компания не отвечает. Дайте тепло!",
    "Улан-Удэ, Железнодорожный район. Нет отопления, пожилые соседи греются обогревателями, "
    "выбивает пробки.",
    "Железнодорожный район Улан-Удэ: почему отключили отопление в домах и никто не сообщил? "
    "Холодно!",
    "В Железнодорожном районе Улан-Удэ батареи еле тёплые, а за отопление платим полностью. "
    "Безобразие.",
    "Железнодорожный район, Улан-Удэ — третий подъезд подряд без тепла. Примите меры!",
    "Улан-Удэ, Железнодорожный район: в квартирах +16, батареи холодные, жильцы возмущены.",
    "Железнодорожный район Улан-Удэ — когда дадут отопление? На улице минус двадцать пять.",
    "Железнодорожный район: звонили в аварийную службу ЖКХ — занято весь день. Батареи "
    "холодные!",
    "Железнодорожный район Улан-Удэ: в доме нет отопления вторые сутки, управляющая компания "
    "не чешется.",
    "Улан-Удэ, Железнодорожный район — холодные батареи во всём доме, платим за тепло зря!",
    "Железнодорожный район: отопления нет, в квартире сыро и холодно, жалуемся уже неделю.",
    "Улан-Удэ, Железнодорожный район — нет отопления и горячей воды. Ужас, а не сервис.",
]
SPIKE_BASELINE = [  # one such post a day in the fortnight before: the usual rate
    "Железнодорожный район Улан-Удэ: в подъезде холодно, окна не заделаны, просим утеплить.",
    "Улан-Удэ, Железнодорожный район — батарея в комнате чуть тёплая, вызвали сантехника.",
]
HANDLES = ["@marina_k", "@sergey.p", "Ольга В.", "@tunka_dad", "@kostroma_life", "Иван Н.",
           "@baikal_mom", "@dv_driver", "Анна С.", "@severyanin", "@zhkh_watch", "Елена Т."]


def press_stream(seed: int = 2026) -> list[dict]:
    """Open-resource items timed in minutes before the demo is loaded."""
    rng = random.Random(seed + 15)
    rows: list[dict] = []

    def add(minutes: int, channel: str, kind: str, official: bool, reach: int, text: str):
        n = len(rows) + 1
        url = {
            "social_vk": f"https://vk.com/wall-170031{n:03d}_{4100 + n}",
            "social_ok": f"https://ok.ru/group/5573{n:04d}/topic/{88100 + n}",
            "telegram": f"https://t.me/region_news_demo/{17200 + n}",
            "open_resource": f"https://maps.example.ru/org/demo-{n:04d}/reviews",
        }[channel]
        row = {"id": f"press-{n:03d}", "text": text, "channel": channel, "kind": kind,
               "official": official, "reach": reach, "url": url, "author": rng.choice(HANDLES),
               "minutes_ago": minutes}  # fmt: skip
        if official:
            row["parent_url"] = url.rsplit("_", 1)[0] + "_4000"
        rows.append(row)

    for item in STREAM:
        add(*item)
    for i, text in enumerate(SPIKE):  # within the last two hours
        add(5 + i * 6, rng.choice(["social_vk", "telegram", "social_ok"]), "post", False,
            rng.randint(40, 3000), text)  # fmt: skip
    for day in range(1, 15):
        add(day * 24 * 60 + rng.randint(0, 600), "social_vk", "post", False,
            rng.randint(20, 400), SPIKE_BASELINE[day % 2])  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=HERE)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    rows, kb = generate(args.seed)
    args.output.mkdir(parents=True, exist_ok=True)
    with (args.output / "messages.jsonl").open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    with (args.output / "faq_kb.jsonl").open("w", encoding="utf-8") as handle:
        for row in kb:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    stream = press_stream(args.seed)
    with (args.output / "press_stream.jsonl").open("w", encoding="utf-8") as handle:
        for row in stream:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    q2 = sum(1 for r in rows if r["received_at"] < Q3[0].isoformat())
    print(f"{len(rows)} messages ({q2} in Q2, {len(rows) - q2} in Q3) → {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
