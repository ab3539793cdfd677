"""The subject's dashboard as people meet it: in Chinese with every word translated, audited by
axe-core on every page, usable from the keyboard, and whole on a phone. Screenshots of it in
both languages at 1280 and 390 px go to test-artifacts/."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import pytest

from tests.e2e.web.conftest import ARTIFACTS, Site
from tests.e2e.web.test_browser import sign_in

# Words a translated page may still show in Latin letters: names and ids the parties chose,
# the product's name, the other language's name, and formats.
VERBATIM = {
    "Alice",
    "Example",
    "alice",
    "City",
    "Utility",
    "Landlord",
    "Ltd",
    "Lender",
    "Bank",
    "Sincerity",
    "English",
    "JSON",
    "MiB",
    "tenancy",
    "QR",
}


def visible_words(page: Any) -> set[str]:
    text = page.evaluate(
        """() => { const out = []; const walk = document.createTreeWalker(document.body,
             NodeFilter.SHOW_TEXT, { acceptNode: n => {
               const el = n.parentElement;
               if (!el || el.closest('script,style,code,svg,details:not([open]) > :not(summary)'))
                 return NodeFilter.FILTER_REJECT;
               return NodeFilter.FILTER_ACCEPT; } });
           while (walk.nextNode()) out.push(walk.currentNode.textContent);
           out.push(...[...document.querySelectorAll('[aria-label]')].map(e => e.ariaLabel));
           return out.join(' '); }"""
    )
    return set(re.findall(r"[A-Za-z]{2,}", text))


def test_the_chinese_dashboard_has_every_word_translated(page: Any, site: Site) -> None:
    sign_in(page, site, "alice")
    page.wait_for_url(re.compile(r"/me$"))
    page.goto(f"{site.url}/me?lang=zh")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    for summary in page.locator("details summary").all():
        summary.click()
    english = visible_words(page) - VERBATIM
    assert english == set(), f"untranslated words on the Chinese dashboard: {sorted(english)}"
    assert "谁查阅过你的档案" in page.content()


def test_the_public_pages_are_in_chinese_too(page: Any, site: Site) -> None:
    for path in ("/", "/verify", "/signin"):
        page.goto(f"{site.url}{path}?lang=zh")
        english = visible_words(page) - VERBATIM - {"default", "API", "PIN", "Sincerity"}
        assert english == set(), (path, sorted(english))


def axe_violations(page: Any) -> list[str]:
    source = (resources.files("axe_playwright_python") / "axe.min.js").read_text()
    page.evaluate(source)
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['nodes'][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def test_axe_finds_nothing_serious_on_any_page(page: Any, site: Site, browser: Any) -> None:
    problems: dict[str, list[str]] = {}

    def audit(who: Any, name: str) -> None:
        if found := axe_violations(who):
            problems[name] = found

    for path in ("/", "/signin", "/verify", "/lab"):
        page.goto(site.url + path)
        audit(page, path)
    missing = browser.new_page()  # the browser logs the 404 itself: not this test's page
    missing.goto(site.url + "/no-such-page")
    audit(missing, "a 404 page")
    missing.close()
    sign_in(page, site, "alice")
    page.wait_for_url(re.compile(r"/me$"))
    for summary in page.locator("details summary").all():
        summary.click()
    page.locator("li.record").first.get_by_role("button", name=re.compile("^Dispute")).click()
    page.locator("form.dispute-form").wait_for()
    audit(page, "/me with a dispute form open")
    page.goto(f"{site.url}/me?lang=zh")
    audit(page, "/me in Chinese")
    page.goto(f"{site.url}/me?lang=en")
    staff = browser.new_page()
    sign_in(staff, site, "operator")
    staff.wait_for_url(re.compile(r"/operator$"))
    audit(staff, "/operator")
    sign_in(staff, site, "landlord")
    staff.wait_for_url(re.compile(r"/rp$"))
    staff.get_by_role("button", name="Make a request").click()
    staff.locator("#request-link").wait_for()
    audit(staff, "/verify with a request")
    page.goto(staff.locator("#request-link").get_attribute("href"))
    audit(page, "/share (answering a request)")
    staff.close()
    assert problems == {}, problems


def test_share_proof_is_reachable_in_fifteen_tab_presses(page: Any, site: Site) -> None:
    sign_in(page, site, "alice")
    page.wait_for_url(re.compile(r"/me$"))
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Share proof":
            break
    else:
        pytest.fail("Share proof was not reached in 15 Tab presses")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # on into the share form, not back to the top
    assert page.evaluate("document.activeElement.closest('#share') !== null")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_on_a_phone_nothing_is_clipped(page: Any, site: Site, language: str) -> None:
    sign_in(page, site, "alice")
    page.wait_for_url(re.compile(r"/me$"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site.url}/me?lang={language}")
    for summary in page.locator("details summary").all():
        summary.click()
    page.locator("li.record").first.locator("button").first.click()
    page.locator("form.dispute-form").wait_for()
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
             .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
             .map(el => el.tagName + '.' + el.className + ' ' + el.getBoundingClientRect().right)
             .slice(0, 8)"""
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, wide
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('main button, main a, main input, main select')]
             .filter(el => el.offsetParent !== null)
             .filter(el => { const r = el.getBoundingClientRect();
                             return r.left < 0 || r.right > window.innerWidth + 0.5; })
             .map(el => el.outerHTML.slice(0, 80))"""
    )
    assert clipped == []
    chart_text = page.evaluate(
        "() => Math.min(...[...document.querySelectorAll('svg.chart text')]"
        ".map(t => t.getBoundingClientRect().height))"
    )
    assert chart_text >= 9  # the history chart's labels stay readable at phone width


@pytest.mark.parametrize("language", ["en", "zh"])
def test_screenshots_of_the_dashboard(page: Any, site: Site, language: str) -> None:
    sign_in(page, site, "alice")
    page.wait_for_url(re.compile(r"/me$"))
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{site.url}/me?lang={language}")
        page.locator("details.group summary").first.click()
        page.screenshot(path=str(ARTIFACTS / f"dashboard-{language}-{width}.png"), full_page=True)


def test_screenshots_of_each_partys_home(page: Any, site: Site) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for who, home in (("utility", "source"), ("landlord", "rp"), ("operator", "operator")):
        sign_in(page, site, who)
        page.wait_for_url(re.compile(f"/{home}$"))
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{site.url}/{home}")
            wide = page.evaluate(
                """() => [...document.querySelectorAll('body *')]
                     .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
                     .map(el => el.tagName + '.' + el.className).slice(0, 6)"""
            )
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (home, wide)
            page.screenshot(path=str(ARTIFACTS / f"home-{home}-{width}.png"), full_page=True)
        page.get_by_role("button", name=re.compile("Sign out")).first.click()
        page.wait_for_url(re.compile(r"/$"))
