"""The instructor pages added for class scale read in Korean: labels, buttons and flashes."""
from __future__ import annotations

from .conftest import build_set, login, post_form


def test_new_instructor_pages_and_flashes_are_in_korean(app, client, instructor):
    set_id = build_set(app, instructor)
    login(client, "teacher@example.com")
    client.get("/?lang=ko")
    base = f"/instructor/sets/{set_id}"
    roster = client.get(f"{base}/roster").get_data(as_text=True)
    assert "또는 CSV 내용을 붙여 넣기" in roster and "아직 아무도 없습니다." in roster
    assert "모든 막대는 같은 척도로" in client.get(f"{base}/statistics").get_data(as_text=True)
    edit = client.get(f"{base}/edit").get_data(as_text=True)
    assert "읽기 전용: 이 과제는 공개되었고" in edit
    page = client.get(base).get_data(as_text=True)
    assert "배점 10점" in page and "배점 저장" in page
    item = page.split('action="/instructor/sets/')[1].split("/points")[0].split("/items/")[1]
    done = post_form(client, f"{base}/items/{item}/points", {"points": "0"}, form_page=base,
                     follow_redirects=True).get_data(as_text=True)
    assert "배점을 바꾸지 않았습니다." in done


def test_the_set_page_names_its_status_and_reveal_rule_in_the_readers_language(app, client,
                                                                             instructor):
    from ..web.conftest import element_text

    set_id = build_set(app, instructor)   # published; reveals after the attempts are used
    login(client, "teacher@example.com")
    page = client.get(f"/instructor/sets/{set_id}").get_data(as_text=True)
    assert element_text(page, "set-reveal") == "After the attempts are used"
    korean = client.get(f"/instructor/sets/{set_id}?lang=ko").get_data(as_text=True)
    assert element_text(korean, "set-reveal") == "시도 횟수를 다 쓴 뒤"
    assert '<span class="status status-published">게시됨</span>' in korean
