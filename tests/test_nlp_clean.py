import pytest

from nlp.clean import clean_text
from nlp.language import detect_language


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<p>Первый абзац.</p><p>Второй абзац.</p>", "Первый абзац.\nВторой абзац."),
        ("Строка<br>строка<br/>строка<br data-cke-filler=`true`>", "Строка\nстрока\nстрока"),
        ("<ul><li>один</li><li>два</li></ul>", "один\nдва"),
        ("<div>яма</div><div>на дороге</div>", "яма\nна дороге"),
        ("<p style=`text-align:justify;`><span style=`color:black;`>Текст</span></p>", "Текст"),
        ("<strong>Срочно</strong>: нет <u>света</u>", "Срочно: нет света"),
        ("<table><tr><td>ул.</td><td>Ленина</td></tr></table>", "ул. Ленина"),
        ("Текст<script>alert(1)</script> дальше", "Текст дальше"),
        ("до<!-- комментарий -->ма", "дома"),
    ],
)
def test_html_is_stripped(raw, expected):
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Здравствуйте!&nbsp;Прошу", "Здравствуйте! Прошу"),
        ("&laquo;Мой Дом&raquo; &amp; ТСЖ", "«Мой Дом» & ТСЖ"),
        ("5&#8239;000 руб", "5 000 руб"),
        # escaped markup (as some portals export it) is markup: cleaning stays idempotent
        ("&lt;p&gt;Прошу&lt;/p&gt; помочь", "Прошу\nпомочь"),
        ("если a &lt; b и 5 &gt; 3", "если a < b и 5 > 3"),
    ],
)
def test_entities_are_unescaped(raw, expected):
    assert clean_text(raw) == expected


def test_invisible_characters_are_removed():
    raw = "\ufeffЗаранее\u200b спасибо!\u200d\u200b\u200b ули\u00adца Ле\u2060нина\u200e"
    assert clean_text(raw) == "Заранее спасибо! улица Ленина"


def test_unicode_is_nfc():
    decomposed = "Прои\u0306ти по улице"  # и + combining breve
    assert clean_text(decomposed) == "Пройти по улице"
    assert len(clean_text(decomposed)) == len("Пройти по улице")


def test_whitespace_is_collapsed():
    raw = "  Нет   света\t\tуже \r\n\r\n\r\n  три  дня \u00a0 \n\n"
    assert clean_text(raw) == "Нет света уже\nтри дня"


def test_angle_brackets_that_are_not_tags_stay():
    assert clean_text("температура <5 градусов, а > 3") == "температура <5 градусов, а > 3"
    assert clean_text("если a < b и b > c") == "если a < b и b > c"


def test_empty_input():
    assert clean_text("") == ""
    assert clean_text("<p>&nbsp;</p>\u200b") == ""


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Прошу отремонтировать дорогу во дворе дома.", "ru"),
        ("Сәлеметсіз бе! Алматы қаласы, Абай көшесі, 50 үйдің ауласындағы жолдар өте нашар.", "kk"),
        ("Мектептегі су ішетін фонтандар істемейді.", "kk"),
        ("Дорога зруйнована, і ніхто не ремонтує, що робити?", "uk"),
        ("Добры дзень, я жыву ў Мінску", "be"),
        ("Hello, please fix the road near my house", "en"),
        ("Straße kaputt, bitte reparieren", "latin"),
        ("12345 !!! 17.05.2021", "unknown"),
        ("", "unknown"),
        # one Kazakh place name in a Russian text does not make it Kazakh
        ("В городе Алматы на улице Абая (Абай көшесі) большие ямы, просим отремонтировать.", "ru"),
        ("Не работает сайт gosuslugi.ru, пишет error 500", "ru"),
    ],
)
def test_detect_language(text, language):
    assert detect_language(text) == language
