"""Publish stage: the reader's outputs, built from the latest briefs in the store.

- ``index.html``: the digest page, stories newest first, each brief with citation markers that
  jump to its numbered sources. One static file: no scripts, no external assets.
- ``feed.xml``: an Atom feed, one entry per story, updated in place when the story changes.
- ``digest-YYYY-MM-DD.md``: each day's digest, every story updated that day as it stood at the
  end of the day.

Pages come from the database, never from reading the outbox back, and a file is rewritten
only when its content changed (atomically, with render.atomic_write). Days are calendar days
in the local time zone, like the service's processed/<YYYY-MM-DD>/ folders.

Article text is hostile input: every string from an article or a model is escaped, and a URL
becomes a link only when it is http(s) (render.safe_url). The page's Content-Security-Policy
(nothing may load, nothing may run) is a second guard, not the first.
"""

from __future__ import annotations

import functools
import hashlib
import html
import logging
import re
import time
import uuid
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from . import language
from .config import Publish
from .errors import DigestError
from .records import Brief
from .render import atomic_write, safe_url
from .store import BriefRow, Store

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the layout of the pages changes: existing outboxes are then rebuilt
ATOM = "http://www.w3.org/2005/Atom"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
# Entry ids are name-based UUIDs of the story ids (which come from article content), so an
# entry keeps its id across runs, versions and even a fresh state folder.
ENTRY_NAMESPACE = uuid.UUID("6f1b3c9e-2d4a-5e8f-9a7b-0c1d2e3f4a5b")
RECENT_DAYS = 14  # daily digests linked from the page

# Not allowed in XML 1.0 (a feed reader rejects the whole feed), and never useful in a page.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class PublishedStory:
    story_id: str
    slug: str
    brief: Brief  # the version being shown
    first_published: str  # when version 1 was written (ISO 8601)


def pending(store: Store, outbox: Path, settings: Publish) -> bool:
    """True when a brief (or the settings) changed since the pages were built, or a page is
    missing: so a run that died before publishing is published by the next one."""
    missing = not all((outbox / name).is_file() for name in ("index.html", "feed.xml"))
    return missing or store.meta("published") != _stamp(store, settings)


def publish(
    store: Store,
    outbox: Path,
    settings: Publish | None = None,
    *,
    tz: tzinfo | None = None,
    between: Callable[[], None] = lambda: None,
) -> list[Path]:
    """Write index.html, feed.xml and the daily digests; return the files that changed.

    `tz` is the time zone of the days and times shown (default: the machine's). `between` is
    called once index.html is written, when there are stories (crash tests stop there).
    """
    settings = settings or Publish()
    rows = store.all_briefs()
    stamp = _stamp(store, settings)
    stories = latest(rows)
    days = by_day(rows, tz)
    pages = {
        "index.html": page_html(stories, settings, sorted(days, reverse=True), tz=tz),
        "feed.xml": feed_xml(stories[: settings.feed_entries], settings.title, _feed_id(store)),
    }
    for day, day_stories in days.items():
        pages[f"digest-{day.isoformat()}.md"] = daily_markdown(day, day_stories, settings.title, tz)
    changed = []
    try:
        outbox.mkdir(parents=True, exist_ok=True)
        for name, text in pages.items():
            path = outbox / name
            if _write_if_changed(path, text):
                changed.append(path)
            if name == "index.html" and stories:
                between()  # a crash here leaves a new page beside an old feed until the rerun
    except OSError as e:
        raise DigestError(
            f"cannot write the digest pages in {outbox}: {e.strerror or e}; "
            "check that the folder is writable, or pass --outbox DIR"
        ) from e
    with store.transaction():
        store.set_meta("published", stamp)
    log.info(
        "Publish - %d stories, %d day(s), %d file(s) changed in %s",
        len(stories),
        len(days),
        len(changed),
        outbox,
    )
    return changed


# what is shown -----------------------------------------------------------------------------
def latest(rows: list[BriefRow]) -> list[PublishedStory]:
    """Each story's latest brief, newest first."""
    by_story: dict[str, list[BriefRow]] = defaultdict(list)
    for row in rows:
        by_story[row.story_id].append(row)
    stories = [_published(versions, versions[-1]) for versions in by_story.values()]
    return _newest_first(stories)


