"""开标密钥持有人客户端 — `ggzy keyholder init | show | backup | register | unwrap`, on the holder's own machine.

The key pair is made here and kept in a passphrase-encrypted key file (`ggzy.sealing.keyfile`, the same
format as the browser's backup); only the public key is sent to the platform. At the opening, after the
deadline only — by this machine's clock and by the deadline each bid carries — the client fetches the
bids' public headers, unwraps its own shares locally and hands in the shares, never the key.
"""

from __future__ import annotations

import base64
import getpass
import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import click

from ggzy import sealing
from ggzy.core.clock import Clock, SystemClock
from ggzy.sealing import keyfile, p256
from ggzy.sealing.header import parse_header
from ggzy.sealing.sensitive import Sensitive


class TooEarly(Exception):
    """The holder's client refuses to unwrap anything before the deadline."""


def unwrap_shares(
    headers: Mapping[str, bytes], private: Sensitive, *, index: int, now: datetime, deadline: datetime
) -> dict[str, str | None]:
    """bid id → base64 of this holder's share (None where the bid has no usable share for this key).

    Refuses (`TooEarly`) if `now` is before the platform's deadline or before the deadline any bid was sealed
    for: a platform that lies about the time still cannot get a share early from an honest holder.
    """
    if now < deadline:
        raise TooEarly(f"投标截止时间（{deadline.isoformat()}）未到，拒绝解开分片")
    parsed = {}
    for bid_id, raw in headers.items():
        try:
            parsed[bid_id] = parse_header(raw) if raw else None
        except sealing.EnvelopeError:
            parsed[bid_id] = None
    latest = max((h.deadline for h in parsed.values() if h is not None), default=0)
    if now.timestamp() < latest:
        raise TooEarly("有投标文件载明的截止时间未到，拒绝解开分片")
    out: dict[str, str | None] = {}
    for bid_id, header in parsed.items():
        if header is None:
            out[bid_id] = None
            continue
        try:
            got, y = sealing.unwrap_share(header, private)
        except sealing.EnvelopeError:
            out[bid_id] = None
            continue
        with y:
            out[bid_id] = base64.b64encode(bytes(y.buffer)).decode("ascii") if got == index else None
    return out


def shares_from_work(work: Mapping[str, Any], private: Sensitive, *, clock: Clock) -> dict[str, str | None]:
    """The same from the JSON of `GET /api/v1/sections/{id}/opening/shares`."""
    headers = {b["bid_id"]: base64.b64decode(b["header"]) for b in work["bids"]}
    deadline = datetime.fromisoformat(work["deadline"])
    if deadline.tzinfo is None:
        deadline = deadline.replace(tzinfo=UTC)
    return unwrap_shares(headers, private, index=int(work["index"]), now=clock.now(), deadline=deadline)


# --- the command line ------------------------------------------------------------------------------------


def _passphrase(prompt: str, *, confirm: bool = False) -> str:
    env = os.environ.get("GGZY_KEYHOLDER_PASSPHRASE")
    if env:
        return env
    first = getpass.getpass(f"{prompt}：")
    if confirm and getpass.getpass("再输入一次：") != first:
        raise click.ClickException("两次输入的口令不一致")
    return first


