"""演示城市 — a believable city for `make run`, the browser tests and newcomers (deterministic, idempotent).

`build()` creates the supervision office, four sector regulators, the trading centre, audit and
discipline bodies, two agencies, six tenderers, twenty-four bidders, thirty experts' employers and a
user for every role. Running it again creates nothing twice. Staff accounts get a TOTP secret, which
is returned (and printed by `ggzy demo`) so a newcomer can sign in.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy import demo_supervision, demo_trades
from ggzy.award import demo as award_demo
from ggzy.bidding.keys import KeyEnv
from ggzy.core import actor as actors
from ggzy.core.clock import SHANGHAI, Clock, FixedClock
from ggzy.core.files import FileStore
from ggzy.core.notify import MemoryNotifier
from ggzy.core.roles import Role, Sector
from ggzy.deposits import demo as deposit_demo
from ggzy.entities import auth, credit_code, passwords, queries, service, totp
from ggzy.entities.models import Organisation
from ggzy.entities.service import Identity
from ggzy.entities.states import OrgKind
from ggzy.evaluation import demo as evaluation_demo
from ggzy.experts import demo as experts_demo

REGION = "410700"  # 新乡市
DISTRICTS = ("410702", "410703", "410704", "410711", "410721", "410724", "410725", "410781")
GOV = "11"  # 机关
INSTITUTION = "12"  # 事业单位
COMPANY = "91"  # 企业


def _code(name: str, prefix: str, region: str) -> str:
    """A deterministic, valid credit code for a demo name (check character per GB 32100-2015)."""
    digest = hashlib.sha256(name.encode()).digest()
    body = "".join(credit_code.ALPHABET[b % 31] for b in digest[:9])
    return credit_code.make(prefix + region + body)


@dataclass(frozen=True)
class DemoOrg:
    key: str
    name: str
    kind: OrgKind
    prefix: str = COMPANY
    region: str = REGION
    sector: Sector | None = None


GOVERNMENT = (
    DemoOrg("supervision", "新乡市公共资源交易监督管理办公室", OrgKind.GOVERNMENT, GOV),
    DemoOrg("housing", "新乡市住房和城乡建设局", OrgKind.GOVERNMENT, GOV, sector=Sector.HOUSING),
    DemoOrg("transport", "新乡市交通运输局", OrgKind.GOVERNMENT, GOV, sector=Sector.TRANSPORT),
    DemoOrg("water", "新乡市水利局", OrgKind.GOVERNMENT, GOV, sector=Sector.WATER),
    DemoOrg("finance", "新乡市财政局", OrgKind.GOVERNMENT, GOV, sector=Sector.FINANCE),
    DemoOrg("centre", "新乡市公共资源交易中心", OrgKind.GOVERNMENT, INSTITUTION),
    DemoOrg("audit", "新乡市审计局", OrgKind.GOVERNMENT, GOV),
    DemoOrg("discipline", "中共新乡市纪律检查委员会", OrgKind.GOVERNMENT, GOV),
    DemoOrg("bigdata", "新乡市大数据管理局", OrgKind.GOVERNMENT, GOV),
)
AGENCIES = ("河南正信招标代理有限公司", "新乡市公诚工程咨询有限公司")
TENDERERS = (
    ("新乡市城市建设投资开发有限公司", COMPANY),
    ("新乡市交通建设投资有限公司", COMPANY),
    ("新乡市水务集团有限公司", COMPANY),
    ("新乡市第一人民医院", INSTITUTION),
    ("新乡市第一中学", INSTITUTION),
    ("新乡市红旗区教育局", GOV),
)
BIDDER_STEMS = (
    "宏达建筑工程",
    "中原路桥建设",
    "牧野水利水电工程",
    "卫河建设集团",
    "太行建工",
    "黄河交通工程",
    "新飞机电设备",
    "豫北智能科技",
    "同盛市政工程",
    "鑫源钢结构",
    "华康医疗器械",
    "博文教学设备",
    "恒信园林绿化",
    "天瑞装饰工程",
    "金桥交通设施",
    "安澜水务工程",
    "远景信息技术",
    "凤泉建材",
    "原阳路面工程",
    "获嘉电力安装",
    "长垣起重设备",
    "辉县石材",
    "卫辉环保科技",
    "延津物业服务",
)
EMPLOYER_NAMES = (
    "河南师范大学",
    "新乡医学院",
    "河南科技学院",
    "新乡学院",
    "新乡职业技术学院",
    "河南工学院",
    "新乡市建筑设计研究院有限公司",
    "新乡市市政工程设计研究院有限公司",
    "新乡市水利勘测设计院有限公司",
    "新乡市交通规划勘察设计院有限公司",
    "新乡市第二人民医院",
    "新乡市中心医院",
    "新乡市工程造价咨询有限公司",
    "新乡市建设工程质量检测有限公司",
    "新乡市城乡规划设计研究院有限公司",
    "新乡市环境保护科学研究所",
    "新乡市信息化研究中心",
    "新乡市会计师事务所有限公司",
    "新乡市律师事务所联合会",
    "新乡市测绘院有限公司",
    "新乡市电力设计院有限公司",
    "新乡市公路管理局技术中心",
    "新乡市节能监测中心",
    "新乡市计量测试中心",
    "新乡市农业科学院",
    "新乡市林业技术推广站",
    "新乡市消防技术服务有限公司",
    "新乡市地质勘查院",
    "新乡市图书馆",
    "新乡市人民防空工程设计有限公司",
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    org_key: str
    role: Role
    sector: Sector | None = None


def _orgs() -> list[DemoOrg]:
    out = list(GOVERNMENT)
    out += [DemoOrg(f"agency{i + 1}", n, OrgKind.AGENCY, region=DISTRICTS[i]) for i, n in enumerate(AGENCIES)]
    out += [
        DemoOrg(f"tenderer{i + 1}", n, OrgKind.TENDERER, p, region=REGION if i < 5 else "410702")
        for i, (n, p) in enumerate(TENDERERS)
    ]
    out += [
        DemoOrg(f"bidder{i + 1:02d}", f"新乡市{s}有限公司", OrgKind.BIDDER, region=DISTRICTS[i % len(DISTRICTS)])
        for i, s in enumerate(BIDDER_STEMS)
    ]
    out += [
        DemoOrg(f"employer{i + 1:02d}", n, OrgKind.EXPERT_EMPLOYER, INSTITUTION if "有限公司" not in n else COMPANY)
        for i, n in enumerate(EMPLOYER_NAMES)
    ]
    return out


SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜"
    "戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = (
    "建国",
    "志强",
    "秀英",
    "丽娟",
    "伟",
    "静",
    "敏",
    "军",
    "洋",
    "艳",
    "勇",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "霞",
    "平",
    "刚",
    "桂英",
)


def _person(i: int) -> str:
    return SURNAMES[(i * 7) % len(SURNAMES)] + GIVEN[(i * 3) % len(GIVEN)]


def _users() -> list[DemoUser]:
    out = [
        DemoUser("admin", "平台管理员 " + _person(1), "bigdata", Role.ADMIN),
        DemoUser("operator", _person(2), "centre", Role.OPERATOR),
        DemoUser("supervisor", _person(3), "supervision", Role.SUPERVISOR),
        DemoUser("housing", _person(4), "housing", Role.SECTOR_SUPERVISOR, Sector.HOUSING),
        DemoUser("transport", _person(5), "transport", Role.SECTOR_SUPERVISOR, Sector.TRANSPORT),
        DemoUser("water", _person(6), "water", Role.SECTOR_SUPERVISOR, Sector.WATER),
        DemoUser("finance", _person(7), "finance", Role.SECTOR_SUPERVISOR, Sector.FINANCE),
        DemoUser("auditor", _person(8), "audit", Role.AUDITOR),
        DemoUser("inspector", _person(9), "discipline", Role.INSPECTOR),
    ]
    out += [DemoUser(f"agency{i}", _person(10 + i), f"agency{i}", Role.AGENCY) for i in (1, 2)]
    out += [DemoUser(f"tenderer{i}", _person(20 + i), f"tenderer{i}", Role.TENDERER) for i in range(1, 7)]
    out += [DemoUser(f"bidder{i:02d}", _person(30 + i), f"bidder{i:02d}", Role.BIDDER) for i in range(1, 25)]
    out += [DemoUser(f"expert{i:02d}", _person(60 + i), f"employer{i:02d}", Role.EXPERT) for i in range(1, 31)]
    return out


@dataclass
class Login:
    username: str
    role: Role
    organisation: str
    password: str
    totp_secret: str | None


@dataclass
class DemoReport:
    created_orgs: int = 0
    created_users: int = 0
    logins: list[Login] = field(default_factory=list)
    trades: int = 0
    alerts: int = 0
    evaluations: int = 0  # rooms the demo opened after its complete draws
    awards: list[tuple[str, str]] = field(default_factory=list)  # (section code, stage) taken past the report


@dataclass(frozen=True)
class TradeKit:
    """What the demo needs to play trades: where files go, the opening's keys, the receipt signer."""

    files: FileStore
    env: KeyEnv
    signer: Ed25519PrivateKey
    var: Path | None = None  # where the planted supervision cases' files go (county OCDS data, approvals)
    checkpoint: Callable[[Session, Clock], object] | None = None  # signs a checkpoint (the experts' draws need one)


