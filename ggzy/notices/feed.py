"""公告订阅 — an Atom feed (RFC 4287) of the latest notices, built with an XML library, never by string pasting."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from xml.etree import ElementTree as ET

from ggzy.notices.models import Notice
from ggzy.notices.states import NoticeKind

ATOM = "http://www.w3.org/2005/Atom"


def atom(
    notices: Sequence[Notice], *, base_url: str, title: str, updated: datetime, query: str = "", page_query: str = ""
) -> bytes:
    """`query` is the feed's own filter (`?category=…`, `?region=…`, `?buyer=…`), part of its id and self link;
    `page_query` the same search on the portal's notice page (the alternate link)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    sub(feed, "title", title)
    sub(feed, "id", f"{base_url}/notices/feed.atom{query}")
    sub(feed, "updated", (notices[0].published_at if notices else updated).isoformat())
    sub(feed, "link", rel="self", href=f"{base_url}/notices/feed.atom{query}")
    sub(feed, "link", rel="alternate", href=f"{base_url}/notices{page_query}")
    for n in notices:
        entry = sub(feed, "entry")
        sub(entry, "title", f"【{NoticeKind(n.kind).label}】{n.title}")
        sub(entry, "id", f"{base_url}/notices/{n.number}")
        sub(entry, "link", rel="alternate", href=f"{base_url}/notices/{n.number}")
        sub(entry, "updated", n.published_at.isoformat())
        sub(entry, "published", n.published_at.isoformat())
        author = sub(entry, "author")
        sub(author, "name", n.buyer)
        sub(entry, "category", term=n.kind, label=NoticeKind(n.kind).label)
        sub(entry, "summary", n.body[:500])
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body
