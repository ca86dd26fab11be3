"""Errors a user or a caller can cause, carried intact across RPC.

Every error has a stable ``code``, a Chinese ``message`` for the UI, an English ``message_en``
beside it, the offending ``fields`` ({field: "what is wrong and how to fix it"}) and the HTTP
``status`` the gateway answers with. ``DomainError`` is registered with nameko so that a service
raising it re-raises the same class, with the same arguments, in the caller.
"""
from nameko.exceptions import deserialize_to_instance


@deserialize_to_instance
class DomainError(Exception):
    def __init__(self, code, message, message_en, fields=None, status=400):
        super().__init__(code, message, message_en, fields or {}, status)
        self.code = code
        self.message = message
        self.message_en = message_en
        self.fields = fields or {}
        self.status = int(status)

    def to_dict(self):
        return {"error": self.code, "message": self.message,
                "message_en": self.message_en, "fields": self.fields}

    def __str__(self):
        return f"{self.code}: {self.message_en}"


def validation_failed(fields, message="提交的内容有误，请按提示修改后重试",
                      message_en="Some fields are invalid; correct them and try again"):
    return DomainError("validation_failed", message, message_en, fields, 422)


def not_found(what_zh, what_en, ident):
    return DomainError("not_found", f"未找到{what_zh}：{ident}", f"{what_en} not found: {ident}",
                       {}, 404)


def forbidden(message="您无权执行此操作", message_en="You are not allowed to do this"):
    return DomainError("forbidden", message, message_en, {}, 403)


def unauthenticated():
    return DomainError("unauthenticated", "请先登录", "Please log in first", {}, 401)


def conflict(code, message, message_en, fields=None):
    return DomainError(code, message, message_en, fields or {}, 409)


# marshmallow's own messages, said in Chinese first with the English beside it
_MM_ZH = {
    "Missing data for required field.": "必填项，请填写",
    "Not a valid string.": "须为文字",
    "Not a valid integer.": "须为整数",
    "Not a valid number.": "须为数字",
    "Not a valid boolean.": "须为是/否",
    "Not a valid date.": "日期格式须为 YYYY-MM-DD",
    "Not a valid datetime.": "时间格式须为 ISO 8601",
    "Unknown field.": "不认识的字段，请删除",
    "Field may not be null.": "不能为空",
    "String does not match expected pattern.": "格式不正确",
    "Not a valid list.": "须为列表",
}


def _zh(text):
    text = str(text)
    if text in _MM_ZH:
        return f"{_MM_ZH[text]} / {text}"
    if text.startswith("Must be one of:"):
        return f"只能取以下值之一 / {text}"
    if text.startswith("Length must be") or text.startswith("Shorter than") or \
            text.startswith("Longer than"):
        return f"长度不符合要求 / {text}"
    if text.startswith("Must be greater") or text.startswith("Must be less"):
        return f"数值超出范围 / {text}"
    return text


def marshmallow_fields(err):
    """Flatten a marshmallow ValidationError's messages into {field: "中文 / English"}."""
    out = {}

    def walk(prefix, value):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, list):
            out[prefix] = "; ".join(_zh(v) for v in value)
        else:
            out[prefix] = _zh(value)

    walk("", err.messages)
    return out
