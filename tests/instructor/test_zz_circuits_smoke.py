import pytest
from exercises import db
from exercises.models import Exercise
from sqlalchemy import select
from tests.instructor.conftest import build_set, join, login, make_user, post_form, variants_of

def test_smoke(app, client, instructor):
    set_id = build_set(app, instructor, items=(("circuit:cs231n", {"circuit": "cs231n"}), ("seed-2-2-2", {})), pool_size=2)
    sid = make_user(app, "sam@example.com", role="student", name="Sam")
    join(app, set_id, sid)
    v = variants_of(app, set_id, sid)[0]
    login(client, "sam@example.com")
    url = f"/sets/{set_id}/exercises/{v.id}"
    r = client.get(url); print(r.status_code); assert r.status_code == 200, r.get_data(as_text=True)[-3000:]
    r = post_form(client, url, {"grad:q": "1", "grad:z": "2", "grad:x": "1", "grad:y": "1"})
    print(r.status_code, r.headers.get("Location"))
    r = client.get(url); assert r.status_code == 200
    for u in [f"/sets/{set_id}", f"/sets/{set_id}/exercises/{v.id}/solution"]:
        r = client.get(u); print(u, r.status_code)
    client.post("/logout")
    login(client, "teacher@example.com")
    with app.app_context():
        item_id = db.session().get(Exercise, v.id).item_id
    for u in [f"/instructor/sets/{set_id}", f"/instructor/sets/{set_id}/gradebook", f"/instructor/sets/{set_id}/students/{sid}",
              f"/instructor/sets/{set_id}/statistics", f"/instructor/sets/{set_id}/statistics/students",
              f"/instructor/sets/{set_id}/items/{item_id}/variants", f"/instructor/sets/{set_id}/items/{item_id}/variants/0",
              f"/instructor/sets/{set_id}/variants/{v.id}", f"/instructor/sets/{set_id}/print", f"/instructor/sets/{set_id}/print?part=key",
              f"/instructor/sets/{set_id}/print?variants=pool", f"/instructor/sets/{set_id}/regrade", f"/instructor/sets/{set_id}/history",
              f"/instructor/sets/{set_id}/exports/"] + [f"/instructor/sets/{set_id}/exports/{n}.csv" for n in ("grades","submissions","traces","answer-key")]:
        try:
            r = client.get(u)
        except Exception as e:
            import traceback; print(u.replace(set_id, "S"), "EXC", "".join(traceback.format_exception(e)[-4:])); continue
        print(u.replace(set_id, "S"), r.status_code)
        if r.status_code >= 500:
            print(r.get_data(as_text=True)[-1500:])

def test_dump(app, client, instructor):
    set_id = build_set(app, instructor, items=(("circuit:cs231n", {"circuit": "cs231n"}),), pool_size=2)
    sid = make_user(app, "sam@example.com", role="student", name="Sam")
    join(app, set_id, sid)
    v = variants_of(app, set_id, sid)[0]
    login(client, "sam@example.com")
    url = f"/sets/{set_id}/exercises/{v.id}"
    r = post_form(client, url, {"grad:q": "1", "grad:z": "2", "grad:x": "1", "grad:y": "1"})
    sub = client.get(url).get_data(as_text=True)
    import re
    m = re.search(r'/sets/[^"]+/submissions/[^"]+', sub)
    open("/tmp/c_sub.html","w").write(client.get(m.group(0)).get_data(as_text=True))
    client.post("/logout")
    login(client, "teacher@example.com")
    with app.app_context():
        item_id = db.session().get(Exercise, v.id).item_id
    for n, u in [("gb", f"/instructor/sets/{set_id}/gradebook"), ("st", f"/instructor/sets/{set_id}/students/{sid}"),
              ("stats", f"/instructor/sets/{set_id}/statistics"), ("vars", f"/instructor/sets/{set_id}/items/{item_id}/variants"),
              ("var", f"/instructor/sets/{set_id}/variants/{v.id}"), ("set", f"/instructor/sets/{set_id}"), ("key", f"/instructor/sets/{set_id}/print?part=key"), ("print", f"/instructor/sets/{set_id}/print")]:
        open(f"/tmp/c_{n}.html", "w").write(client.get(u).get_data(as_text=True))
    for n in ("grades", "submissions", "traces", "answer-key"):
        r = client.get(f"/instructor/sets/{set_id}/exports/{n}.csv")
        open(f"/tmp/c_{n}.csv", "w").write(r.get_data(as_text=True))
