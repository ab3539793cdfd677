"""The web app in a real browser: subjects, verifiers and the operator."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.e2e.web.conftest import Site


def sign_in(page: Any, site: Site, who: str) -> None:
    page.goto(f"{site.url}/signin")
    page.get_by_label("API key").fill(site.keys[who])
    page.get_by_role("button", name="Sign in with the key").click()


def shown_score(page: Any) -> int:
    return int(page.locator("#score .gauge-value").text_content() or "0")


def test_every_page_renders_labelled_and_without_console_errors(page: Any, site: Site) -> None:
    for path in ("/", "/verify", "/signin", "/lab"):
        page.goto(site.url + path)
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('input:not([type=hidden]), textarea, select')]
                 .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                               && !el.closest('label')).map(el => el.name)"""
        )
        assert unlabelled == [], (path, unlabelled)
    page.goto(site.url + "/")
    assert "What it refuses to score" in page.content()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"


def test_a_subject_disputes_a_record_through_the_form_and_takes_it_back(
    page: Any, site: Site, tmp_path: Any
) -> None:
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, site, "alice")
    page.wait_for_url(re.compile(r"/me$"))
    before = shown_score(page)
    page.locator("details.group summary").first.click()
    row = page.locator("li.record", has_text="Missed")
    row.get_by_role("button", name=re.compile("^Dispute")).click()
    form = page.locator("form.dispute-form")
    form.wait_for()
    assert "would go from" in form.inner_text()  # the effect, said before confirming
    form.get_by_label("What is wrong?").select_option("paid_or_settled")
    form.get_by_label("Tell the source what happened").fill("I paid this on time")
    receipt = tmp_path / "receipt.txt"
    receipt.write_text("paid on the 3rd")
    form.get_by_label(re.compile("Evidence")).set_input_files(str(receipt))
    form.get_by_role("button", name="Dispute this record").click()
    page.get_by_text("it no longer counts while the source answers").wait_for()
    assert shown_score(page) > before
    disputes = httpx.get(
        f"{site.url}/v1/me/disputes", headers={"Authorization": f"Bearer {site.keys['alice']}"}
    ).json()
    assert disputes[0]["category"] == "paid_or_settled" and disputes[0]["evidence_name"]
    page.locator("details.group summary").first.click()
    page.get_by_role("button", name="Take back my dispute").click()
    page.get_by_text("the record counts again").wait_for()
    assert shown_score(page) == before


def test_a_subject_grants_a_consent_and_undoes_a_revocation(page: Any, site: Site) -> None:
    page.on("dialog", lambda dialog: dialog.accept())
    check = {"subject_id": "alice", "purpose": "tenancy"}
    landlord = {"Authorization": f"Bearer {site.keys['landlord']}"}
    assert httpx.post(f"{site.url}/v1/checks", json=check, headers=landlord).status_code == 200
    sign_in(page, site, "alice")
    page.wait_for_url(re.compile(r"/me$"))
    page.get_by_role("button", name="Revoke consent to Landlord Ltd").click()
    page.get_by_text("Consent revoked.").wait_for()
    assert httpx.post(f"{site.url}/v1/checks", json=check, headers=landlord).status_code == 403
    page.locator("#consents").get_by_role("button", name="Undo").click()
    page.get_by_text("the consent is back").wait_for()
    assert httpx.post(f"{site.url}/v1/checks", json=check, headers=landlord).status_code == 200

    page.get_by_text("Allow a relying party to check you").click()
    page.get_by_label("Who").select_option("lender")
    page.get_by_label("For what (for example: tenancy)").fill("loan")
    page.get_by_role("button", name="Allow", exact=True).click()
    page.get_by_text("Consent granted.").wait_for()
    lender = {"Authorization": f"Bearer {site.keys['lender']}"}
    loan = {"subject_id": "alice", "purpose": "loan"}
    assert httpx.post(f"{site.url}/v1/checks", json=loan, headers=lender).status_code == 200
    page.goto(f"{site.url}/me")
    log = page.locator("#access-log").inner_text()
    assert "Landlord Ltd checked your tier for “tenancy” on" in log


