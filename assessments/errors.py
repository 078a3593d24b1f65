class DomainError(Exception):
    """A rule said no. ``message`` is for the person in front of the page; ``field`` names the
    form field it belongs next to, when there is one."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.message = message
        self.field = field