def by_day(rows: list[BriefRow], tz: tzinfo | None = None) -> dict[date, list[PublishedStory]]:
    """For each day, the stories updated that day, each at its last version of the day."""
    by_story: dict[str, list[BriefRow]] = defaultdict(list)
    for row in rows:
        by_story[row.story_id].append(row)
    days: dict[date, dict[str, PublishedStory]] = defaultdict(dict)
    for versions in by_story.values():
        for row in sorted(versions, key=lambda r: r.version):  # a later version replaces
            day = local_time(row.brief["updated"], tz).date()
            days[day][row.story_id] = _published(versions, row)
    return {day: _newest_first(list(days[day].values())) for day in sorted(days)}


def _published(versions: list[BriefRow], row: BriefRow) -> PublishedStory:
    first = min(versions, key=lambda r: r.version)
    return PublishedStory(
        story_id=row.story_id,
        slug=row.slug,
        brief=Brief.from_json(row.brief),
        first_published=first.brief.get("updated") or first.created_at,
    )


def _newest_first(stories: list[PublishedStory]) -> list[PublishedStory]:
    return sorted(stories, key=lambda s: (utc_time(s.brief.updated), s.story_id), reverse=True)


# the page ----------------------------------------------------------------------------------
# The page and the brief's parts are Jinja2 templates in digest/templates/ (page.html,
# brief.html), with autoescaping; `_finalize` is what every printed value goes through.


def page_html(
    stories: list[PublishedStory],
    settings: Publish,
    days: list[date] | None = None,
    *,
    tz: tzinfo | None = None,
) -> str:
    shown = stories[: settings.page_stories] if settings.page_stories else stories
    return (
        _templates()
        .get_template("page.html")
        .render(
            title=settings.title,
            csp=Markup(CSP),  # ours, and written as it is: escaping would only spell its quotes out
            stories=stories,
            shown=shown,
            days=days or [],
            recent_days=RECENT_DAYS,
            tz=tz,
        )
    )


def brief_html(brief: Brief, base: str = "") -> str:
    """The brief's sentences, each followed by links to the sources it cites."""
    return str(_macros().brief(brief, base))


def sources_html(brief: Brief) -> str:
    return str(_macros().sources(brief))


@functools.cache
def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("digest", "templates"),
        autoescape=True,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,  # a misspelt name fails the render, not the page
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        anchor=_anchor,
        rfc3339=_rfc3339,
        safe_url=safe_url,
        when=_time_text,
        language_name=language.name,
    )
    return env


def _macros() -> Any:
    """brief.html's macros, callable from Python (the feed's entries use them)."""
    return _templates().get_template("brief.html").module


def _finalize(value: object) -> object:
    """Every value a template prints: without control characters, and escaped as html.escape
    does (quotes as &quot; and &#x27;); the templates' own markup (macros, Markup) as it is."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(_clean(str(value)), quote=True))


# the feed ----------------------------------------------------------------------------------
def feed_xml(stories: list[PublishedStory], title: str, feed_id: str) -> str:
    """An Atom feed (RFC 4287): one entry per story, its id stable across versions."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(_atom("feed"))
    _sub(feed, "id", feed_id)
    _sub(feed, "title", title)
    newest = stories[0].brief.updated if stories else "1970-01-01T00:00:00+00:00"
    _sub(feed, "updated", _rfc3339(newest))
    author = _sub(feed, "author")
    _sub(author, "name", "digest")
    _sub(feed, "generator", "digest")
    _sub(feed, "link", rel="alternate", type="text/html", href="index.html")
    for story in stories:
        b = story.brief
        entry = _sub(feed, "entry")
        _sub(entry, "id", entry_id(story.story_id))
        _sub(entry, "title", b.headline)
        _sub(entry, "updated", _rfc3339(b.updated))
        _sub(entry, "published", _rfc3339(story.first_published))
        _sub(
            entry,
            "link",
            rel="alternate",
            type="text/html",
            href=f"index.html#story-{_anchor(story.story_id)}",
        )
        note = (
            f"<p><em>Updated (version {int(b.version)}); first published "
            f"{_rfc3339(story.first_published)}.</em></p>"
            if b.version > 1
            else ""
        )
        content = (
            f"<p>{brief_html(b, base='index.html')}</p>{note}<h3>Sources</h3>{sources_html(b)}"
        )
        _sub(entry, "content", content, type="html")  # ElementTree escapes it once more
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def entry_id(story_id: str) -> str:
    return f"urn:uuid:{uuid.uuid5(ENTRY_NAMESPACE, story_id)}"


