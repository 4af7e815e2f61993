"""The JSON API, version 1: petition systems and the 12345 hotline push clues; offices read them.

Every call authenticates with ``Authorization: Bearer <token>`` (``tanhua api-token``) and acts
as the token's user: the same function permissions, the same scope, the same audit log as the
web pages. The schema is served at ``/api/v1/openapi.json``; bad input of any shape gets a 4xx
with a message per field, in Chinese.
"""

import datetime
import unicodedata

from django.db.models import Q
from django.http import Http404
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer
from pydantic import field_validator

from tanhua.accounts.scope import scope_queryset, visible_units
from tanhua.clues import selectors, services
from tanhua.clues.models import Category, Clue, Source
from tanhua.dates import happened_error
from tanhua.registry.models import Cadre

from .models import ApiToken


class BearerToken(HttpBearer):
    """The token's user, who must hold ``perm``: checked before the body is even parsed."""

    def __init__(self, perm=None):
        super().__init__()
        self.perm = perm

    def authenticate(self, request, token):
        user = ApiToken.authenticate(token)
        if user is None:
            return None
        if self.perm and not user.has_perm(self.perm):
            raise HttpError(403, "令牌所属用户没有这项权限")
        request.user = user
        return user


api = NinjaAPI(
    title="谈话监督管理系统接口",
    version="1",
    description="问题线索的推送与查询。以 Bearer 令牌认证(tanhua api-token 用户名),令牌按其用户的角色和范围访问。",
    auth=BearerToken(),
    urls_namespace="api",
    docs_url=None,  # the interactive page loads scripts from a CDN; the schema is enough here
    openapi_url="/openapi.json",
)


class FieldError(Schema):
    field: str = Field(description="出错的字段,如 body.summary")
    message: str


class ErrorOut(Schema):
    message: str
    errors: list[FieldError] = Field(default_factory=list)


def _no_control_characters(value):
    # PostgreSQL refuses NUL in text, and no clue needs control characters other than line breaks.
    if isinstance(value, str) and any(
        unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in value
    ):
        raise ValueError("不能包含控制字符")
    return value


class CleanText(Schema):
    @field_validator("*", mode="after")
    @classmethod
    def _clean(cls, value):
        return _no_control_characters(value)


class ClueIn(CleanText):
    source: str = Field(min_length=1, max_length=60, description="来源,如“12345热线”或“信访举报·来信”",
                        examples=["12345热线"])
    received_on: datetime.date = Field(description="受理日期 YYYY-MM-DD")
    unit: str = Field(min_length=1, max_length=100, description="涉及单位:单位代码或全称")
    cadre_id_number: str | None = Field(None, max_length=18, description="反映对象的身份证号;只反映单位时不填")
    cadre_name: str | None = Field(None, max_length=40, description="反映对象姓名(无身份证号时在涉及单位内按姓名匹配)")
    category: str = Field(min_length=1, max_length=60, description="问题类别,如“廉洁纪律”“奢靡之风”")
    summary: str = Field(min_length=1, max_length=200)
    content: str = Field(min_length=1, max_length=20000)
    anonymous: bool = False
    reporter_name: str = Field("", max_length=40)
    reporter_contact: str = Field("", max_length=100)
    due_on: datetime.date | None = Field(None, description="办理时限;不填为受理日期后 30 天")


class ClueOut(Schema):
    id: int
    number: str
    source: str
    received_on: datetime.date
    unit: str
    unit_code: str
    cadre: str | None
    category: str
    summary: str
    status: str
    disposition: str
    due_on: datetime.date
    light: str = Field(description="green 正常 / yellow 临期 / red 逾期 / done 已办结")


class ClueDetailOut(ClueOut):
    content: str
    outcome: str
    outcome_form: int | None


class ClueList(Schema):
    count: int
    page: int
    pages: int
    items: list[ClueOut]


class ClueFilter(CleanText):
    status: str | None = Field(None, pattern="^(pending|handling|closed)$")
    light: str | None = Field(None, pattern="^(green|yellow|red|done)$")
    q: str | None = Field(None, max_length=60)
    received_from: datetime.date | None = None
    received_to: datetime.date | None = None
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=200)


def _out(clue, detail=False):
    data = {
        "id": clue.pk, "number": clue.number, "source": str(clue.source), "received_on": clue.received_on,
        "unit": clue.unit.name, "unit_code": clue.unit.code, "cadre": clue.cadre.name if clue.cadre_id else None,
        "category": str(clue.category), "summary": clue.summary, "status": clue.status,
        "disposition": clue.disposition, "due_on": clue.due_on, "light": clue.light(),
    }
    if detail:
        data.update(content=clue.content, outcome=clue.outcome, outcome_form=clue.outcome_form)
    return data


MESSAGES = {
    "missing": "必填",
    "string_too_short": "不能为空",
    "string_too_long": "最多{max_length}个字符",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "string_type": "应为文字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "greater_than_equal": "不能小于{ge}",
    "less_than_equal": "不能大于{le}",
    "string_pattern_mismatch": "取值不在允许范围内",
    "json_invalid": "不是有效的 JSON",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "value_error": "{error}",
}