CITY_DAYS = 100  # the city is founded this long ago, so its trades can have happened in order


def build(
    session: Session,
    *,
    clock: Clock,
    ident: Identity,
    password_for: Callable[[str], str] | None = None,
    totp_for: Callable[[str], str] | None = None,
    trades: TradeKit | None = None,
) -> DemoReport:
    """Create whatever of the demo city is missing; the caller commits.

    Everything happens on a story clock that starts CITY_DAYS ago and moves forward, so the event log
    reads in order; with `trades`, the city also gets projects at every stage of a tender.
    """
    story = FixedClock(clock.now() - timedelta(days=CITY_DAYS))
    report = _city(session, clock=story, ident=ident, password_for=password_for, totp_for=totp_for)
    if trades is not None and report.logins:
        cast = demo_trades.Cast(
            users={lg.username: u for lg in report.logins if (u := queries.find_user(session, lg.username))},
            passwords={lg.username: lg.password for lg in report.logins},
        )
        demo_trades.ensure_holder_keys(session, cast, trades.env, story.now(), var=trades.var)
        _delegations(session, cast, clock=story, files=trades.files)
        report.trades = demo_trades.build(
            session, cast, clock=story, files=trades.files, env=trades.env, signer=trades.signer
        )
        experts_demo.seed(session, clock=story, checkpoint=trades.checkpoint)
        report.evaluations = evaluation_demo.seed(
            session,
            clock=story,
            files=trades.files,
            plan={t.approval: t.evaluation for t in demo_trades.STORIES if t.evaluation},
        )
        report.awards = award_demo.advance(  # the sections whose report is signed, one stage further each
            session,
            lambda username: cast.actor(session, username),
            clock=story,
            files=trades.files,
            env=trades.env,
            notifier=MemoryNotifier(),
        )
        deposit_demo.settle(session, clock=story)  # the bank has paid back what the ended trades owe
        if story.now() > clock.now():
            raise RuntimeError("the demo story ran past the present")
        if trades.var is not None:
            report.alerts = demo_supervision.screen(session, clock=story, var=trades.var)
        _credit(session, clock=story)
    return report


