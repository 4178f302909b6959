"""What-if mode for a circuit: change a leaf value of CS231n's f = (x + y)·z and read every node
value and gradient computed again. Every expected number is worked out here by hand from the
circuit's formulas (q = x + y, f = q·z, ∂f/∂q = z, ∂f/∂z = q, ∂f/∂x = ∂f/∂y = z), never read
from the engine or the page under test."""
from __future__ import annotations

import re

from .conftest import element_text
from .test_solution_pages import reveal, start


def leaf_inputs(html: str) -> dict[str, str]:
    """The what-if form's leaf fields as the page fills them."""
    return dict(re.findall(r'name="(leaf:[a-z0-9_]+)"\s+value="([^"]*)"', html))


def table(html: str) -> dict[str, tuple[str, str, bool]]:
    """Per field key: the exercise's value, the what-if value, whether the row is marked."""
    found = {}
    for cls, key, body in re.findall(r'<tr class="([^"]*)" data-key="([^"]+)">(.*?)</tr>', html, flags=re.S):
        cells = re.findall(r'<td class="num">([^<]*)</td>', body)
        found[key] = (cells[0], cells[1], "changed" in cls)
    return found


def by_hand(x: float, y: float, z: float) -> dict[str, float]:
    q = x + y
    return {"value:q": q, "value:f": q * z, "local_grad:f:q": z, "grad:q": z, "local_grad:f:z": q,
            "grad:z": q, "local_grad:q:x": 1.0, "grad:x": z, "local_grad:q:y": 1.0, "grad:y": z}


def shown(value: float) -> str:
    return f"{value:.6g}".replace("-", "−")


def test_a_circuits_solution_invites_to_what_if_and_changing_leaves_recomputes_every_gradient(client, csrf):
    path, _id = start(client, "circuit=cs231n&seed=3")
    solution = reveal(client, csrf, path)
    assert f'href="{path}/what-if"' in solution
    page = client.get(f"{path}/what-if")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    given = {name: float(value) for name, value in leaf_inputs(html).items()}
    assert set(given) == {"leaf:x", "leaf:y", "leaf:z"}
    original = by_hand(given["leaf:x"], given["leaf:y"], given["leaf:z"])
    assert {key: old for key, (old, _new, _marked) in table(html).items()} == \
        {key: shown(v) for key, v in original.items()}
    assert not any(marked for *_values, marked in table(html).values())

    response = client.post(f"{path}/what-if", data={"leaf:x": "1.5", "leaf:y": "−2.5", "leaf:z": "3",
                                                    "csrf_token": csrf(html)})
    assert response.status_code == 200
    rows = table(response.get_data(as_text=True))
    now = by_hand(1.5, -2.5, 3.0)   # q = −1, f = −3; ∂f/∂x = ∂f/∂y = ∂f/∂q = 3, ∂f/∂z = −1
    assert {key: new for key, (_old, new, _marked) in rows.items()} == {key: shown(v) for key, v in now.items()}
    for key, (_old, _new, marked) in rows.items():
        assert marked == (shown(original[key]) != shown(now[key])), key
    # the diagram carries the new values above the wires and the new gradients below
    svg = response.get_data(as_text=True)
    assert sorted(re.findall(r'class="wire-value"[^>]*>([^<]+)<', svg)) == sorted(["1.5", "−2.5", "3", "−1", "−3"])
    assert sorted(re.findall(r'class="wire-grad"[^>]*>([^<]+)<', svg)) == sorted(["3", "3", "3", "−1", "1"])


def test_an_unreadable_leaf_is_named_and_a_division_by_zero_is_refused(client, csrf):
    path, _id = start(client, "circuit=cs231n&seed=3")
    html = reveal(client, csrf, path) and client.get(f"{path}/what-if").get_data(as_text=True)
    response = client.post(f"{path}/what-if", data={"leaf:x": "two", "leaf:y": "1", "leaf:z": "1",
                                                    "csrf_token": csrf(html)})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert element_text(page, "err-x") == "Enter a number."
    assert 'value="two"' in page

    path, _id = start(client, "circuit=division&seed=5")
    html = reveal(client, csrf, path) and client.get(f"{path}/what-if").get_data(as_text=True)
    response = client.post(f"{path}/what-if", data={"leaf:x": "1", "leaf:y": "1", "leaf:z": "0",
                                                    "csrf_token": csrf(html)})
    assert response.status_code == 422
    assert element_text(response.get_data(as_text=True), "whatif-problem")


def test_a_circuits_what_if_waits_for_the_revealed_solution(client):
    path, _id = start(client, "circuit=cs231n&seed=3")
    assert client.get(f"{path}/what-if").status_code == 403


def test_a_circuits_what_if_reads_in_korean(client, csrf):
    path, _id = start(client, "circuit=cs231n&seed=3&lang=ko")
    reveal(client, csrf, path)
    page = client.get(f"{path}/what-if").get_data(as_text=True)
    assert element_text(page, "values-heading") == "바꾸기 전후의 모든 값과 기울기"
    assert "<legend>입력(리프) 값</legend>" in page