def _load(path: Path) -> keyfile.KeyFile:
    try:
        return keyfile.KeyFile.from_json(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        raise click.ClickException(f"无法读取密钥文件 {path}") from None
    except keyfile.KeyFileError as exc:
        raise click.ClickException(exc.message) from None


def _write_private(path: Path, text: str, *, force: bool) -> None:
    if path.exists() and not force:
        raise click.UsageError(f"{path} 已存在；确需覆盖请加 --force")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def _client(server: str, token: str, timeout: float) -> Any:
    import httpx2 as httpx

    return httpx.Client(
        base_url=server.rstrip("/"),
        timeout=timeout,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json, application/problem+json"},
    )


def _checked(r: Any) -> Any:
    try:
        payload = r.json()
    except ValueError:
        payload = None
    if r.status_code >= 400 or payload is None:
        detail = payload.get("detail") if isinstance(payload, dict) else None
        raise click.ClickException(f"平台拒绝（HTTP {r.status_code}）：{detail or r.reason_phrase}")
    return payload


@click.group()
def keyholder() -> None:
    """开标密钥持有人：在本机生成、备份密钥，登记公钥，开标时在本机解开分片。"""


@keyholder.command("init")
@click.argument("key_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--label", default="", help="写在密钥文件里的说明，例如单位和姓名")
@click.option("--iterations", type=click.IntRange(keyfile.MIN_ITERATIONS), default=keyfile.DEFAULT_ITERATIONS)
@click.option("--force", is_flag=True, help="覆盖已存在的文件")
def init_command(key_file: Path, label: str, iterations: int, force: bool) -> None:
    """生成密钥对，私钥用口令加密后写入密钥文件（只在本机）。"""
    passphrase = _passphrase("为密钥文件设置口令（至少 8 个字符）", confirm=True)
    try:
        rec = keyfile.create(passphrase, iterations=iterations, label=label)
    except keyfile.KeyFileError as exc:
        raise click.ClickException(exc.message) from None
    _write_private(key_file, rec.to_json(), force=force)
    click.echo(f"已生成：{key_file}（仅本人可读）")
    click.echo(f"公钥：{p256.b64encode(rec.public)}")
    click.echo(f"密钥标识：{rec.key_id.hex()}")
    click.echo("请另存一份备份（ggzy keyholder backup），然后用 ggzy keyholder register 登记公钥。")


@keyholder.command("show")
@click.argument("key_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def show_command(key_file: Path) -> None:
    """显示密钥文件的公钥和标识（不需要口令）。"""
    rec = _load(key_file)
    click.echo(f"公钥：{p256.b64encode(rec.public)}")
    click.echo(f"密钥标识：{rec.key_id.hex()}")


@keyholder.command("backup")
@click.argument("key_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True)
def backup_command(key_file: Path, backup_file: Path, force: bool) -> None:
    """用另一个口令另存一份备份（浏览器也可以从这份备份恢复）。"""
    rec = _load(key_file)
    old = _passphrase("密钥文件口令")
    new = os.environ.get("GGZY_KEYHOLDER_BACKUP_PASSPHRASE") or _passphrase("备份口令", confirm=True)
    try:
        backup = keyfile.rewrap(rec, old, new)
    except keyfile.KeyFileError as exc:
        raise click.ClickException(exc.message) from None
    _write_private(backup_file, backup.to_json(), force=force)
    click.echo(f"已备份：{backup_file}（密钥标识 {backup.key_id.hex()}）")


@keyholder.command("register")
@click.option("--server", required=True, help="平台地址")
@click.option("--token", required=True, envvar="GGZY_TOKEN", help="接口令牌（也可用环境变量 GGZY_TOKEN）")
@click.option("--timeout", type=float, default=60.0)
@click.argument("key_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def register_command(server: str, token: str, timeout: float, key_file: Path) -> None:
    """向平台登记公钥（私钥不离开本机）。"""
    rec = _load(key_file)
    with _client(server, token, timeout) as client:
        out = _checked(client.put("/api/v1/keyholder/key", json={"public_key": p256.b64encode(rec.public)}))
    click.echo(f"已登记：密钥标识 {out['key_id']}")


@keyholder.command("unwrap")
@click.option("--server", required=True, help="平台地址")
@click.option("--token", required=True, envvar="GGZY_TOKEN", help="接口令牌（也可用环境变量 GGZY_TOKEN）")
@click.option("--section", required=True, help="标段编号")
@click.option("--timeout", type=float, default=300.0)
@click.argument("key_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def unwrap_command(server: str, token: str, section: str, timeout: float, key_file: Path) -> None:
    """投标截止后：取回投标文件公开头，在本机解开本单位的分片并提交（只提交分片）。"""
    rec = _load(key_file)
    url = f"/api/v1/sections/{quote(section, safe='')}/opening/shares"
    with _client(server, token, timeout) as client:
        work = _checked(client.get(url))
        with keyfile.unwrap(rec, _passphrase("密钥文件口令")) as private:
            try:
                shares = shares_from_work(work, private, clock=SystemClock())
            except TooEarly as exc:
                raise click.ClickException(str(exc)) from None
        missing = sorted(k for k, v in shares.items() if v is None)
        click.echo(f"已在本机解开 {len(shares) - len(missing)} / {len(shares)} 份分片")
        if missing:
            click.echo(f"无法解开：{', '.join(missing)}", err=True)
        out = _checked(client.post(url, json={"shares": shares}))
    click.echo(json.dumps(out, ensure_ascii=False))