# 委托代理: (tenderer, agency, trade classes) — yearly framework agreements, so the demo agencies may register
# projects for these tenderers (and only these: the registration form lists them).
DELEGATIONS = (
    ("tenderer1", "agency1", ("construction", "works_goods", "works_services")),
    ("tenderer2", "agency1", ("construction",)),
    ("tenderer6", "agency2", ("gp_goods", "gp_services", "gp_works")),
)


def _delegations(session: Session, cast: demo_trades.Cast, *, clock: Clock, files: FileStore) -> None:
    from ggzy.projects import delegation
    from ggzy.projects.models import Appointment

    today = clock.now().astimezone(SHANGHAI).date()
    for i, (tenderer, agency, classes) in enumerate(DELEGATIONS, start=1):
        if tenderer not in cast.users or agency not in cast.users:
            continue
        t, a = cast.users[tenderer], cast.users[agency]
        exists = session.execute(
            select(Appointment.id).where(Appointment.tenderer_org_id == t.org_id, Appointment.agency_org_id == a.org_id)
        ).first()
        if exists:
            continue
        ref = f"XXDL-{today.year}-{i:03d}"
        text = f"%PDF-1.4\n% 委托代理协议（演示） {ref}\n".encode()
        stored = files.save("appointments", [text], max_bytes=1 << 16)
        delegation.appoint(
            session,
            cast.actor(session, tenderer),
            agency_org_id=a.org_id,
            agreement_ref=ref,
            agreement=delegation.AgreementFile(f"委托代理协议{ref}.pdf", stored),
            clock=clock,
            categories=list(classes),
            valid_from=today,
            valid_until=today + timedelta(days=364 + CITY_DAYS),
        )


