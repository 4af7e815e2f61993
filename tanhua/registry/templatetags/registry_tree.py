"""The organisation tree beside the roster, rendered in Python.

A province has thousands of units; a recursive ``{% include %}`` per node takes most of a
second to render that many, a string builder a few milliseconds.
"""

from html import escape

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def unit_tree(context, roots, current=None):
    query = context["request"].GET.copy()
    for key in ("unit", "page"):
        query.pop(key, None)
    base = escape("?" + (query.urlencode() + "&" if query else "") + "unit=")
    current_id = current.pk if current else None
    parts = []

    def link(unit):
        css = ' class="active"' if unit.pk == current_id else ""
        return (
            f'<a href="{base}{unit.pk}"{css} title="{escape(unit.name)}({escape(unit.code)})">'
            f"{escape(unit.short_name or unit.name)}</a>"
        )

    def walk(unit):
        if unit.children:
            parts.append(f"<li><details{' open' if unit.is_open else ''}><summary>{link(unit)}</summary><ul>")
            for child in unit.children:
                walk(child)
            parts.append("</ul></details></li>")
        else:
            parts.append(f'<li><span class="leaf">{link(unit)}</span></li>')

    for root in roots:
        walk(root)
    if not parts:
        return format_html('<li class="text-muted">{}</li>', "没有可查看的单位")
    # Every piece of text above went through html.escape().
    return mark_safe("".join(parts))
