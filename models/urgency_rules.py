"""Explicit cues of urgency, so a press officer sees why a message went to the top.

The urgency head scores the level; these cues name the reason and lift a message to "high"
when a threat to life or health, an emergency or a mass outage is stated outright.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class UrgencyCue:
    id: str
    name: str
    pattern: re.Pattern[str]


def _cue(cue_id: str, name: str, *patterns: str) -> UrgencyCue:
    return UrgencyCue(cue_id, name, re.compile("|".join(patterns), re.IGNORECASE))


CUES: tuple[UrgencyCue, ...] = (
    _cue(
        "life_health",
        "Угроза жизни и здоровью",
        r"угроз\w* (?:для )?(?:жизни|здоровь)",
        r"опасн\w* для (?:жизни|здоровья|детей|людей)",
        r"(?:покусал|укусил|напал)\w* (?:на )?(?:ребён|ребен|дет|человек)",
        r"(?:стая|стаи) (?:собак|бродячих)",
        r"(?:висит|висят|оборван\w*|оголён\w*|оголен\w*) (?:провод|кабел)",
        r"открыт\w* (?:люк|колод)",
        r"не приезжа\w* скор|скорая не (?:приехала|едет)",
        r"умира\w*|погиб\w*|травмирова\w*|получил\w* травм",
    ),
    _cue(
        "emergency",
        "Авария или чрезвычайная ситуация",
        r"запах\w* газа|пахнет газом|утечк\w* газа",
        r"пожар\w*|задымлен\w*|(?:дом|квартира|здание|лес|трава|свалка)\w* гор(?:ит|ят)",
        r"прорыв\w*|затоп\w*|подтоп\w*|паводк\w*|наводнени\w*",
        r"обрушени\w*|обрушил\w*|рухнул\w*|трещин\w* (?:в|по) (?:стен|дом|фундамент)",
        r"авари\w*",
        r"(?:нет|отсутствует|отключил\w*|не дают) (?:отоплени|тепл)\w*",
        r"(?:батаре\w*|в квартире|дома) (?:ледян\w*|холодн\w*)",
    ),
    _cue(
        "mass_problem",
        "Массовая проблема",
        r"(?:весь|всё|все|целый|целая|целое) "
        r"(?:посел|посёл|город|сел|деревн|район|микрорайон|дом|улиц)\w*"
        r" (?:без|остал)",
        r"(?:несколько|много|сотни|тысячи) (?:домов|семей|жителей|улиц)",
        r"массов\w*",
    ),
)


def urgency_reasons(text: str) -> list[UrgencyCue]:
    return [cue for cue in CUES if cue.pattern.search(text)]
