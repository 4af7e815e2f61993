"""Text as people paste it: control characters removed at the door.

Word and other systems put invisible control characters into copied text (\\x0b for a manual
line break, \\x07, \\x00 ...). Stored as they are, they break the .docx and .xlsx files made
from them (their XML cannot hold them) and PostgreSQL refuses NUL. Every form post passes
through :class:`ControlCharacterMiddleware`, so no view, form or service needs to remember it;
the importers clean cells with ``registry.parsing``; the JSON API refuses them with a 422.
"""

import re

from django.http import QueryDict

# C0 controls except tab and line breaks, DEL, and the C1 controls.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def without_controls(text):
    """``text`` with its control characters (other than tab and line breaks) as spaces."""
    return _CONTROLS.sub(" ", text) if _CONTROLS.search(text) else text


class ControlCharacterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The API checks its token before it reads a body, and refuses these characters itself.
        if request.method == "POST" and request.content_type in FORM_TYPES and not request.path.startswith("/api/"):
            posted = request.POST
            if any(_CONTROLS.search(value) for values in posted.lists() for value in values[1]):
                cleaned = QueryDict(mutable=True)
                for key, values in posted.lists():
                    cleaned.setlist(key, [without_controls(value) for value in values])
                cleaned._mutable = False
                request.POST = cleaned
        return self.get_response(request)