def test_a_requested_proof_is_valid_for_its_verifier_and_a_tampered_one_rejected(
    page: Any, site: Site, browser: Any
) -> None:
    verifier = browser.new_page()
    sign_in(verifier, site, "landlord")
    verifier.wait_for_url(re.compile(r"/rp$"))
    verifier.get_by_role("button", name="Make a request").click()
    link = verifier.locator("#request-link")
    link.wait_for()
    assert verifier.locator(".qr svg").count() == 1
    sign_in(page, site, "alice")
    page.wait_for_url(re.compile(r"/me$"))
    page.goto(link.get_attribute("href"))
    page.get_by_role("button", name="Share with landlord").click()
    page.locator("#share-done").wait_for()
    verifier.get_by_text("Valid proof").wait_for()
    assert verifier.get_by_role("row", name=re.compile("tier")).is_visible()
    assert "landlord" in verifier.locator("#request-result").inner_text()
    # The landlord forwards what the subject sent it to another relying party: it fails there.
    with site.registry.engine.connect() as conn:
        sent = conn.exec_driver_sql(
            "SELECT presentation FROM presentation_requests WHERE presentation IS NOT NULL"
        ).scalar_one()
    lender = browser.new_page()
    sign_in(lender, site, "lender")
    lender.wait_for_url(re.compile(r"/rp$"))
    lender.goto(f"{site.url}/verify")
    lender.get_by_label("Presentation").fill(sent)
    lender.get_by_label(re.compile("Expected audience")).fill("lender")
    lender.get_by_role("button", name="Verify").click()
    lender.get_by_text("Not valid").wait_for()
    lender.close()
    # A proof the subject made on their own, opened without the verifier's challenge, is not
    # bound to anyone: the page says so instead of "valid".
    page.goto(f"{site.url}/me")
    page.get_by_label("For (the verifier's name or address)").fill("landlord")
    page.get_by_role("button", name="Make a proof").click()
    own = page.locator("#proof-link")
    own.wait_for()
    href = own.get_attribute("href")
    assert "/p/" in href and len(href) < 80  # a short link: a QR code a phone can scan
    other = browser.new_page()
    other.goto(href)
    other.get_by_text("Not valid").wait_for()
    assert "not bound to you" in other.locator("#failure-reason").inner_text()
    presentation = other.url.split("#", 1)[1]
    tampered = presentation[:40] + ("A" if presentation[40] != "A" else "B") + presentation[41:]
    other.goto(f"{site.url}/verify")
    other.get_by_label("Presentation").fill(tampered)
    other.get_by_role("button", name="Verify").click()
    other.get_by_text("Not valid").wait_for()
    assert other.locator("#failure-reason").inner_text().strip()
    other.close()
    verifier.close()


def test_an_operator_resolves_a_dispute(page: Any, site: Site) -> None:
    headers = {"Authorization": f"Bearer {site.keys['alice']}"}
    opened = httpx.post(
        f"{site.url}/v1/me/disputes",
        json={"record_id": "p3", "reason": "never billed"},
        headers=headers,
    )
    assert opened.status_code == 201
    sign_in(page, site, "operator")
    page.wait_for_url(re.compile(r"/operator$"))
    queue = page.locator("#dispute-queue")
    assert queue.get_by_text("never billed").is_visible()
    queue.get_by_role("button", name=re.compile("Uphold dispute")).click()
    page.get_by_text("upheld: the record is suppressed for good").wait_for()
    states = httpx.get(f"{site.url}/v1/me/disputes", headers=headers).json()
    assert states[0]["state"] == "suppressed"