@api.exception_handler(ValidationError)
def _validation(request, exc):
    errors = []
    for error in exc.errors:
        loc = ".".join(str(part) for part in error.get("loc", ()) if part not in ("payload",))
        template = MESSAGES.get(error.get("type"))
        ctx = error.get("ctx") or {}
        try:
            message = template.format(**ctx) if template else error.get("msg", "格式不正确")
        except (KeyError, IndexError):
            message = template
        errors.append({"field": loc, "message": message})
    return api.create_response(request, {"message": "请求内容有误", "errors": errors}, status=422)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(request, {"message": "缺少或无效的令牌(Authorization: Bearer <令牌>)", "errors": []},
                               status=401)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return api.create_response(request, {"message": str(exc), "errors": []}, status=exc.status_code)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"message": "不存在或无权查看", "errors": []}, status=404)


class Invalid(Exception):
    def __init__(self, errors):
        self.errors = errors


@api.exception_handler(Invalid)
def _invalid(request, exc):
    return api.create_response(request, {"message": "请求内容有误", "errors": exc.errors}, status=422)


def _vocabulary(model, text):
    text = text.strip()
    for entry in model.objects.filter(active=True).select_related("parent"):
        if text in (entry.name, str(entry), f"{entry.parent.name}-{entry.name}" if entry.parent_id else None):
            return entry
    return None


@api.post("/clues", response={201: ClueDetailOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
          summary="推送一条问题线索", tags=["问题线索"], auth=BearerToken("clues.add"))
def create_clue(request, payload: ClueIn):
    user = request.user
    errors = []
    source = _vocabulary(Source, payload.source)
    if source is None:
        errors.append({"field": "body.source", "message": f"来源“{payload.source}”不在系统的来源表中"})
    category = _vocabulary(Category, payload.category)
    if category is None:
        errors.append({"field": "body.category", "message": f"问题类别“{payload.category}”不在系统的类别表中"})
    unit_text = payload.unit.strip()
    unit = visible_units(user).filter(Q(code=unit_text) | Q(name=unit_text)).first()
    if unit is None:
        errors.append({"field": "body.unit", "message": f"单位“{unit_text}”不存在,或不在令牌用户的范围内"})
    cadre = None
    if unit is not None and (payload.cadre_id_number or payload.cadre_name):
        cadres = scope_queryset(Cadre.objects.select_related("unit"), user)
        if payload.cadre_id_number:
            cadre = cadres.filter(id_number=payload.cadre_id_number.strip().upper()).first()
            field = "body.cadre_id_number"
        else:
            found = list(cadres.filter(unit.subtree_q("unit_path"), name=payload.cadre_name.strip())[:2])
            cadre = found[0] if len(found) == 1 else None
            field = "body.cadre_name"
            if len(found) > 1:
                errors.append({"field": field, "message": "该单位有多名同名干部,请提供身份证号"})
        if cadre is None and not any(e["field"] == field for e in errors):
            errors.append({"field": field, "message": "没有找到这名干部,或其不在令牌用户的范围内"})
    if payload.anonymous and (payload.reporter_name or payload.reporter_contact):
        errors.append({"field": "body.anonymous", "message": "匿名反映不应提供反映人姓名和联系方式"})
    if payload.due_on and payload.due_on < payload.received_on:
        errors.append({"field": "body.due_on", "message": "办理时限不能早于受理日期"})
    if date_error := happened_error(payload.received_on, "受理日期"):
        errors.append({"field": "body.received_on", "message": date_error})
    if not payload.summary.strip():
        errors.append({"field": "body.summary", "message": "不能为空"})
    if not payload.content.strip():
        errors.append({"field": "body.content", "message": "不能为空"})
    if errors:
        raise Invalid(errors)
    clue = services.register_clue(
        user, source=source, received_on=payload.received_on, unit=unit, cadre=cadre, category=category,
        summary=payload.summary, content=payload.content, reporter_anonymous=payload.anonymous,
        reporter_name=payload.reporter_name, reporter_contact=payload.reporter_contact, due_on=payload.due_on,
        request=request, via="api",
    )
    return 201, _out(clue, detail=True)


@api.get("/clues", response={200: ClueList, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
         summary="列出令牌用户范围内的问题线索", tags=["问题线索"], auth=BearerToken("clues.view"))
def list_clues(request, filters: Query[ClueFilter]):
    params = {k: v for k, v in {"status": filters.status, "light": filters.light, "q": filters.q}.items() if v}
    _form, _unit, qs = selectors.filtered_clues(request.user, params)
    if filters.received_from:
        qs = qs.filter(received_on__gte=filters.received_from)
    if filters.received_to:
        qs = qs.filter(received_on__lte=filters.received_to)
    count = qs.count()
    pages = max(1, -(-count // filters.page_size))
    start = (filters.page - 1) * filters.page_size
    items = qs.select_related("source__parent", "category__parent", "unit", "cadre")[start:start + filters.page_size]
    return {"count": count, "page": filters.page, "pages": pages, "items": [_out(c) for c in items]}


@api.get("/clues/{number}", response={200: ClueDetailOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
         summary="一条问题线索(按编号或 id),读取内容记入审计日志", tags=["问题线索"],
         auth=BearerToken("clues.view"))
def get_clue(request, number: str):
    try:
        _no_control_characters(number)
    except ValueError:
        raise Http404 from None
    visible = scope_queryset(Clue.objects.all(), request.user)
    match = visible.filter(number=number).values_list("pk", flat=True).first()
    if match is None and number.isdigit() and len(number) < 19:
        match = visible.filter(pk=int(number)).values_list("pk", flat=True).first()
    if match is None:
        raise Http404
    return _out(services.read_clue(request.user, match, request=request), detail=True)
