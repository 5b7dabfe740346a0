"""投标客户端 — `ggzy bid seal | inspect | submit`: seal a bid offline, look at its public header, upload it.

The bid is encrypted on the bidder's machine under a fresh content key, which this client splits 2-of-3 and
seals to the section's key holders' public keys (the key set, `GET /api/v1/sections/{id}`), so the platform
only ever receives ciphertext and holds no key that opens it (电子办法 art. 26–28). The sealed manifest also
carries what art. 49 asks the platform to keep: a machine fingerprint and each file's author, creating
application and digest.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import click

import ggzy
from ggzy.bidding import docmeta, fingerprint
from ggzy.core.clock import Clock, SystemClock
from ggzy.sealing import DEFAULT_SEGMENT, BidFile, EnvelopeError, Recipient, SealContext, p256, scan, seal

RESERVED_FIELDS = frozenset({"price", "currency", "duration_days"})
UPLOAD_CHUNK = 256 * 1024


def price_text(value: str) -> str:
    """A positive amount in yuan with at most two decimals, written with exactly two ("1234567.80")."""
    try:
        d = Decimal(value.strip())
    except InvalidOperation:
        raise click.BadParameter("报价应为数字，例如 1234567.89") from None
    if not d.is_finite() or d <= 0 or d != d.quantize(Decimal("0.01")):
        raise click.BadParameter("报价应为正数，最多两位小数")
    return f"{d:.2f}"


def build_form(price: str, currency: str, duration_days: int | None, fields: tuple[str, ...]) -> dict[str, Any]:
    form: dict[str, Any] = {"price": price_text(price), "currency": currency}
    if duration_days is not None:
        form["duration_days"] = duration_days
    for item in fields:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise click.BadParameter(f"应写成 键=值：{item}", param_hint="--form-field")
        if key in RESERVED_FIELDS or key in form:
            raise click.BadParameter(f"字段重复或与报价字段冲突：{key}", param_hint="--form-field")
        form[key] = value
    return form


def build_supervision(files: list[Path], names: list[str], machine: dict[str, Any], clock: Clock) -> dict[str, Any]:
    """The 电子办法 art. 49 record sealed with the bid (the platform adds time and address at upload)."""
    return {
        "client": {
            "name": "ggzy-bid",
            "version": ggzy.__version__,
            "os": platform.system(),
            "python": platform.python_version(),
        },
        "claimed_sealed_at": clock.now().isoformat(timespec="seconds"),
        "machine": machine,
        "files": [{"name": n, **docmeta.extract(p).as_dict()} for p, n in zip(files, names, strict=True)],
    }


def load_key_set(doc: Any) -> tuple[list[Recipient], int, int]:
    """(recipients, threshold, deadline) from the section JSON of the API (or the bid page's compact form)."""
    try:
        threshold = int(doc["threshold"])
        deadline = int(doc["deadline_unix"] if "deadline_unix" in doc else doc["deadline"])
        recipients = [Recipient(int(r["index"]), p256.b64decode(r["public_key"])) for r in doc["recipients"]]
        for r in recipients:
            p256.load_public(r.public)
    except (KeyError, TypeError, ValueError):
        raise click.BadParameter("不是有效的标段密钥集（应为 GET /api/v1/sections/{id} 的 JSON）") from None
    if not recipients:
        raise click.BadParameter("标段尚未公布开标密钥持有人公钥")
    return recipients, threshold, deadline


@click.group()
def bid() -> None:
    """投标文件：离线加密、查看、递交。"""


@bid.command("seal")
@click.option(
    "--key-set",
    "key_set",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="本标段信息 JSON（GET /api/v1/sections/{id}），含开标密钥持有人公钥和截止时间",
)
@click.option("--section", required=True, help="标段编号")
@click.option("--bidder", required=True, help="投标人（统一社会信用代码或平台主体编号）")
@click.option("--version", "bid_version", type=click.IntRange(1), required=True, help="第几次递交（修改后递交加 1）")
@click.option("--price", required=True, help="投标报价（元）")
@click.option("--currency", default="CNY", show_default=True)
@click.option("--duration-days", type=click.IntRange(0), help="工期或服务期（日历天）")
@click.option("--form-field", "fields", multiple=True, metavar="键=值", help="报价表的其他字段，可多次使用")
@click.option("--file", "files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件")
@click.option("--segment-size", type=int, default=DEFAULT_SEGMENT, hidden=True)
def seal_command(
    key_set: Path,
    section: str,
    bidder: str,
    bid_version: int,
    price: str,
    currency: str,
    duration_days: int | None,
    fields: tuple[str, ...],
    files: tuple[Path, ...],
    out: Path,
    force: bool,
    segment_size: int,
) -> None:
    """加密投标文件：报价表和附件只在本机加密，平台只收到密文。"""
    try:
        doc = json.loads(key_set.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        raise click.BadParameter("无法读取标段信息 JSON", param_hint="--key-set") from None
    if isinstance(doc, dict) and doc.get("id") not in (None, section):
        raise click.UsageError(f"标段信息属于 {doc.get('id')}，不是 {section}")
    recipients, threshold, deadline = load_key_set(doc)
    try:
        context = SealContext(section, bidder, bid_version)
    except ValueError as exc:
        raise click.UsageError(f"标段、投标人或版本无效：{exc}") from None
    if out.exists() and not force:
        raise click.UsageError(f"{out} 已存在；确需覆盖请加 --force")
    form = build_form(price, currency, duration_days, fields)
    names = [p.name for p in files]
    supervision = build_supervision(list(files), names, fingerprint.fingerprint(fingerprint.collect()), SystemClock())
    bid_files = [BidFile(n, p) for n, p in zip(names, files, strict=True)]
    with _atomic(out) as f:
        try:
            result = seal(
                recipients,
                context,
                form,
                bid_files,
                f,
                threshold=threshold,
                deadline=deadline,
                supervision=supervision,
                segment_size=segment_size,
            )
        except EnvelopeError as exc:
            raise click.ClickException(exc.message) from None
    click.echo(f"已加密：{out}（{result.size} 字节，{len(files)} 个文件）")
    click.echo(f"内容密钥 {threshold}/{result.header.shares} 分片，加密给 {len(recipients)} 把持有人公钥")
    click.echo(f"摘要 SHA-256：{result.digest.hex()}")


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[Any]:
    """Write beside the target and rename at the end, so a failed run never leaves half an envelope."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with open(tmp, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@bid.command("inspect")
@click.argument("envelope", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def inspect_command(envelope: Path, as_json: bool) -> None:
    """查看投标文件的公开信息（不解密，不需要任何密钥）。"""
    with open(envelope, "rb") as f:
        try:
            s = scan(f, max_size=1 << 62)
        except EnvelopeError as exc:
            raise click.ClickException(exc.message) from None
    h = s.header
    info = {
        "format_version": h.version,
        "algorithm": "Shamir 2-of-3 / HPKE P-256 / AES-256-GCM STREAM" if h.algorithm == 2 else h.algorithm,
        "section_id": h.context.section_id,
        "bidder_id": h.context.bidder_id,
        "bid_version": h.context.version,
        "threshold": f"{h.threshold}/{h.shares}",
        "recipients": [f"{i}:{k.hex()[:16]}" for i, k in h.recipients],
        "deadline": datetime.fromtimestamp(h.deadline, UTC).isoformat(),
        "segment_size": h.segment_size,
        "segments": s.segments,
        "size": s.size,
        "sha256": s.digest.hex(),
    }
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    labels = [
        "格式版本",
        "算法",
        "标段",
        "投标人",
        "递交版本",
        "门限",
        "持有人公钥（序号:标识）",
        "投标截止",
        "分段大小",
        "分段数",
        "大小（字节）",
        "摘要 SHA-256",
    ]
    for label, value in zip(labels, info.values(), strict=True):
        click.echo(f"{label}：{value}")


@bid.command("submit")
@click.option("--server", required=True, help="平台地址，例如 https://ggzy.example.gov.cn")
@click.option("--token", required=True, envvar="GGZY_BID_TOKEN", help="接口令牌（也可用环境变量 GGZY_BID_TOKEN）")
@click.option("--section", required=True, help="标段编号（须与投标文件内的一致）")
@click.option("--timeout", type=float, default=300.0, show_default=True, help="秒")
@click.argument("envelope", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def submit_command(server: str, token: str, section: str, timeout: float, envelope: Path) -> None:
    """递交投标文件：流式上传，打印平台的回执。"""
    with open(envelope, "rb") as f:
        try:
            s = scan(f, max_size=1 << 62)
        except EnvelopeError as exc:
            raise click.ClickException(exc.message) from None
    if s.header.context.section_id != section:
        raise click.ClickException(f"投标文件属于标段 {s.header.context.section_id}，不是 {section}，未递交")
    url = f"{server.rstrip('/')}/api/v1/sections/{quote(section, safe='')}/bid"
    _warn_if_plain_http(url)
    receipt = _upload(url, token, envelope, s.size, timeout)
    click.echo(json.dumps(receipt, ensure_ascii=False, indent=2))
    claimed = (receipt.get("envelope_digest") or receipt.get("digest")) if isinstance(receipt, dict) else None
    if claimed is not None and str(claimed).lower() != s.digest.hex():
        raise click.ClickException(f"回执中的摘要与本地文件不一致（本地 {s.digest.hex()}），请联系平台")
    click.echo(f"本地摘要 SHA-256：{s.digest.hex()}")


def _warn_if_plain_http(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme != "https" and parts.hostname not in {"127.0.0.1", "localhost", "::1"}:
        click.echo("警告：未使用 HTTPS，令牌可能被窃听。", err=True)


def file_chunks(path: Path) -> Iterator[bytes]:
    """The upload body: the file in UPLOAD_CHUNK pieces, never the whole file in memory."""
    with open(path, "rb") as f:
        while chunk := f.read(UPLOAD_CHUNK):
            yield chunk


def _upload(url: str, token: str, envelope: Path, size: int, timeout: float) -> Any:
    import httpx2 as httpx  # only `submit` needs it: `ggzy bid seal` works without touching the network

    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/octet-stream",
        "Content-Length": str(size),
        "Accept": "application/json, application/problem+json",
    }
    try:
        with httpx.Client(timeout=timeout) as client:
            r = client.put(url, content=file_chunks(envelope), headers=headers)
    except httpx.HTTPError as exc:
        raise click.ClickException(f"无法连接平台：{type(exc).__name__}") from None
    try:
        payload = r.json()
    except ValueError:
        payload = None
    if r.status_code >= 400 or payload is None:
        detail = payload.get("detail") if isinstance(payload, dict) else None
        raise click.ClickException(f"平台拒绝了投标文件（HTTP {r.status_code}）：{detail or r.reason_phrase}")
    return payload
