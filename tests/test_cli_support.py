"""The one place the CLI turns an error into a line for a person (api/cli_support.run)."""

from __future__ import annotations

import argparse

import pytest

from api.cli_support import UserError, run
from insights.periods import PeriodError
from nlp.tables import TableError


def _raising(exc: BaseException):
    def handler(args: argparse.Namespace) -> int:
        raise exc

    return handler


@pytest.mark.parametrize(
    ("exc", "line"),
    [
        (UserError("нет такого файла"), "Ошибка: нет такого файла"),
        (TableError("Файл не найден: x.csv"), "Ошибка: Файл не найден: x.csv"),
        (PeriodError("bad period", "неверный период"), "Ошибка: неверный период"),
        (FileNotFoundError(2, "No such file or directory", "/nope/out.xlsx"),
         "Ошибка: не удалось прочитать или записать /nope/out.xlsx"),
    ],
)  # fmt: skip
def test_a_persons_error_is_one_russian_line_and_exit_code_2(exc, line, capsys):
    assert run(_raising(exc), argparse.Namespace()) == 2
    err = capsys.readouterr().err
    assert err.startswith(line) and "Traceback" not in err


def test_an_interrupt_says_what_the_command_left_behind(capsys):
    args = argparse.Namespace(interrupted="Прервано: модель не записана.")
    assert run(_raising(KeyboardInterrupt()), args) == 130
    assert capsys.readouterr().err.strip() == "Прервано: модель не записана."


def test_a_bug_is_not_dressed_up_as_a_users_error():
    with pytest.raises(ZeroDivisionError):
        run(_raising(ZeroDivisionError()), argparse.Namespace())
