from django import forms


def user_label(user):
    """How a user is named in a choice list: 张三(zhangsan)."""
    return f"{user.full_name or user.username}({user.username})"


class StyledForm:
    """Gives each widget its Bootstrap class, so templates render fields with ``_field.html``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()

    def style(self):
        """Style the fields; forms that add fields after ``__init__`` call it again."""
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            classes = widget.attrs.get("class", "").split()
            if css not in classes:
                widget.attrs["class"] = " ".join([*classes, css])
