import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from generator.config.fieldtypes import id_check_digit
from generator.privacy.mask import mask_id_card, mask_name, mask_phone


@st.composite
def id_numbers(draw):
    region = draw(st.integers(110000, 659999))
    birth = draw(st.dates(dt.date(1920, 1, 1), dt.date(2025, 12, 31)))
    serial = draw(st.integers(0, 999))
    first17 = f"{region}{birth:%Y%m%d}{serial:03d}"
    return first17 + id_check_digit(first17)


@given(id_numbers())
def test_id_mask_is_first3_stars_last4(number):
    masked = mask_id_card(number)
    assert masked == number[:3] + "***" + number[-4:]
    assert number[6:14] not in masked[3:]  # the birth date is gone


@given(st.from_regex(r"\A\d{15}\Z"))
def test_15_digit_id_never_shows_birth_digits(number):
    masked = mask_id_card(number, 6, 4)
    assert masked == number[:6] + "***" + number[-3:]


@given(st.from_regex(r"\A1[3-9]\d{9}\Z"))
def test_mobile_mask(number):
    assert mask_phone(number) == number[:3] + "****" + number[-4:]


def test_names():
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳晓梅") == "欧阳**"
    assert mask_name("诸葛亮") == "诸葛*"
    assert mask_name("司马") == "司*"
