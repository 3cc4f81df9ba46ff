"""What the workspace's forms share."""


def error_line(form) -> str:
    """A form's errors on one line, each with its field's label, for a message after a POST that redirects."""
    return "; ".join(f"{form.fields[name].label}: {' '.join(errors)}" if name in form.fields else " ".join(errors)
                     for name, errors in form.errors.items())
