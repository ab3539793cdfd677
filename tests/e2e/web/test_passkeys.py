"""Passkeys in a real browser: Chromium's virtual authenticator (Chrome DevTools Protocol,
WebAuthn domain) stands in for a fingerprint reader."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.web.conftest import ARTIFACTS, Site
from tests.e2e.web.test_browser import sign_in


def with_authenticator(page: Any) -> Any:
    """Give the page's tab a platform authenticator that holds passkeys and verifies its user."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp


def invitation_link(page: Any, site: Site, kind: str, party: str, name: str) -> str:
    sign_in(page, site, "operator")
    page.wait_for_url(re.compile(r"/operator$"))
    invite = page.locator("#invite")
    invite.get_by_label("Acting for").select_option(kind)
    invite.get_by_label("The party's id").fill(party)
    invite.get_by_label("The person's name").fill(name)
    invite.get_by_role("button", name="Make an invitation link").click()
    link = page.locator("#invitation-link")
    link.wait_for()
    return str(link.get_attribute("href"))


def sign_out(page: Any) -> None:
    page.get_by_role("button", name=re.compile("Sign out")).first.click()
    page.wait_for_url(re.compile(r"/$"))


def test_a_subject_registers_a_passkey_by_invitation_and_signs_in_with_it(
    page: Any, site: Site, browser: Any
) -> None:
    link = invitation_link(page, site, "subject", "alice", "Alice Example")
    assert "/invite/" in link
    person = browser.new_context()
    alice = person.new_page()
    with_authenticator(alice)
    alice.goto(link)
    alice.get_by_label("Name this passkey (for example: work laptop)").fill("laptop")
    alice.get_by_role("button", name="Create my passkey").click()
    alice.wait_for_url(re.compile(r"/me$"))
    assert "Your file, Alice Example" in alice.content()
    sign_out(alice)
    alice.goto(f"{site.url}/signin")
    alice.get_by_role("button", name="Sign in with a passkey").click()
    alice.wait_for_url(re.compile(r"/me$"))
    ARTIFACTS.mkdir(exist_ok=True)
    alice.goto(f"{site.url}/account")
    assert alice.locator("#passkeys").get_by_text("laptop").is_visible()
    # The link worked once: a second visit says so, and nothing is registered.
    again = person.new_page()
    again.goto(link)
    assert "not valid" in again.content()
    again.close()
    # Sign out everywhere ends the session in another browser too.
    other = browser.new_context()
    other.add_cookies(person.cookies())
    elsewhere = other.new_page()
    elsewhere.goto(f"{site.url}/me")
    assert elsewhere.url.endswith("/me")
    alice.get_by_role("button", name="Sign out everywhere").click()
    alice.wait_for_url(re.compile(r"/signin$"))
    elsewhere.goto(f"{site.url}/me")
    assert elsewhere.url.endswith("/signin")
    other.close()
    person.close()


def test_a_relying_partys_staff_member_registers_and_lands_on_the_verify_page(
    page: Any, site: Site, browser: Any
) -> None:
    link = invitation_link(page, site, "relying_party", "landlord", "Larry Lettings")
    staff = browser.new_context()
    larry = staff.new_page()
    with_authenticator(larry)
    larry.goto(link)
    larry.get_by_role("button", name="Create my passkey").click()
    larry.wait_for_url(re.compile(r"/rp$"))
    sign_out(larry)
    larry.goto(f"{site.url}/signin")
    larry.get_by_role("button", name="Sign in with a passkey").click()
    larry.wait_for_url(re.compile(r"/rp$"))
    larry.get_by_role("button", name="Make a request").click()
    larry.locator("#request-link").wait_for()
    staff.close()


def test_a_person_who_lost_their_passkey_is_given_a_new_one_by_the_operator(
    page: Any, site: Site, browser: Any
) -> None:
    first = invitation_link(page, site, "subject", "alice", "Alice Example")
    old_device = browser.new_context()
    alice = old_device.new_page()
    with_authenticator(alice)
    alice.goto(first)
    alice.get_by_role("button", name="Create my passkey").click()
    alice.wait_for_url(re.compile(r"/me$"))
    old_device.close()  # the device is lost
    page.goto(f"{site.url}/operator")
    invite = page.locator("#invite")
    invite.get_by_label("Acting for").select_option("subject")
    invite.get_by_label("The party's id").fill("alice")
    invite.get_by_label("For", exact=True).locator("option", has_text="Alice Example").wait_for(
        state="attached"
    )
    chosen = invite.get_by_label("For", exact=True)
    chosen.select_option(label="Alice Example — a new passkey (1 now)")
    # A refresh of the list (here: the kind chosen again) keeps the person chosen.
    chosen.evaluate("select => select.dataset.before = 'refresh'")
    invite.get_by_label("Acting for").select_option("subject")
    page.locator("#invite-person:not([data-before])").wait_for(state="attached")
    assert "a new passkey" in chosen.locator("option:checked").inner_text()
    invite.get_by_role("button", name="Make an invitation link").click()
    page.locator("#invitation-link").wait_for()
    recovery = str(page.locator("#invitation-link").get_attribute("href"))
    new_device = browser.new_context()
    again = new_device.new_page()
    with_authenticator(again)
    again.goto(recovery)
    assert "adds a new passkey" in again.content()
    again.get_by_role("button", name="Create my passkey").click()
    again.wait_for_url(re.compile(r"/me$"))
    again.goto(f"{site.url}/account")
    assert again.locator("#passkeys li").count() == 2  # the same person, a second passkey
    new_device.close()
