from django import template

register = template.Library()


@register.filter
def pair(first, second):
    return (first, second)
