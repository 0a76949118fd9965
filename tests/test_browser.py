"""The digest page in a real browser: headless chromium (Debian's package; `make test-deps`
installs it), driven through the DevTools protocol (tests/cdp.py).

The page is built by the real pipeline from real files, with a planted hostile article whose
scripts would set a marker if they ever ran. Screenshots are kept in tests/artifacts/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest import config
from digest.embed import HashEmbedder
from digest.pipeline import Pipeline
from tests.articles import MARINA_1, MARINA_2, MARINA_3, STORM
from tests.cdp import Browser, chromium
from tests.fakes import EchoFacts

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PHONE_WIDTH = 390

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        chromium() is None,
        reason="chromium is not installed: run `make test-deps` (apt-get install chromium)",
    ),
]

# Each payload, if it ever ran, would leave a mark that the tests look for.
MARK = "document.documentElement.setAttribute('data-pwned', '{}')"
HOSTILE_TXT = f"""<script>{MARK.format("title-script")}; document.title = 'PWNED'</script> Ferry strike grounds Lindmoor crossing

Ferry crews in Lindmoor walked out on Thursday <img src=x onerror="{MARK.format("body-img")}"> over pay, halting the island crossing.
The operator said <script>{MARK.format("body-script")}</script> talks with the union would resume on Monday.
"""
HOSTILE_JSON = {
    "title": f'Lindmoor ferry talks stall <svg onload="{MARK.format("svg")}"></svg>',
    "text": "Talks between the Lindmoor ferry operator and the crews' union stalled on Friday, "
    "leaving the island crossing closed for a second day. The union said the strike would "
    "continue until the pay offer improved.",
    "source": '"><b onmouseover="alert(1)">Island Post',
    "url": f"javascript:{MARK.format('url')}",
}


@pytest.fixture(scope="module")
def outbox(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("browser")
    cfg = config.from_dict({}, base=tmp)
    inbox = cfg.paths.inbox
    inbox.mkdir()
    (inbox / "marina.txt").write_text(MARINA_1)
    (inbox / "marina.json").write_text(json.dumps(MARINA_2))
    (inbox / "storm.txt").write_text(STORM)
    (inbox / "ferry.txt").write_text(HOSTILE_TXT)
    (inbox / "ferry-talks.json").write_text(json.dumps(HOSTILE_JSON))
    Pipeline(cfg, embedder=HashEmbedder(), generator=EchoFacts()).run()
    (inbox / "marina-residents.md").write_text(MARINA_3)  # a second version of one story
    Pipeline(cfg, embedder=HashEmbedder(), generator=EchoFacts()).run()
    page = cfg.paths.outbox / "index.html"
    assert page.is_file()
    # The same page without its Content-Security-Policy: escaping alone must hold.
    text = page.read_text()
    assert text.count('http-equiv="Content-Security-Policy"') == 1
    no_csp = "\n".join(line for line in text.splitlines() if "Content-Security-Policy" not in line)
    (cfg.paths.outbox / "index-no-csp.html").write_text(no_csp)
    # A control: the payloads unescaped, no policy. Here the marks must appear, which shows
    # that the checks below would see a script run.
    unsafe = (
        f"<!DOCTYPE html><html><head><title>control</title></head><body>"
        f"{HOSTILE_TXT}<p>{HOSTILE_JSON['title']}</p></body></html>"
    )
    (cfg.paths.outbox / "control.html").write_text(unsafe)
    return cfg.paths.outbox


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    b = Browser(tmp_path_factory.mktemp("chromium-profile"))
    b.phone(PHONE_WIDTH, 844)
    yield b
    b.close()


def test_page_renders_readably_at_phone_width(browser, outbox):
    browser.open((outbox / "index.html").as_uri())
    ARTIFACTS.mkdir(exist_ok=True)
    browser.screenshot(ARTIFACTS / "digest-page-phone.png")
    browser.screenshot(ARTIFACTS / "digest-page-full.png", full_page=True)

    assert browser.eval("document.title") == "News digest"
    headlines = browser.eval(
        "[...document.querySelectorAll('article.story h2')].map(h => h.innerText)"
    )
    assert len(headlines) == len(list(outbox.glob("*.json"))) == 3 and all(headlines)
    # no sideways scrolling on a phone, however long the words and URLs
    assert browser.eval("document.documentElement.scrollWidth") <= PHONE_WIDTH
    notes = browser.eval("[...document.querySelectorAll('.note')].map(n => n.innerText)")
    assert len(notes) == 1 and notes[0].startswith("Updated (version 2) — first published ")
    # the screenshot is a real picture of the page, at the phone's size (2x pixels)
    png = (ARTIFACTS / "digest-page-phone.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (PHONE_WIDTH * 2, 844 * 2)


def test_every_citation_links_to_its_numbered_source(browser, outbox):
    browser.open((outbox / "index.html").as_uri())
    links = browser.eval(
        """[...document.querySelectorAll('a.cite')].map(a => {
            const target = document.getElementById(a.getAttribute('href').slice(1));
            return {
                href: a.getAttribute('href'), text: a.innerText,
                story: a.closest('article').id,
                target: target && target.tagName, value: target && target.value,
                targetStory: target && target.closest('article').id,
            };
        })"""
    )
    assert len(links) >= 6
    for link in links:
        assert link["href"].startswith("#src-")
        assert link["target"] == "LI", link
        assert link["targetStory"] == link["story"], link  # a source of the same story
        assert link["text"] == f"[{link['value']}]", link  # [n] goes to source n


def test_clicking_a_citation_jumps_to_the_source(browser, outbox):
    browser.open((outbox / "index.html").as_uri())
    # The first story's last citation: far enough up the page to be scrolled to the top.
    box = browser.eval(
        """(() => {
            const links = document.querySelectorAll('article.story')[0].querySelectorAll('a.cite');
            const a = links[links.length - 1];
            a.scrollIntoView({block: 'center'});
            const r = a.getBoundingClientRect();
            return {x: r.x + r.width / 2, y: r.y + r.height / 2, href: a.getAttribute('href')};
        })()"""
    )
    browser.click(box["x"], box["y"])
    browser.eval("new Promise(r => setTimeout(r, 300))")
    assert browser.eval("location.hash") == box["href"]
    target = browser.eval(
        """(() => {
            const t = document.querySelector(':target');
            return t && {id: t.id, top: t.getBoundingClientRect().top,
                         atBottom: innerHeight + scrollY >= document.documentElement.scrollHeight - 1};
        })()"""
    )
    assert target is not None and f"#{target['id']}" == box["href"]
    assert abs(target["top"]) < 2 or target["atBottom"]  # scrolled to it
    browser.screenshot(ARTIFACTS / "digest-page-after-citation-click.png")


@pytest.mark.parametrize("page", ["index.html", "index-no-csp.html"])
def test_hostile_article_runs_no_script(browser, outbox, page):
    browser.open((outbox / page).as_uri())
    assert browser.eval("document.documentElement.getAttribute('data-pwned')") is None
    assert browser.eval("document.title") == "News digest"
    assert browser.eval("document.querySelectorAll('script, img, svg, b').length") == 0
    assert (
        browser.eval(
            "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes])"
            ".filter(a => a.name.startsWith('on')).length"
        )
        == 0
    )
    hrefs = browser.eval("[...document.querySelectorAll('a[href]')].map(a => a.href)")
    assert hrefs and all(h.split(":")[0] in ("http", "https", "file") for h in hrefs), hrefs
    # the planted text is there, as text a reader can see
    text = browser.eval("document.body.innerText")
    assert "<script>document.documentElement.setAttribute" in text
    assert "Lindmoor ferry talks stall <svg onload=" in text
    # the javascript: URL is dropped when the article is read (ingest keeps http(s) URLs only)
    assert not any("javascript" in h for h in hrefs)
    # click the hostile source's title: it is not a link, so nothing may happen
    box = browser.eval(
        """(() => {
            const li = [...document.querySelectorAll('.sources li')]
                .find(l => l.innerText.includes('ferry talks stall'));
            li.scrollIntoView({block: 'center'});
            const r = li.getBoundingClientRect();
            return {x: r.x + 20, y: r.y + r.height / 2};
        })()"""
    )
    browser.click(box["x"], box["y"])
    browser.eval("new Promise(r => setTimeout(r, 300))")
    assert browser.eval("document.documentElement.getAttribute('data-pwned')") is None
    assert browser.eval("document.title") == "News digest"


def test_control_the_same_payloads_unescaped_do_run(browser, outbox):
    browser.open((outbox / "control.html").as_uri())
    assert browser.eval("document.documentElement.getAttribute('data-pwned')") is not None
    assert browser.eval("document.title") == "PWNED"
