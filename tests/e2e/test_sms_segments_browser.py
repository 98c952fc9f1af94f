"""The console's SMS segment counter (JavaScript, in Chromium) agrees with the
server's on every shared case and on texts hypothesis makes up."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, Route

from caseroom.channels.sms.text import GSM7_BASIC, GSM7_EXTENSION, count_segments
from tests.unit.channels.sms.segment_cases import SEGMENT_CASES

pytestmark = pytest.mark.browser

MODULE = Path(__file__).parents[2] / "src/caseroom/web/static/console/sms_segments.js"
ORIGIN = "http://segments.test"
HTML = "text/html; charset=utf-8"


async def counter_page(browser: Browser) -> Page:
    """A page on a made-up origin that serves the module as the console does."""
    page = await browser.new_page()

    async def serve(route: Route) -> None:
        if route.request.url.endswith("/sms_segments.js"):
            body = MODULE.read_text()
            await route.fulfill(body=body, content_type="text/javascript; charset=utf-8")
        else:
            await route.fulfill(body="<!doctype html><meta charset=utf-8>", content_type=HTML)

    await page.route(f"{ORIGIN}/**", serve)
    await page.goto(f"{ORIGIN}/")
    return page


async def count_in_browser(page: Page, texts: list[str]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = await page.evaluate(
        """async (texts) => {
            const { smsSegments } = await import("/sms_segments.js");
            return texts.map((t) => smsSegments(t));
        }""",
        texts,
    )
    return result


def python_count(text: str) -> dict[str, Any]:
    counted = count_segments(text)
    return {
        "encoding": counted.encoding,
        "segments": counted.segments,
        "units": counted.units,
        "perSegment": counted.per_segment,
    }


async def test_shared_cases_count_alike_in_the_browser(browser: Browser) -> None:
    page = await counter_page(browser)
    texts = [case[0] for case in SEGMENT_CASES]
    in_browser = await count_in_browser(page, texts)
    for (text, encoding, segments, units), counted in zip(SEGMENT_CASES, in_browser, strict=True):
        assert (counted["encoding"], counted["segments"], counted["units"]) == (
            encoding,
            segments,
            units,
        ), text
        assert counted == python_count(text)


async def test_random_texts_count_alike_in_both(browser: Browser) -> None:
    # Seeded, so a failure repeats: long GSM texts with extension characters and
    # mixed texts with accents, Cyrillic and emoji around the part boundaries.
    rng = random.Random(2311)
    gsm = sorted(GSM7_BASIC | GSM7_EXTENSION)
    other = [*gsm, "ê", "ç", "Ж", "中", "👍", "🇩🇪", "\u200d", "\t"]
    texts = []
    for _ in range(300):
        alphabet = gsm if rng.random() < 0.5 else other
        texts.append("".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 480))))
    page = await counter_page(browser)
    in_browser = await count_in_browser(page, texts)
    for text, counted in zip(texts, in_browser, strict=True):
        assert counted == python_count(text), text
