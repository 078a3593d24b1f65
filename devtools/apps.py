from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Demo data and the benchmark: tools for developers, kept apart from the app's rules."""

    name = "devtools"
    verbose_name = "Development tools"