def test_a_small_lab_run_in_the_browser(page: Any, site: Site) -> None:
    page.goto(f"{site.url}/lab")
    assert page.get_by_role("link", name="Sign in").first.is_visible()  # no anonymous runs
    sign_in(page, site, "alice")
    page.goto(f"{site.url}/lab")
    page.get_by_label("Agents (50 to 5000)").fill("300")
    page.get_by_label("Months (1 to 120)").fill("12")
    page.get_by_label("Seeds (1 to 3)").fill("1")
    page.get_by_role("button", name="Run").click()
    page.locator("#lab-result table").wait_for(timeout=60_000)
    text = page.locator("#lab-result").inner_text()
    assert "ties cut to critics" in text and "described" in text


def test_a_mistake_in_a_form_is_shown_and_nothing_is_lost(page: Any, site: Site) -> None:
    sign_in(page, site, "alice")
    page.goto(f"{site.url}/lab")
    page.get_by_label("Agents (50 to 5000)").fill("999999")
    page.get_by_label("Months (1 to 120)").fill("7")
    page.get_by_role("button", name="Run").click()
    page.locator("#flash .error").wait_for()
    message = page.locator("#flash .error").inner_text()
    assert "Agents must be a whole number from 50 to 5,000" in message and "999999" in message
    assert page.get_by_label("Agents (50 to 5000)").input_value() == "999999"
    assert page.get_by_label("Months (1 to 120)").input_value() == "7"
    assert page.locator("#lab-result").is_visible()


def test_the_header_links_line_up_with_the_sign_out_button(page: Any, site: Site) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, site, "alice")
    page.wait_for_url(re.compile(r"/me$"))
    nav = page.get_by_role("navigation", name="Main")

    def text_middle(locator: Any) -> float:
        # The text's own box, not the element's: a stretched flex item hides a misplaced text.
        return float(
            locator.evaluate(
                "el => { const r = document.createRange(); r.selectNodeContents(el); "
                "const b = r.getBoundingClientRect(); return b.top + b.height / 2; }"
            )
        )

    button = text_middle(nav.get_by_role("button", name=re.compile("Sign out")))
    for name in ("Verify a proof", "Policy lab", "My file"):
        link = text_middle(nav.get_by_role("link", name=name))
        assert abs(link - button) <= 2, (name, link, button)


def test_a_source_uploads_a_file_with_a_bad_line_then_a_good_one_and_answers_a_dispute(
    page: Any, site: Site, tmp_path: Any
) -> None:
    page.on("dialog", lambda dialog: dialog.accept())
    headers = {"Authorization": f"Bearer {site.keys['alice']}"}
    disputed = httpx.post(
        f"{site.url}/v1/me/disputes",
        json={"record_id": "p2", "reason": "I paid this on time", "category": "paid_or_settled"},
        headers=headers,
    )
    assert disputed.status_code == 201
    sign_in(page, site, "utility")
    page.wait_for_url(re.compile(r"/source$"))
    before = page.locator("#records tbody tr").count()
    bad = tmp_path / "november.csv"
    bad.write_text(
        "id,subject,kind,status,occurred_on,reported_on\n"
        "n1,alice,payment,on_time,2026-11-01,2026-11-02\n"
        "n2,alice,payment,paid-ish,2026-11-03,2026-11-04\n"
    )
    page.get_by_label(re.compile("Batch file")).set_input_files(str(bad))
    page.get_by_role("button", name="Upload").click()
    problems = page.locator("#upload-problems")
    problems.wait_for()
    assert "nothing was stored" in page.locator("#upload-result").inner_text()
    row = problems.locator("tbody tr")
    assert row.count() == 1 and row.first.locator("td").first.inner_text() == "3"
    assert "status" in row.first.inner_text()
    page.goto(f"{site.url}/source")
    assert page.locator("#records tbody tr").count() == before  # nothing stored
    bad.write_text(
        "id,subject,kind,status,occurred_on,reported_on\n"
        "n1,alice,payment,on_time,2026-11-01,2026-11-02\n"
    )
    page.get_by_label(re.compile("Batch file")).set_input_files(str(bad))
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("1 record stored").wait_for()
    dispute = page.locator("#disputes article").first
    assert "I paid this on time" in dispute.inner_text()
    dispute.get_by_text("Confirm it, with evidence").click()
    dispute.get_by_label(re.compile("Your evidence")).fill("Bank statement line 14: paid late")
    dispute.get_by_role("button", name="Confirm the record").click()
    page.get_by_text("answered: confirmed by the source").wait_for()
    states = httpx.get(f"{site.url}/v1/me/disputes", headers=headers).json()
    assert states[0]["state"] == "confirmed"


