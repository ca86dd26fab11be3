"""ONE table from exception to HTTP answer (nameko-examples' ``gateway/exceptions.py`` idea).

Every error leaves the gateway as ``{"error": code, "message": 中文, "message_en": English,
"fields": {field: "中文 / English"}}``. ``DomainError`` arrives intact from the services and
keeps its own status; the rest is mapped here, so no route handler has its own try/except.
An unexpected exception becomes a 500 that names the correlation id, never a stack trace.
"""
import logging

from marshmallow import ValidationError
from werkzeug.exceptions import (BadRequest, HTTPException, MethodNotAllowed, NotFound,
                                 RequestEntityTooLarge, UnsupportedMediaType)

from osac_shared.errors import DomainError, marshmallow_fields

from .clients import ServiceDown, ServiceFailed, ServiceTimeout

log = logging.getLogger(__name__)


def body(code, message, message_en, fields=None):
    return {"error": code, "message": message, "message_en": message_en,
            "fields": fields or {}}


def _service(code, status, hint_zh, hint_en):
    def answer(exc):
        return status, body(code, f"{exc.name_zh}{exc.reason_zh}，{hint_zh}",
                            f"{exc.name_en} {exc.reason_en}; {hint_en}",
                            {"department": exc.service})
    return answer


def _validation(exc):
    return 422, body("validation_failed", "提交的内容有误，请按提示修改后重试",
                     "Some fields are invalid; correct them and try again",
                     marshmallow_fields(exc))


# exception class -> exc -> (status, body); the most specific class in the MRO wins
REGISTRY = {
    DomainError: lambda e: (e.status, e.to_dict()),
    ValidationError: _validation,
    ServiceDown: _service("service_unavailable", 503, "请稍后再试；其他部门的事项不受影响",
                          "try again later; other departments are not affected"),
    ServiceTimeout: _service("service_timeout", 504,
                             "请先在“我的事项”中查看是否已办理，再决定是否重试",
                             "check My cases to see whether it went through before retrying"),
    ServiceFailed: _service("service_failed", 502, "请稍后再试或到窗口办理",
                            "try again later or visit the window"),
    UnsupportedMediaType: lambda e: (415, body(
        "unsupported_media_type", "请以 JSON 格式提交（Content-Type: application/json）",
        "Send the body as JSON (Content-Type: application/json)",
        {"Content-Type": "须为 application/json / must be application/json"})),
    RequestEntityTooLarge: lambda e: (413, body(
        "too_large", "提交的内容过大", "The request body is too large")),
    BadRequest: lambda e: (400, body(
        "bad_request", "请求格式有误（不是有效的 JSON）", "The request is malformed (not valid JSON)")),
    NotFound: lambda e: (404, body("not_found", "没有这个地址", "No such address")),
    MethodNotAllowed: lambda e: (405, body(
        "method_not_allowed", "不支持该请求方法", "This method is not allowed here")),
    HTTPException: lambda e: (e.code or 500, body(
        e.name.lower().replace(" ", "_"), e.name, e.description or e.name)),
}


def error_response(exc, correlation_id=""):
    """-> (status, JSON body) for any exception."""
    for cls in type(exc).__mro__:
        answer = REGISTRY.get(cls)
        if answer is not None:
            return answer(exc)
    log.exception("%s: unhandled error", correlation_id, exc_info=exc)
    return 500, body("internal_error", f"系统出错，请稍后再试（错误编号 {correlation_id}）",
                     f"Something went wrong on our side; try again later "
                     f"(reference {correlation_id})")
