"""登录限速 — slow a password guesser down without letting a stranger lock the owner out (等保 8.1.4.1 b).

The threat. Anyone on the internet can try passwords, and knows the usernames of many accounts (a
bidder's username is easy to guess). Two things must both hold: a guesser gets very few tries per
hour, and no amount of trying by a stranger stops the owner — who holds the right password — from
signing in, least of all on a bid deadline. The old rule ("five wrong passwords lock the account
for 15 minutes") failed the second: a stranger could lock every bidder of a section on its day.

The design. Failures are counted in two places, neither of which is the account as a whole:

1. per (username, address) — `security.login_failures` consecutive wrong passwords for one username
   from one address pause *that address* for *that username*: first for `security.lockout_minutes`,
   then twice as long at each further pause, up to `security.lockout_max_minutes`. A correct
   password from that address clears its counter. The owner, signing in from their own office or
   phone, is a different pair and is never paused by someone else's guessing.
2. per address, over all usernames — `security.address_failures` failures within
   `security.address_window_minutes` pause the whole address (same growing durations). This stops
   one machine from trying a few passwords on each of thousands of accounts (password spraying).

What is not counted: the account itself. A guesser with many addresses (a botnet) gets
`login_failures` tries per address before its pause doubles; with the 12-character minimum, Argon2id
and the second factor for staff, that is the accepted residual risk, and such attacks show up in
the log (`auth.login_failed` by address) for the supervision office. A guesser who shares an
address with the owner (one NAT) can pause that address; the owner can still sign in from any
other network, and the administrator can lift a pause (`unlock`).

Unknown usernames are counted exactly like known ones (keyed by the username typed), so a pause
message never reveals whether an account exists. The same counters guard the one-time reset code.
The second factor has its own counter on the account (`auth.check_second_factor`): reaching it
needs the password, so a stranger cannot trigger that lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ggzy.entities.models import SignInThrottle
from ggzy.rules import security


@dataclass(frozen=True)
class Limits:
    pair_failures: int = int(security.LOGIN_FAILURES.value)
    first_pause: timedelta = timedelta(minutes=int(security.LOCKOUT_MINUTES.value))
    max_pause: timedelta = timedelta(minutes=int(security.LOCKOUT_MAX_MINUTES.value))
    address_failures: int = int(security.ADDRESS_FAILURES.value)
    address_window: timedelta = timedelta(minutes=int(security.ADDRESS_WINDOW.value))

    def pause(self, lockouts: int) -> timedelta:
        """The n-th pause (1-based): first_pause, doubling, capped."""
        return min(self.max_pause, self.first_pause * int(2 ** min(lockouts - 1, 20)))


@dataclass(frozen=True)
class Block:
    """Why sign-in is refused before the password is even looked at, and until when."""

    until: datetime
    by_address: bool

    @property
    def message(self) -> str:
        at = local_time(self.until)
        if self.by_address:
            return (
                f"来自您所在网络地址的登录失败次数过多，该地址的登录已暂停至 {at}（北京时间）；"
                "请稍后再试，或换用其他网络登录"
            )
        return (
            f"该账户在您所在网络地址连续登录失败，已暂停此地址对该账户的登录至 {at}（北京时间）；"
            "账户本人从其他网络登录不受影响，也可联系平台管理员解除"
        )


BEIJING = timezone(timedelta(hours=8), "CST")  # no daylight saving since 1991


def local_time(t: datetime) -> str:
    return t.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def _pair_key(kind: str, username: str, ip: str | None) -> str:
    return f"{kind}|{username[:64]}|{(ip or '-')[:64]}"


def _addr_key(ip: str | None) -> str:
    return f"addr|{(ip or '-')[:64]}"


def blocked(session: Session, *, kind: str, username: str, ip: str | None, now: datetime) -> Block | None:
    """Is this (username, address) or this address paused? `kind` separates passwords from reset codes."""
    addr = session.get(SignInThrottle, _addr_key(ip))
    if addr is not None and addr.blocked_until is not None and addr.blocked_until > now:
        return Block(addr.blocked_until, by_address=True)
    pair = session.get(SignInThrottle, _pair_key(kind, username, ip))
    if pair is not None and pair.blocked_until is not None and pair.blocked_until > now:
        return Block(pair.blocked_until, by_address=False)
    return None


def _row(session: Session, key: str, scope: str, username: str | None, now: datetime) -> SignInThrottle:
    row = session.get(SignInThrottle, key)
    if row is not None:
        return row
    row = SignInThrottle(key=key, scope=scope, username=username, failures=0, lockouts=0, window_start=now)
    try:
        with session.begin_nested():  # two nodes may count the first failure at once
            session.add(row)
    except IntegrityError:
        got = session.get(SignInThrottle, key)
        assert got is not None
        return got
    return row


def fail(session: Session, *, kind: str, username: str, ip: str | None, now: datetime, limits: Limits) -> Block | None:
    """Count one failure; returns the pause it starts, if it starts one."""
    started: Block | None = None
    pair = _row(session, _pair_key(kind, username, ip), "pair", username[:64], now)
    pair.failures += 1
    if pair.failures >= limits.pair_failures:
        pair.lockouts += 1
        pair.failures = 0
        pair.blocked_until = now + limits.pause(pair.lockouts)
        started = Block(pair.blocked_until, by_address=False)
    addr = _row(session, _addr_key(ip), "addr", None, now)
    if now - addr.window_start > limits.address_window:
        addr.window_start, addr.failures = now, 0
    addr.failures += 1
    if addr.failures >= limits.address_failures:
        addr.lockouts += 1
        addr.failures = 0
        addr.window_start = now
        addr.blocked_until = now + limits.pause(addr.lockouts)
        started = Block(addr.blocked_until, by_address=True)
    return started


def succeed(session: Session, *, kind: str, username: str, ip: str | None) -> None:
    """The right secret from this address: its pair counter starts again (the address budget does not)."""
    session.execute(delete(SignInThrottle).where(SignInThrottle.key == _pair_key(kind, username, ip)))


def lift(session: Session, *, username: str) -> int:
    """The administrator lifts every pause on this username (from any address)."""
    res = session.execute(delete(SignInThrottle).where(SignInThrottle.username == username[:64]))
    return int(res.rowcount or 0)  # type: ignore[attr-defined]
