"""Browser tests: Playwright for Python driving Debian's Chromium against the live server.

One Chromium for the whole session, a fresh browser context (cookies, cache, storage) per
journey. Every journey starts from an empty database (live-server tests are transactional: the
database is flushed after each), reloads the compass, and then does through the browser what its
person does. Screenshots go to ``screenshots/`` (ignored by git) for humans to look at.

Without Chromium the whole package is skipped, and the reason is printed.
"""

import os
import shutil
import time
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command

from .helpers import DESKTOP, SUMMARY, Journey

# Playwright's sync API runs an asyncio loop in this thread; Django would otherwise refuse the
# ORM calls the tests make between browser steps.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

HERE = Path(__file__).resolve().parent

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
SKIP_REASON = (
    "browser tests need Debian's Chromium (/usr/bin/chromium), which is not installed: "
    "apt-get install chromium (.ci/run does)"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM is not None:
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if Path(str(item.path)).is_relative_to(HERE):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    if CHROMIUM is None:
        terminalreporter.write_sep("-", "browser tests skipped")
        terminalreporter.write_line(SKIP_REASON)
        return
    if SUMMARY:
        terminalreporter.write_sep("-", "browser tests")
        for line in SUMMARY:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def site(live_server, compass, settings):
    """The app on the live server, from an empty database with the compass loaded.

    Links in emails are built from SITE_URL: point it at the live server so that following
    a link from ``mail.outbox`` opens this app.
    """
    call_command("createcachetable", verbosity=0)  # idempotent; the cache holds link counters
    cache.clear()
    settings.SITE_URL = live_server.url
    mail.outbox = []
    return live_server


@pytest.fixture
def open_context(browser, site):
    """open_context(kind=DESKTOP, **options) → a fresh browser context on the live server,
    closed after the test."""
    contexts = []

    def open_(kind=DESKTOP, **options):
        context = browser.new_context(base_url=site.url, locale="en-GB", **kind, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def journey(open_context, request):
    """journey(person, kind=DESKTOP) → a Journey (see helpers) in a fresh browser context."""
    started = time.monotonic()
    made = []

    def make(person, kind=DESKTOP):
        name = f"{request.node.name}-{person}"
        one = Journey(open_context(kind), name=name, kind=kind)
        made.append(one)
        return one

    yield make
    for one in made:
        SUMMARY.extend(one.summary_lines())
    SUMMARY.append(f"{request.node.name}: {time.monotonic() - started:.1f} s")


# --- production static files: whitenoise serving the compressed manifest -----------------------


def production_static_settings(root):
    from django.conf import settings

    return {
        "STATIC_ROOT": str(root),
        "STORAGES": {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
        },
    }


@pytest.fixture(scope="session")
def compressed_static_root(tmp_path_factory):
    """``collectstatic`` as production runs it: hashed names plus gzip copies, in a temp dir."""
    from django.test.utils import override_settings

    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(**production_static_settings(root)):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def production_server(transactional_db, compass, compressed_static_root, settings):
    """The app served as in production: no test static handler in front, so whitenoise serves
    the collected, compressed files (pytest-django's ``live_server`` always serves the
    uncompressed source files itself). Yields the server's base URL."""
    from django.db import connections
    from django.test.testcases import LiveServerThread

    for name, value in production_static_settings(compressed_static_root).items():
        setattr(settings, name, value)
    call_command("createcachetable", verbosity=0)
    cache.clear()
    shared = {
        connection.alias: connection
        for connection in connections.all()
        if connection.vendor == "sqlite" and connection.is_in_memory_db()
    }
    thread = LiveServerThread(
        "localhost", static_handler=lambda app: app, connections_override=shared
    )
    thread.daemon = True
    for connection in shared.values():
        connection.inc_thread_sharing()
    thread.start()
    thread.is_ready.wait()
    try:
        if thread.error:
            raise thread.error
        yield f"http://localhost:{thread.port}"
    finally:
        thread.terminate()
        for connection in shared.values():
            connection.dec_thread_sharing()
