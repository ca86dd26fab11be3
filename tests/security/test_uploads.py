"""Material uploads (POST /api/cases/<id>/materials/<code>) against hostile files, over real
HTTP: size limits, type by content, names that try to escape the upload folder."""
import hashlib
import io
import os
import re

import pytest
import requests

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 256
LIMIT = 5 * 1024 * 1024
STORED = re.compile(r"^[0-9a-f]{32}\.(pdf|png|jpg)$")
OWNER = "2026000001"


@pytest.fixture(scope="module")
def repair(sec, sessions):
    r = sessions(OWNER).post(sec.url + "/api/cases", timeout=30, json={
        "item_code": "logistics.dorm-repair", "form": {
            "building": "B1", "room": "101", "facility": "door_window",
            "description": "窗户关不上"}})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def upload(session, url, case_id, name, data, code="photo", mimetype="image/png"):
    return session.post(f"{url}/api/cases/{case_id}/materials/{code}", timeout=60,
                        files={"file": (name, io.BytesIO(data), mimetype)})


def stored_files(sec):
    return sorted(os.listdir(sec.upload_dir))


def test_a_good_file_is_kept_under_a_generated_name(sec, sessions, repair):
    r = upload(sessions(OWNER), sec.url, repair, "故障照片.pdf", PDF, mimetype="application/pdf")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest() and body["size"] == len(PDF)
    assert body["content_type"] == "application/pdf" and body["original_name"] == "故障照片.pdf"
    assert f"{body['id']}.pdf" in stored_files(sec)
    with open(os.path.join(sec.upload_dir, f"{body['id']}.pdf"), "rb") as f:
        assert f.read() == PDF
    # the department's staff download it, as an attachment
    got = sessions("logistics_b").get(
        f"{sec.url}/api/cases/{repair}/materials/files/{body['id']}", timeout=30)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"].startswith("attachment")
    listed = sessions("logistics_a").get(f"{sec.url}/api/cases/{repair}/materials", timeout=30)
    assert body["id"] in {f["id"] for f in listed.json()["files"]}


@pytest.mark.parametrize("size", [LIMIT + 1, LIMIT + 2 * 1024 * 1024])
def test_oversize_is_413_and_nothing_is_kept(sec, sessions, repair, size):
    before = stored_files(sec)
    try:
        r = upload(sessions(OWNER), sec.url, repair, "big.png", PNG + b"\x00" * (size - len(PNG)))
    except requests.ConnectionError:            # the server may close while we still send
        assert stored_files(sec) == before
        return
    assert r.status_code == 413, r.text[:300]
    body = r.json()
    assert body["error"] in ("file_too_large", "too_large")
    assert body["message"] and body["message_en"]
    assert stored_files(sec) == before


def test_exactly_the_limit_is_accepted(sec, sessions, repair):
    r = upload(sessions(OWNER), sec.url, repair, "max.png", PNG + b"\x00" * (LIMIT - len(PNG)))
    assert r.status_code == 201, r.text[:300]
    assert r.json()["size"] == LIMIT


@pytest.mark.parametrize("name, data", [
    ("transcript.pdf", b"<html><script>alert(document.cookie)</script></html>"),
    ("photo.png", b"GIF89a\x01\x00\x01\x00"),
    ("photo.jpg", b"MZ\x90\x00 this is an exe"),
    ("scan.pdf", b""),
])
def test_wrong_type_with_a_good_extension_is_415(sec, sessions, repair, name, data):
    before = stored_files(sec)
    r = upload(sessions(OWNER), sec.url, repair, name, data, mimetype="application/pdf")
    assert r.status_code == 415, r.text
    assert r.json()["error"] == "unsupported_file_type" and "file" in r.json()["fields"]
    assert stored_files(sec) == before


@pytest.mark.parametrize("name", ["../../../../tmp/evil.png", "..\\..\\evil.png",
                                  "/etc/passwd", "....//....//evil.png", "%2e%2e%2fevil.png"])
def test_client_names_never_become_paths(sec, sessions, repair, name):
    r = upload(sessions(OWNER), sec.url, repair, name, PNG)
    assert r.status_code == 201, r.text
    assert "/" not in r.json()["original_name"] and "\\" not in r.json()["original_name"]
    assert all(STORED.match(f) for f in stored_files(sec))
    parent = os.path.dirname(str(sec.upload_dir))
    assert not os.path.exists(os.path.join(parent, "evil.png"))
    assert not os.path.exists("/tmp/evil.png")


@pytest.mark.parametrize("code, status", [
    ("..%2F..%2Fetc", (404, 415, 422)),         # decoded to a path no route matches
    ("not_in_item", (422,)),
    ("PHOTO", (422,)),
])
def test_the_material_code_is_checked(sec, sessions, repair, code, status):
    r = upload(sessions(OWNER), sec.url, repair, "p.png", PNG, code=code)
    assert r.status_code in status, r.text


def test_only_the_owner_uploads_and_only_as_multipart(sec, sessions, repair):
    assert upload(sessions("2026000002"), sec.url, repair, "p.png", PNG).status_code == 403
    assert upload(sessions("logistics_b"), sec.url, repair, "p.png", PNG).status_code == 403
    assert upload(requests.Session(), sec.url, repair, "p.png", PNG).status_code == 401
    owner = sessions(OWNER)
    r = owner.post(f"{sec.url}/api/cases/{repair}/materials/photo", json={"file": "x"},
                   timeout=30)
    assert r.status_code == 415
    r = owner.post(f"{sec.url}/api/cases/{repair}/materials/photo", timeout=30,
                   files={"other": ("p.png", io.BytesIO(PNG), "image/png")})
    assert r.status_code == 422 and "file" in r.json()["fields"]


def test_no_uploads_to_a_closed_case(sec, sessions):
    owner = sessions(OWNER)
    r = owner.post(sec.url + "/api/cases", timeout=30, json={
        "item_code": "logistics.dorm-repair", "form": {
            "building": "B1", "room": "102", "facility": "water", "description": "漏水了"}})
    cid = r.json()["id"]
    assert owner.post(f"{sec.url}/api/cases/{cid}/withdraw", json={},
                      timeout=30).status_code == 200
    r = upload(owner, sec.url, cid, "p.png", PNG)
    assert r.status_code == 409 and r.json()["error"] == "case_closed"
