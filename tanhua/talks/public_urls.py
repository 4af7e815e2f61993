"""The draw's published page (公示): reachable without a login, by an unguessable token."""

from django.urls import re_path

from . import public
from .selectors import TOKEN_PATTERN

app_name = "public"
urlpatterns = [
    re_path(r"^draws/(?P<token>" + TOKEN_PATTERN + r")/$", public.draw_page, name="draw"),
    re_path(r"^draws/(?P<token>" + TOKEN_PATTERN + r")/record\.json$", public.draw_record, name="draw_record"),
    re_path(r"^draws/(?P<token>" + TOKEN_PATTERN + r")/verify_draw\.py$", public.verifier, name="verifier"),
]
