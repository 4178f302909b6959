"""The interface in English and Korean: chosen from Accept-Language, ?lang= and its cookie."""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from .conftest import start_practice

ROOT = Path(__file__).resolve().parents[2]
KOREAN_PO = ROOT / "exercises" / "translations" / "ko" / "LC_MESSAGES" / "messages.po"


def test_english_is_the_default(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html and "Start practising" in html


def test_accept_language_korean_gives_korean(client):
    html = client.get("/", headers={"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="ko">' in html and "연습 시작하기" in html


def test_the_switcher_sets_a_cookie_that_later_pages_follow(client):
    response = client.get("/?lang=ko")
    assert "lang=ko" in response.headers["Set-Cookie"]
    html = client.get("/practice").get_data(as_text=True)
    assert "연습 설정" in html
    assert "Practice settings" in client.get("/practice?lang=en").get_data(as_text=True)


def test_switcher_links_keep_the_page_and_its_arguments(client):
    html = client.get("/practice?template=tanh-3-3-2").get_data(as_text=True)
    assert 'href="/practice?template=tanh-3-3-2&amp;lang=ko"' in html


def test_an_exercise_page_in_korean_keeps_symbols_and_numbers(client):
    path = start_practice(client, "/practice/new?template=seed-2-2-2&seed=3&lang=ko").location
    html = client.get(path).get_data(as_text=True)
    assert "Output Layer: 에러 신호 δ" in html and "ŷ1의 에러 신호" in html
    assert 'name="delta:2:1"' in html


def student_messages():
    """Every message of the student pages (exercises/web and the templates it owns)."""
    method_map = [("web/**.py", "python"), ("templates/*.html", "jinja2")]
    found = extract_from_dir(ROOT / "exercises", method_map, keywords={
        "_": None, "gettext": None, "ngettext": (1, 2), "_l": None})
    return {message if isinstance(message, str) else message[0]
            for _file, _line, message, _comments, _context in found}


def test_every_student_page_message_has_a_korean_translation():
    with KOREAN_PO.open("rb") as source:
        catalog = read_po(source)
    messages = student_messages()
    missing = sorted(m for m in messages
                     if catalog.get(m) is None or not all(catalog.get(m).string or [""]))
    assert len(messages) > 150 and missing == []


def test_each_message_is_in_the_korean_catalog_once():
    # Branches that each append Korean entries are merged by union (.gitattributes); a msgid
    # added on two branches would then appear twice, and the compiler keeps one silently.
    text = KOREAN_PO.read_text(encoding="utf-8")
    ids = ["".join(re.findall(r'"(.*)"', block)) for block in
           re.findall(r'^msgid ((?:".*"\n)+)', text, flags=re.M)]
    twice = sorted({message for message in ids if ids.count(message) > 1})
    assert len(ids) > 500 and twice == []


def test_every_grader_message_has_a_korean_translation():
    # Grader messages are ids with parameters (exercises/grading/messages.py); each text,
    # misconceptions' own included, must be in the catalog with every parameter kept.
    from exercises.grading.messages import TEXTS
    from exercises.grading.misconceptions import REGISTRY

    with KOREAN_PO.open("rb") as source:
        catalog = read_po(source)
    texts = set(TEXTS.values()) | {text for mistake in REGISTRY.values()
                                   for text in (mistake.title, mistake.explanation)}
    for text in texts:
        entry = catalog.get(text)
        assert entry is not None and entry.string, text
        assert sorted(re.findall(r"%\((\w+)\)s", entry.string)) == \
            sorted(re.findall(r"%\((\w+)\)s", text)), text


def test_a_submission_answers_in_the_readers_language(client):
    created = client.post("/api/v1/practice", json={"seed": 3}).get_json()
    keys = [field["key"] for field in created["fields"]]
    headers = {"Authorization": f"Bearer {created['token']}"}
    path = f"/api/v1/exercises/{created['id']}/submissions"
    body = {"answers": {keys[0]: "12345"}}
    english = client.post(path, headers=headers, json=body).get_json()["fields"]
    korean = client.post(path + "?lang=ko", headers=headers, json=body).get_json()["fields"]
    assert english[keys[0]]["message"] == "Not correct: check this value's formula and your arithmetic."
    assert korean[keys[0]]["message"] == "틀렸습니다. 이 값의 식과 계산을 확인하세요."
    assert korean[keys[1]]["message"] == "답이 없습니다." and english[keys[1]]["message"] == "No answer."
    assert list(korean) == keys          # the exercise's order


def test_every_refusal_of_the_engine_has_a_korean_translation():
    # The engine (numpy only) raises SpecError(key, template, **fields); the pages translate the
    # template. Each one, and each N_-marked part, must be in the catalog with its fields kept.
    found = extract_from_dir(ROOT / "tracer", [("**.py", "python")],
                             keywords={"SpecError": (2,), "N_": None})
    templates = {message for _file, _line, message, _comments, _context in found}
    with KOREAN_PO.open("rb") as source:
        catalog = read_po(source)
    assert len(templates) > 60
    for template in templates:
        entry = catalog.get(template)
        assert entry is not None and entry.string, template
        assert sorted(re.findall(r"%\((\w+)\)s", entry.string)) == \
            sorted(re.findall(r"%\((\w+)\)s", template)), template


def test_the_engines_refusals_are_templates_not_formatted_text():
    # An f-string message would escape the catalog (extraction skips it) and the translation.
    import ast

    formatted = []
    for path in sorted((ROOT / "tracer").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "SpecError" \
                    and len(node.args) > 1 and isinstance(node.args[1], ast.JoinedStr):
                formatted.append(f"{path.name}:{node.lineno}")
    assert formatted == []
