"""Traditional Chinese: the whole page converted on the way out.

Templates and data are written in Simplified Chinese. A user who chooses 繁體中文 (or whose
browser asks for zh-Hant) gets every HTML page converted character by character with OpenCC,
the way Chinese government sites offer their 繁體 version: labels, names and records alike,
with nothing to keep in step by hand. Downloads (.xlsx, .docx) keep the stored text.
"""

import opencc

_to_traditional = opencc.OpenCC("s2t")
_to_simplified = opencc.OpenCC("t2s")


def to_traditional(text):
    return _to_traditional.convert(text)


def to_simplified(text):
    """What a user typed in Traditional characters, as the stored (Simplified) text has it."""
    return _to_simplified.convert(text)


class TraditionalChineseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            getattr(request, "LANGUAGE_CODE", "") == "zh-hant"
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
        ):
            charset = response.charset or "utf-8"
            response.content = to_traditional(response.content.decode(charset)).encode(charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
