"""Personal data masking (osac_shared.masking): the pure functions, table-driven."""
import logging

import pytest

from osac_shared import masking
from osac_shared.masking import (MaskingFilter, mask_bank_card, mask_case, mask_id_number,
                                 mask_phone, mask_text, mask_value, sees_personal_data)


@pytest.mark.parametrize("value, masked", [
    ("11010519491231002X", "110***********002X"),
    ("440106200001011234", "440***********1234"),
    ("1234567", "*******"),
])
def test_id_number(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize("value, masked", [
    ("6222021234567890123", "6222***********0123"),
    ("6222 0212 3456 7890", "6222 **** **** 7890"),
    ("6222-0212-3456-7890-123", "6222-****-****-***0-123"),
    ("12345678", "****5678"),
])
def test_bank_card(value, masked):
    assert mask_bank_card(value) == masked


@pytest.mark.parametrize("value, masked", [
    ("13812345678", "138****5678"),
    ("+86 138 1234 5678", "138****5678"),
    ("010-1234", "****1234"),
])
def test_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize("text, masked", [
    ("身份证11010519491231002X，电话13812345678", "身份证110***********002X，电话138****5678"),
    ("卡号 6222 0212 3456 7890 请退到此卡", "卡号 6222 **** **** 7890 请退到此卡"),
    ("联系 138-1234-5678 即可", "联系 138****5678 即可"),
    # things that only look numeric stay as they are
    ("logistics-20261207-1a2b3c4d", "logistics-20261207-1a2b3c4d"),
    ("2026-03-02T10:00:00+08:00", "2026-03-02T10:00:00+08:00"),
    ("学号2026000001，金额12345分", "学号2026000001，金额12345分"),
    ("A3 302 水龙头漏水", "A3 302 水龙头漏水"),
    ("", ""),
])
def test_text(text, masked):
    assert mask_text(text) == masked


def test_values_walk_dicts_and_lists_and_named_fields():
    form = {"phone": "13812345678", "bank_card": "6222021234567890",
            "contact_phone": "", "amount_cents": 13812345678, "ok": True,
            "members": [{"name": "张三", "id_number": "11010519491231002X"}],
            "note": "联系13900001111"}
    assert mask_value(form) == {
        "phone": "138****5678", "bank_card": "6222********7890", "contact_phone": "",
        "amount_cents": 13812345678, "ok": True,
        "members": [{"name": "张三", "id_number": "110***********002X"}],
        "note": "联系139****1111"}


OWNER = {"id": "2026000001", "role": "student"}


@pytest.mark.parametrize("actor, sees", [
    (OWNER, True),
    ({"id": "2026000002", "role": "student"}, False),
    ({"id": "logistics_a", "role": "a_post", "department": "logistics"}, True),
    ({"id": "logistics_b", "role": "b_post", "department": "logistics"}, False),
    ({"id": "finance_a", "role": "a_post", "department": "finance"}, False),
    ({"id": "director", "role": "director"}, False),
    ({"id": "desk", "role": "desk"}, False),
    ({"id": "sys", "role": "system"}, False),
    (None, False),
])
def test_who_sees_personal_data(actor, sees):
    assert sees_personal_data(actor, "2026000001", "logistics") is sees
    case = {"student_id": "2026000001", "form": {"phone": "13812345678"}}
    shown = mask_case(case, actor, "logistics")["form"]["phone"]
    assert shown == ("13812345678" if sees else "138****5678")


def test_log_filter_masks_messages_and_args():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "user %s phone %s", ("张三",
                               "13812345678"), None)
    assert MaskingFilter().filter(record) is True
    assert record.getMessage() == "user 张三 phone 138****5678"
    plain = logging.LogRecord("x", logging.INFO, __file__, 1, "nothing %d", (5,), None)
    MaskingFilter().filter(plain)
    assert plain.getMessage() == "nothing 5" and plain.args == (5,)


def test_install_puts_one_filter_on_each_handler():
    logger = logging.getLogger("osac-masking-test")
    handler = logging.StreamHandler()
    logger.addHandler(handler)
    try:
        masking.install_log_masking(("osac-masking-test",))
        masking.install_log_masking(("osac-masking-test",))
        assert sum(isinstance(f, MaskingFilter) for f in handler.filters) == 1
    finally:
        logger.removeHandler(handler)
