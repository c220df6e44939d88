import pytest
from django.core.exceptions import ValidationError

from orbit.common.validators import (
    format_phone,
    inn_is_valid,
    inn_with_control,
    normalize_phone,
    validate_kpp,
)

# Real, publicly listed taxpayers: Sberbank, Yandex, Gazprom, Rosneft, and an individual entrepreneur format.
VALID_INNS = ["7707083893", "7736207543", "7736050003", "7706107510", "500100732259"]
INVALID_INNS = [
    "7707083894",  # Sberbank with the control digit off by one
    "7736207542",
    "500100732258",  # second control digit wrong
    "500100732269",  # first control digit wrong
    "0000000000",
    "123456789",  # 9 digits
    "77070838931",  # 11 digits
    "77O7083893",  # a letter O
]


@pytest.mark.parametrize("inn", VALID_INNS)
def test_real_inns_pass(inn):
    assert inn_is_valid(inn)


@pytest.mark.parametrize("inn", INVALID_INNS)
def test_broken_inns_fail(inn):
    assert not inn_is_valid(inn)


def test_control_digits_are_computed_for_both_lengths():
    assert inn_with_control("770708389") == "7707083893"
    assert inn_with_control("5001007322") == "500100732259"


@pytest.mark.parametrize("kpp", ["773601001", "770401001", "7736AB001"])
def test_kpp_format_accepts(kpp):
    validate_kpp(kpp)


@pytest.mark.parametrize("kpp", ["77360100", "7736010011", "7736ab001", "77X601001", ""])
def test_kpp_format_rejects(kpp):
    with pytest.raises(ValidationError):
        validate_kpp(kpp)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("8 (495) 500-55-50", "+74955005550"),
        ("+7 916 123-45-67", "+79161234567"),
        ("89161234567", "+79161234567"),
    ],
)
def test_phones_are_normalised(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "+7 000", "call me"])
def test_bad_phones_are_refused(typed):
    with pytest.raises(ValidationError):
        normalize_phone(typed)


def test_phone_is_shown_readably():
    assert format_phone("+74955005550") == "+7 495 500-55-50"
