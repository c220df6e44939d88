"""What erasure finds of a person in free text, and what it leaves."""

from types import SimpleNamespace

from orbit.privacy.traces import MASK, pattern_for, scrub

PERSON = SimpleNamespace(full_name="Ли Мария Андреевна", email="Li.M@zarya.example", phone="+79161234567")


def test_the_name_whole_and_in_both_orders_the_email_and_the_phone_as_typed():
    pattern = pattern_for([PERSON])
    text = (
        "Ли Мария Андреевна; Мария Ли; Ли  Мария; li.m@ZARYA.example; 8 (916) 123-45-67; +7 916 123 45 67; "
        "9161234567"
    )
    assert scrub(text, pattern) == "; ".join([MASK] * 7)


def test_whole_words_only_and_other_numbers_stay():
    pattern = pattern_for([PERSON])
    text = "Линия Марии, счёт 99161234567, 916123456, Лиман"
    assert scrub(text, pattern) == text


def test_json_is_scrubbed_through_its_text_and_stays_json():
    pattern = pattern_for([PERSON])
    value = {"rows": [{"name": "Мария Ли", "n": 3}], "file": "li.m@zarya.example.csv"}
    assert scrub(value, pattern) == {"rows": [{"name": MASK, "n": 3}], "file": f"{MASK}.csv"}
    unchanged = {"n": 1}
    assert scrub(unchanged, pattern) is unchanged
