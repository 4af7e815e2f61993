"""The draw as the public sees it, through a link the office published (no login, no session).

The token is the only key: an unknown and a withdrawn token answer the same 404. Each read is
written to the audit log as an anonymous one (with the address). Responses are never cached:
a withdrawn link must stop showing the page, also from a proxy or the browser's cache.
"""

import hashlib
import json

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tanhua.audit.services import record

from . import selectors, services
from .views import VERIFIER


def _public(response):
    response["Cache-Control"] = "no-store"
    # The token is in the address: it must not travel on in a Referer header.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _audit_view(request, frozen, **summary):
    """One audit entry per address, link and page an hour: a reload loop on a public page must not
    queue every audited write behind the audit log's lock."""
    key = "public-view:" + hashlib.sha256(
        f"{request.META.get('REMOTE_ADDR', '')}|{frozen.public_token}|{summary.get('page')}".encode()).hexdigest()
    if cache.add(key, 1, timeout=3600):
        record("public_view", request=request, target=frozen, summary=summary)


@login_not_required
@require_GET
def draw_page(request, token):
    frozen = selectors.published_draw(token)
    _audit_view(request, frozen, page="抽取公示")
    return _public(render(request, "talks/public_draw.html", {**selectors.public_page(frozen), "token": token}))


@login_not_required
@require_GET
def draw_record(request, token):
    """The record as stored and chained, less its sealed parts (the designations' clue numbers;
    the candidates' names unless the programme publishes them): it verifies all the same."""
    frozen = selectors.published_draw(token)
    try:
        body = services.export_record(frozen, public=True)
    except services.DrawError as exc:
        raise Http404(exc.message) from None
    _audit_view(request, frozen, page="抽取记录", record_hash=frozen.record_hash)
    response = HttpResponse(json.dumps(body, ensure_ascii=False, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="draw-{frozen.pk}.json"'
    return _public(response)


@login_not_required
@require_GET
def verifier(request, token):
    selectors.published_draw(token)
    return _public(FileResponse(VERIFIER.open("rb"), as_attachment=True, filename="verify_draw.py",
                                content_type="text/x-python; charset=utf-8"))
