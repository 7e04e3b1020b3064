from __future__ import annotations

from fastapi.testclient import TestClient

from assistant.providers.fakes import ScriptedChatModel
from tests.api.test_projects_documents import make_project, upload

MINUTES = (
    "# 门店运营会议纪要\n\n参会人：陈晓峰、王磊\n\n"
    "陈晓峰表示，高峰时段顾客平均排队超过8分钟，部分顾客放弃购买。\n\n"
    "门店收银每单平均耗时90秒，其中会员查询占40秒。\n"
).encode()

DRAFT = {
    "whys": [
        {"question": "为什么希望收银更快？", "answer": "高峰时段顾客平均排队超过8分钟。", "passage": 1},
        {"question": "为什么排队这么久？", "answer": "每单收银平均耗时90秒，会员查询占40秒。", "passage": 1},
        {
            "question": "为什么会员查询慢？",
            "answer": "会员数据存放在总部系统，门店要远程查询。",
            "passage": None,
        },
    ],
    "stop_reason": "已到达业务目标：减少顾客排队时间。",
    "root_need": "减少高峰时段顾客排队时间，避免顾客流失。",
    "requirements": [
        {
            "statement": "当收银员扫描会员码时，收银系统应在 2 秒内返回会员信息。",
            "acceptance_criteria": ["鉴于高峰时段，当扫描会员码，那么 95% 的查询在 2 秒内返回"],
        }
    ],
    "solutions": ["门店缓存会员数据", "自助收银"],
    "open_questions": ["高峰时段的目标排队时间是多少？"],
}


def test_five_why_chain_is_grounded_stored_and_listed(
    client: TestClient, chat_model: ScriptedChatModel
) -> None:
    pid = make_project(client)
    upload(client, pid, ("门店运营会议纪要.md", MINUTES))
    chat_model.enqueue(DRAFT)
    resp = client.post(
        f"/projects/{pid}/five-why", json={"statement": "希望门店收银更快"}, headers={"X-Actor": "li.na"}
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["language"] == "zh" and body["root_need"].startswith("减少高峰时段顾客排队时间")
    assumptions = [w["assumption"] for w in body["whys"]]
    assert assumptions == [False, False, True]
    assert body["whys"][0]["citations"][0]["file_name"] == "门店运营会议纪要.md"
    assert "8分钟" in body["whys"][0]["citations"][0]["quote"]
    [req] = body["requirements"]
    assert req["text"].startswith("当收银员扫描会员码时") and 0 <= req["score"] <= 100
    assert 0.5 < body["confidence"] <= 1.0
    assert body["stop_reason"]

    again = client.get(f"/projects/{pid}/five-why/{body['id']}").json()
    assert again == body
    listed = client.get(f"/projects/{pid}/five-why").json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == body["id"]


def test_a_because_its_passage_does_not_support_is_an_assumption(
    client: TestClient, chat_model: ScriptedChatModel
) -> None:
    pid = make_project(client)
    upload(client, pid, ("门店运营会议纪要.md", MINUTES))
    draft = {**DRAFT, "whys": [{"question": "为什么？", "answer": "门店网络带宽只有2兆。", "passage": 1}]}
    chat_model.enqueue(draft)
    body = client.post(f"/projects/{pid}/five-why", json={"statement": "希望门店收银更快"}).json()
    [why] = body["whys"]
    assert why["assumption"] is True and why["citations"][0]["supported"] is False
    assert body["confidence"] < 0.5


def test_five_why_unknown_analysis_is_404(client: TestClient) -> None:
    pid = make_project(client)
    assert client.get(f"/projects/{pid}/five-why/why_nope").status_code == 404


def test_five_why_streams_each_round_as_it_is_written_then_the_stored_analysis(
    client: TestClient, chat_model: ScriptedChatModel
) -> None:
    import json

    pid = make_project(client)
    upload(client, pid, ("门店运营会议纪要.md", MINUTES))
    chat_model.enqueue(DRAFT)
    with client.stream(
        "POST", f"/projects/{pid}/five-why", json={"statement": "希望门店收银更快", "stream": True}
    ) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        text = "".join(r.iter_text())
    events = [block.split("\n", 1) for block in text.strip().split("\n\n")]
    kinds = [e[0].removeprefix("event: ") for e in events]
    assert kinds == ["why", "why", "why", "analysis"]
    rounds = [json.loads(e[1].removeprefix("data: ")) for e in events[:3]]
    assert [(w["n"], w["question"], w["answer"]) for w in rounds] == [
        (n, w["question"], w["answer"])
        for n, w in enumerate(DRAFT["whys"], 1)  # type: ignore[arg-type]
    ]
    analysis = json.loads(events[-1][1].removeprefix("data: "))
    assert analysis["root_need"].startswith("减少高峰时段") and analysis["whys"][2]["assumption"] is True
    assert client.get(f"/projects/{pid}/five-why/{analysis['id']}").json() == analysis
