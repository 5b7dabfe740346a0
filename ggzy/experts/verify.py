"""核验抽取 — replay a draw from its public record alone and say whether it matches.

The public record of a draw (`public_record`) holds only what anyone may read: the draw's published fields
(seats, the pseudonymous eligible list, the seed's values and key string, the seats' pseudonyms and answers),
the log events about it with their payloads and digests, the opening record's event, and the signed checkpoint
that supplied the seed. `verify_record` needs nothing else: it recomputes every digest, the key string, and the
whole RFC 3797 sequence with its replacements, and compares. `ggzy experts verify-draw` runs both; given the
platform's verifier key it also checks the checkpoint's signature.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.bidding.opening import SECTION_OPENED
from ggzy.core import note, transparency
from ggzy.core.events import Event, payload_digest
from ggzy.experts import queries, rfc3797, service
from ggzy.experts.states import DrawStatus, InvitationStatus

FORMAT = "ggzy-expert-draw/1"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass
class Verdict:
    draw_id: str
    checks: list[Check] = field(default_factory=list)
    order: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def add(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok


def _event(e: Event) -> dict[str, Any]:
    return {"seq": e.seq, "type": e.type, "subject": e.subject_id, "payload": e.payload, "digest": e.digest}


def public_record(session: Session, draw_id: str) -> dict[str, Any]:
    """Everything a verifier needs, and nothing secret (no names, no expert ids, no pseudonym key)."""
    d = queries.get_draw(session, draw_id)
    evs = session.execute(
        select(Event).where(Event.subject_type == "expert_draw", Event.subject_id == d.id).order_by(Event.seq)
    ).scalars()
    opening = session.execute(select(Event).where(Event.seq == d.opening_seq)).scalar()
    sth = service.first_checkpoint_after(session, d.commit_seq)
    return {
        "format": FORMAT,
        "draw": {
            "id": d.id,
            "section_id": d.section_id,
            "status": d.status,
            "seats": queries.seats_of(d),
            "eligible": d.eligible,
            "eligible_sha256": d.eligible_sha256,
            "commit_seq": d.commit_seq,
            "opening_seq": d.opening_seq,
            "opening_digest": d.opening_digest,
            "checkpoint_size": d.checkpoint_size,
            "checkpoint_root": d.checkpoint_root,
            "seed_key": d.seed_key,
        },
        "invitations": [
            {"seat": i.seat, "index": i.idx, "pseudonym": i.pseudonym, "status": i.status}
            for i in queries.invitations(session, d.id)
        ],
        "events": [_event(e) for e in evs],
        "opening": _event(opening) if opening is not None else None,
        "checkpoint": None if sth is None else {"size": sth.size, "root": bytes(sth.root).hex(), "note": sth.note},
    }


def _payload(ev: dict[str, Any], v: Verdict, what: str) -> dict[str, Any] | None:
    if not v.add(f"{what}：事件载荷摘要", payload_digest(ev["payload"]) == ev["digest"], f"事件 {ev['seq']}"):
        return None
    loaded: dict[str, Any] = json.loads(ev["payload"])
    return loaded


def verify_record(record: dict[str, Any], *, verifier: str | None = None) -> Verdict:
    """Replay a draw from its public record."""
    d = record["draw"]
    v = Verdict(d["id"])
    if not v.add("记录格式", record.get("format") == FORMAT, str(record.get("format"))):
        return v
    evs = record["events"]
    committed = [e for e in evs if e["type"] == service.DRAW_COMMITTED]
    if not v.add("承诺事件唯一", len(committed) == 1, f"{len(committed)} 个"):
        return v
    commit = _payload(committed[0], v, "承诺")
    if commit is None:
        return v
    v.add("承诺事件序号", committed[0]["seq"] == d["commit_seq"], f"{committed[0]['seq']} / {d['commit_seq']}")
    doc_sha = hashlib.sha256(d["eligible"].encode()).hexdigest()
    v.add("候选名单摘要与承诺一致", doc_sha == commit["eligible_sha256"] == d["eligible_sha256"], doc_sha)
    groups: dict[str, list[str]] = json.loads(d["eligible"])["groups"]
    v.add("候选名单属于本次抽取", json.loads(d["eligible"]).get("draw") == d["id"])
    v.add("席位设置与承诺一致", commit["seats"] == d["seats"], "、".join(d["seats"]))
    seed = commit["seed"]
    opening = record.get("opening")
    if not v.add("开标记录存在", opening is not None, f"事件 {seed['opening_seq']}"):
        return v
    assert opening is not None
    v.add("开标记录摘要", payload_digest(opening["payload"]) == opening["digest"] == seed["opening_digest"])
    v.add(
        "开标记录为本标段、早于承诺",
        opening["type"] == SECTION_OPENED
        and opening["subject"] == d["section_id"]
        and opening["seq"] == seed["opening_seq"] == d["opening_seq"]
        and opening["seq"] < committed[0]["seq"],
    )
    sth = record.get("checkpoint")
    if d["status"] == DrawStatus.COMMITTED.value and d["seed_key"] is None:
        v.add("尚未抽取：随机种子待承诺后的第一个签名树头", True)
        return v
    if not v.add("承诺之后的第一个签名树头", sth is not None and sth["size"] > committed[0]["seq"]):
        return v
    assert sth is not None
    v.add(
        "签名树头与抽取记录一致",
        sth["size"] == d["checkpoint_size"] and sth["root"] == d["checkpoint_root"],
        f"size {sth['size']}",
    )
    if verifier is not None:
        try:
            text = note.open_note(sth["note"], [verifier])
            cp = note.Checkpoint.parse(text)
            v.add(
                "签名树头签名有效", cp.size == sth["size"] and base64.b64encode(cp.root).decode() == _b64(sth["root"])
            )
        except note.NoteError as exc:
            v.add("签名树头签名有效", False, str(exc))
    key = service.seed_key(seed["opening_digest"], sth["size"], sth["root"])
    v.add("RFC 3797 种子串", key == d["seed_key"], key[:40] + "…")
    _replay(record, key, groups, v)
    return v


def _b64(hex_root: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_root)).decode()


def _replay(record: dict[str, Any], key: str, groups: dict[str, list[str]], v: Verdict) -> None:
    d = record["draw"]
    seats: list[str] = d["seats"]
    drawing = rfc3797.Drawing(key, groups)
    expected: list[dict[str, Any]] = []
    made = [e for e in record["events"] if e["type"] in (service.DRAW_MADE, service.DRAW_SHORT)]
    first = _payload(made[0], v, "抽取") if made else None
    if first is None:
        v.add("抽取事件", False, "缺少抽取事件")
        return
    initial = []
    for seat, group in enumerate(seats, start=1):
        got = drawing.pick(group)
        if got is None:
            break
        initial.append({"seat": seat, "index": got[0], "pseudonym": got[1]})
    if made[0]["type"] == service.DRAW_SHORT:
        v.add("抽取不足的记录", len(initial) < len(seats) and not record["invitations"])
        return
    v.add("首轮抽取与事件一致", first.get("key") == key and first.get("picks") == initial, f"{len(initial)} 席")
    expected.extend(initial)
    answers: dict[int, str] = {}
    for ev in record["events"]:
        if ev["type"] == service.INVITATION_ANSWERED:
            p = _payload(ev, v, "答复")
            if p is None:
                return
            answers[p["index"]] = p["answer"]
            if p["answer"] in (InvitationStatus.DECLINED.value, InvitationStatus.EXPIRED.value):
                got = drawing.pick(seats[p["seat"] - 1])
                if got is not None:
                    expected.append({"seat": p["seat"], "index": got[0], "pseudonym": got[1]})
        elif ev["type"] == service.DRAW_REPLACED:
            p = _payload(ev, v, "补抽")
            if p is None:
                return
            v.add(f"补抽席位{p['seat']}与序列一致", bool(expected) and p == expected[-1], f"序号 {p['index']}")
    stored = [{k: i[k] for k in ("seat", "index", "pseudonym")} for i in record["invitations"]]
    v.add("保存的抽取顺序与重放一致", stored == expected, f"{len(expected)} 人次")
    statuses = [i["status"] for i in record["invitations"]]
    wanted = [answers.get(e["index"], InvitationStatus.INVITED.value) for e in expected]
    v.add("保存的答复与事件一致", statuses == wanted)
    v.order = expected


def verify_draw(session: Session, draw_id: str, *, verifier: str | None = None) -> Verdict:
    """The replay from public data, plus what only the platform can check: the checkpoint's root against
    the stored tree, and (with the secret key) that each pseudonym belongs to the expert called."""
    record = public_record(session, draw_id)
    v = verify_record(record, verifier=verifier)
    sth = record["checkpoint"]
    if sth is not None and record["draw"]["seed_key"] is not None:
        root = transparency.root_at(session, sth["size"]).hex()
        v.add("签名树头与日志树一致（平台核对）", root == sth["root"])
    d = queries.get_draw(session, draw_id)
    bad = [i.seat for i in queries.invitations(session, d.id) if service.pseudonym(d.salt, i.expert_id) != i.pseudonym]
    v.add("化名与被通知专家一致（平台核对）", not bad, "、".join(f"席位{s}" for s in bad))
    return v
