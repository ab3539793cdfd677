"""The subject's pages over HTTP (no browser): the dashboard in English and Chinese, the dispute
form and its preview, taking a dispute back, granting and undoing, short links, error pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sincerity.api import Settings
from sincerity.services import Registry
from sincerity.web import create_site
from tests.web_world import populate

URL = "http://testserver"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    db = f"sqlite:///{tmp_path / 'pages.db'}"
    registry = Registry.create(db)
    keys = populate(registry)
    app = create_site(Settings(database_url=db, public_url=URL), registry)
    with TestClient(app, base_url=URL) as http:
        http.headers["origin"] = URL
        signed = http.post("/signin", data={"api_key": keys["alice"]}, follow_redirects=False)
        assert signed.status_code == 303
        page = http.get("/me")
        csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text)
        assert csrf is not None
        http.headers["X-CSRF-Token"] = csrf.group(1)
        yield http
    registry.close()


def test_the_dashboard_speaks_a_persons_words(client: TestClient) -> None:
    page = client.get("/me").text
    assert "City Utility" in page and "Landlord Ltd" in page
    assert "What changed since last month" in page
    for machine_word in ("very_good", "deposit_waived", "on_time", ">true<", "policy_version"):
        assert machine_word not in page.split('<details class="details">')[0], machine_word
    assert "Landlord Ltd" in page and "Share proof" in page


def test_the_dashboard_in_chinese(client: TestClient) -> None:
    page = client.get("/me?lang=zh")
    assert page.status_code == 200
    assert '<html lang="zh-Hans">' in page.text
    assert "你的分数" in page.text and "上个月以来的变化" in page.text
    assert "What holds it back" not in page.text
    assert client.cookies.get("sincerity_lang") == "zh"  # remembered for the next page
    assert "谁查阅过你的档案" in client.get("/me").text


def test_the_dispute_form_says_what_disputing_does_before_it_is_sent(client: TestClient) -> None:
    form = client.get("/me/records/missed-1/dispute").text
    assert "would go from" in form and 'name="category"' in form
    done = client.post(
        "/me/disputes",
        data={"record_id": "missed-1", "reason": "I paid it", "category": "paid_or_settled"},
        files={"evidence": ("receipt.txt", b"paid on the 3rd", "text/plain")},
    )
    assert done.status_code == 200 and "it no longer counts while the source answers" in done.text
    dispute_id = re.search(r"/me/disputes/(\d+)/drop", done.text)
    assert dispute_id is not None
    dropped = client.post(f"/me/disputes/{dispute_id.group(1)}/drop")
    assert "the record counts again" in dropped.text


def test_someone_elses_record_has_no_dispute_form(client: TestClient) -> None:
    assert client.get("/me/records/nobody-record/dispute").status_code == 404


def test_a_revocation_is_undone_within_the_window(client: TestClient) -> None:
    granted = client.post(
        "/me/consents", data={"relying_party": "lender", "purpose": "loan", "until": ""}
    )
    assert "Lender Bank" in granted.text
    consent_id = re.findall(r"/me/consents/(\d+)/revoke", granted.text)[-1]
    revoked = client.post(f"/me/consents/{consent_id}/revoke")
    assert f"/me/consents/{consent_id}/undo" in revoked.text
    undone = client.post(f"/me/consents/{consent_id}/undo")
    assert "the consent is back" in undone.text
    assert f"/me/consents/{consent_id}/revoke" in undone.text


def test_a_bad_date_in_the_consent_form_is_named(client: TestClient) -> None:
    response = client.post(
        "/me/consents",
        data={"relying_party": "lender", "purpose": "loan", "until": "31/12/2030"},
        headers={"HX-Request": "true"},
    )
    assert "YYYY-MM-DD" in response.text


def test_a_shared_proof_has_a_short_link_that_stops_when_revoked(client: TestClient) -> None:
    shared = client.post("/me/share", data={"audience": "Landlord Ltd", "disclose": ["tier"]})
    link = re.search(r'id="proof-link">([^<]+)<', shared.text)
    assert link is not None and len(link.group(1)) < 60
    path = link.group(1).removeprefix(URL)
    followed = client.get(path, follow_redirects=False)
    assert followed.status_code == 303 and followed.headers["location"].startswith("/verify#")
    proof_id = path.rsplit("/", 1)[1]
    client.post(f"/me/proofs/{proof_id}/revoke")
    gone = client.get(path, follow_redirects=False)
    assert gone.status_code == 410 and "revoked" in gone.text


def test_a_browser_gets_an_html_404_and_an_api_client_json(client: TestClient) -> None:
    page = client.get("/no-such-page", headers={"accept": "text/html"})
    assert page.status_code == 404 and "<h1>Not found</h1>" in page.text
    api = client.get("/v1/no-such-thing", headers={"accept": "text/html"})
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/json")
    zh = client.get("/no-such-page?lang=zh", headers={"accept": "text/html"})
    assert "未找到" in zh.text