def test_a_relying_party_checks_a_consenting_subject_and_is_refused_for_another(
    page: Any, site: Site
) -> None:
    sign_in(page, site, "landlord")
    page.wait_for_url(re.compile(r"/rp$"))
    page.get_by_label("Subject id").fill("alice")
    page.get_by_label(re.compile("Threshold")).fill("600")
    page.get_by_role("button", name="Check", exact=True).click()
    page.get_by_text("is in tier").wait_for()
    assert "your threshold of 600" in page.locator("#check-result").inner_text()
    page.get_by_label("Subject id").fill("nobody")
    page.get_by_role("button", name="Check", exact=True).click()
    page.get_by_text("has not given you consent").wait_for()
    history = page.locator("#history").inner_text()
    assert "alice" in history and "trust check" in history


def test_an_operator_registers_a_party_and_looks_up_a_subject(page: Any, site: Site) -> None:
    sign_in(page, site, "operator")
    page.wait_for_url(re.compile(r"/operator$"))
    form = page.locator("#register")
    form.get_by_label("Kind").select_option("relying_party")
    form.get_by_label(re.compile("^Id")).fill("car-hire")
    form.get_by_label("Name").fill("Car Hire Ltd")
    form.get_by_role("button", name="Register").click()
    key = page.locator("#new-key")
    key.wait_for()
    new_key = key.inner_text().strip()
    asked = httpx.post(
        f"{site.url}/v1/presentation-requests",
        json={"claims": ["tier"], "purpose": "car hire"},
        headers={"Authorization": f"Bearer {new_key}"},
    )
    assert asked.status_code == 201  # the key works at once, as a relying party's
    page.get_by_label("Subject id").fill("alice")
    page.get_by_role("button", name="Look up").click()
    page.locator("#lookup-result dl").wait_for()
    assert "Alice Example" in page.locator("#lookup-result").inner_text()
    log = httpx.get(
        f"{site.url}/v1/me/access-log", headers={"Authorization": f"Bearer {site.keys['alice']}"}
    ).json()
    assert any(e["what"] == "operator lookup" for e in log)


def test_error_pages_run_no_failing_script(browser: Any, site: Site) -> None:
    """An error page loads its stylesheet and scripts like any page: the only console line is
    the browser's own note of the page's status."""
    context = browser.new_context()
    page = context.new_page()
    errors: list[tuple[str, str]] = []
    page.on(
        "console",
        lambda m: errors.append((m.text, m.location.get("url", ""))) if m.type == "error" else None,
    )
    page.on("pageerror", lambda error: errors.append((str(error), "")))
    missing = page.goto(f"{site.url}/no-such-page")
    assert missing is not None and missing.status == 404
    for path in ("/me", "/operator"):  # signed out: to the sign-in page
        page.goto(site.url + path)
        assert page.url.endswith("/signin")
    sign_in(page, site, "alice")
    page.wait_for_url(re.compile(r"/me$"))
    forbidden = page.goto(f"{site.url}/operator")
    assert forbidden is not None and forbidden.status == 403
    assert "Not allowed" in page.content()
    assert page.locator("link[rel=stylesheet]").count() == 1
    own_status = [text for text, url in errors if not text.startswith("Failed to load resource")]
    assert own_status == []
    context.close()