def _feed_id(store: Store) -> str:
    """A random id made once per state folder, so two digests never share a feed id."""
    value = store.meta("feed_id")
    if value is None:
        value = f"urn:uuid:{uuid.uuid4()}"
        with store.transaction():
            store.set_meta("feed_id", value)
    return value


def _atom(tag: str) -> str:
    return f"{{{ATOM}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, _atom(tag), {k: _clean(v) for k, v in attrib.items()})
    if text is not None:
        element.text = _clean(text)
    return element


# the daily digest --------------------------------------------------------------------------
def daily_markdown(
    day: date, stories: list[PublishedStory], title: str, tz: tzinfo | None = None
) -> str:
    n = len(stories)
    lines = [
        f"# {_md(title)} — {day.isoformat()}",
        "",
        f"{n} {_plural(n, 'story', 'stories')} updated on this day, newest first.",
        "",
    ]
    for story in stories:
        b = story.brief
        body = " ".join(
            f"{_md(s.text)} {''.join(f'[{int(c)}]' for c in s.citations)}".rstrip()
            for s in b.sentences
        )
        when = f"Updated {_time_text(b.updated, tz)}"
        if b.version > 1:
            when += f" (version {int(b.version)}; first published {_time_text(story.first_published, tz)})"
        lines += [f"## {_md(b.headline)}", "", body, "", f"*{when}.*", "", "Sources:", ""]
        for s in b.sources:
            url = safe_url(s.url)
            if url:  # an angle-bracket destination may hold parentheses, but not < or >
                url = url.replace("<", "%3C").replace(">", "%3E")
            title_md = f"[{_md(s.title)}](<{url}>)" if url else _md(s.title)
            meta = ", ".join(
                _md(p) for p in (s.publisher, s.published, language.name(s.language)) if p
            )
            lines.append(f"{int(s.n)}. {title_md}" + (f" — {meta}" if meta else ""))
        lines.append("")
    return "\n".join(lines)


# helpers -----------------------------------------------------------------------------------
def utc_time(value: str) -> datetime:
    """An ISO 8601 time as an aware datetime (a time without a zone is taken as UTC)."""
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return datetime(1970, 1, 1, tzinfo=UTC)
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def local_time(value: str, tz: tzinfo | None = None) -> datetime:
    return utc_time(value).astimezone(tz)


def _rfc3339(value: str) -> str:
    return utc_time(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _time_text(value: str, tz: tzinfo | None) -> str:
    t = local_time(value, tz)
    return f"{t:%Y-%m-%d %H:%M} {t.tzname() or t.strftime('%z')}"


def _clean(text: str) -> str:
    return _CONTROL.sub("", text)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>])")


def _md(text: str) -> str:
    """Text as Markdown that renders as itself: no links, tags or emphasis from articles."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(_clean(str(text)).split()))


def _anchor(story_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", story_id)


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _stamp(store: Store, settings: Publish) -> str:
    settings_hash = hashlib.sha256(repr(settings).encode()).hexdigest()[:16]
    return f"{FORMAT}:{settings_hash}:{store.briefs_stamp()}"


def _write_if_changed(path: Path, text: str) -> bool:
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    atomic_write(path, text)
    return True


class Refresh:
    """When to rebuild the pages during a batch: every N briefs or M seconds."""

    def __init__(self, settings: Publish):
        self.settings = settings
        self.briefs = 0
        self.last = time.monotonic()

    def due(self) -> bool:
        self.briefs += 1
        now = time.monotonic()
        if (
            self.briefs >= self.settings.refresh_briefs
            or now - self.last >= self.settings.refresh_seconds
        ):
            self.briefs, self.last = 0, now
            return True
        return False
