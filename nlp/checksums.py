"""Check digits of Russian identifiers and bank cards."""

from __future__ import annotations

_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_is_valid(value: str) -> bool:
    """ИНН: 10 digits (organisation) or 12 digits (person), check digits per ФНС rules."""
    if not value.isdigit():
        return False
    if len(value) == 10:
        return _check_digit(value, _INN10) == int(value[9])
    if len(value) == 12:
        return _check_digit(value, _INN11) == int(value[10]) and _check_digit(value, _INN12) == int(
            value[11]
        )
    return False


def snils_is_valid(value: str) -> bool:
    """СНИЛС: 11 digits, the last two a checksum of the first nine."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) != 11:
        return False
    total = sum(int(d) * (9 - i) for i, d in enumerate(digits[:9]))
    if total > 101:
        total %= 101
    expected = 0 if total in (100, 101) else total
    return expected == int(digits[9:])


def luhn_is_valid(value: str) -> bool:
    digits = [int(ch) for ch in value if ch.isdigit()]
    if len(digits) < 2:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0