def _credit(session: Session, *, clock: Clock) -> None:
    """One sanctioned supplier, so the credit pages and the refusal at the bid have something to show."""
    from ggzy.credit import queries as credit
    from ggzy.credit import service as credit_service
    from ggzy.credit.states import TradeClass

    user = queries.find_user(session, "bidder24")
    if user is None:
        return
    org = queries.get_org(session, user.org_id)
    if credit.records_of(session, org.credit_code):
        return
    record = credit_service.record_sanction(
        session,
        actors.system(),
        org_id=org.id,
        title="以他人名义投标、弄虚作假骗取中标",
        basis="《招标投标法》第54条",
        source_ref="新住建罚〔2026〕7号",
        measure="取消依法必须进行招标的项目投标资格",
        classes=[TradeClass.STATE_WORKS],
        regions=["4107"],
        starts=clock.now(),
        ends=clock.now() + timedelta(days=730),
        clock=clock,
    )
    credit_service.list_record(session, actors.system(), record_id=record.id, clock=clock)


def _city(
    session: Session,
    *,
    clock: Clock,
    ident: Identity,
    password_for: Callable[[str], str] | None,
    totp_for: Callable[[str], str] | None,
) -> DemoReport:
    report = DemoReport()
    me = actors.system()
    org_ids: dict[str, str] = {}
    for i, o in enumerate(_orgs()):
        code = _code(o.name, o.prefix, o.region)
        existing = queries.find_org_by_code(session, code)
        if existing is None:
            existing = service.register_organisation(
                session,
                me,
                name=o.name,
                credit_code_text=code,
                kind=o.kind,
                sector=o.sector,
                clock=clock,
                address=f"新乡市示范路{i + 1}号",
                legal_representative=_person(100 + i),
                contact_name=_person(200 + i),
                contact_phone=f"0373-{5000000 + i * 137:07d}",
                contact_email=f"contact{i + 1}@demo.ggzy.localhost",
            )
            report.created_orgs += 1
        org_ids[o.key] = existing.id
    for u in _users():
        if queries.find_user(session, u.username) is not None:
            continue
        password = password_for(u.username) if password_for else passwords.generate()
        user = service.create_user(
            session,
            me,
            org_id=org_ids[u.org_key],
            username=u.username,
            display_name=u.display_name,
            password=password,
            roles=[(u.role, u.sector.value if u.sector else "")],
            clock=clock,
            ident=ident,
            must_change_password=False,
        )
        secret = None
        if u.role.is_staff:
            secret = totp_for(u.username) if totp_for else totp.new_secret()
            acting = auth.actor_for(session, user, u.role, None)
            auth.enrol_totp(
                session, acting, secret=secret, code=totp.code_at(secret, clock.now()), clock=clock, ident=ident
            )
            user.totp_last_step = None  # enrolment used a code; let the newcomer use the current one again
        org_name = session.get(Organisation, org_ids[u.org_key])
        report.logins.append(Login(u.username, u.role, org_name.name if org_name else "", password, secret))
        report.created_users += 1
    return report


def is_empty(session: Session) -> bool:
    return session.execute(select(Organisation.id).limit(1)).first() is None


def _width(text: str) -> int:
    """Columns a terminal gives the text: Chinese characters (East Asian wide or full-width) take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, columns: int) -> str:
    return text + " " * max(columns - _width(text), 1)


def format_logins(logins: list[Login]) -> str:
    lines = ["演示账户（首次生成，仅此一次显示；亦保存在 var/demo-logins.txt，仅本机可读）", ""]
    head = ("用户名", "角色", "口令", "动态口令密钥（工作人员）")
    rows = [(lg.username, lg.role.label, lg.password, lg.totp_secret or "—") for lg in logins]
    widths = [max(_width(r[i]) for r in [head, *rows]) + 2 for i in range(3)]
    for r in [head, *rows]:
        lines.append("".join(_pad(cell, w) for cell, w in zip(r[:3], widths, strict=True)) + r[3])
    lines.append("")
    lines.append(
        "工作人员登录时须输入动态口令：把密钥添加到手机身份验证器，或运行 `ggzy demo-code <用户名>` 查看当前口令。"
    )
    return "\n".join(lines)
