"""Real headless Chromium (Debian's package) driven by playwright.

The browser is the system's /usr/bin/chromium (``ZHIBU_CHROMIUM`` overrides), never a
downloaded one: the machines run on a closed network. When it is missing the tests skip,
unless ``ZHIBU_REQUIRE_E2E=1`` (CI), where they fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="module")
def browser():
    executable = os.environ.get("ZHIBU_CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).exists():
        message = (
            f"browser tests need Debian's chromium at {executable} (scripts/ensure-chromium.sh)"
        )
        if os.environ.get("ZHIBU_REQUIRE_E2E") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # playwright's sync API keeps an event loop in this thread; the ORM calls the tests
    # make around it are still synchronous, so Django's async guard is lifted meanwhile.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            yield instance
            instance.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
