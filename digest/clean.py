"""Page-noise removal: what a saved web page carries besides the article.

Works line by line on plain text, by rules tuned on real saved pages: the title repeated at the
top, photo captions, section labels and headings, emoji headings, hashtag lines, share/subscribe/
cookie prompts, source and copyright footers. Real sentences are kept, list items included
(without their bullet or number). Later stages see only prose, so a heading is never mistaken
for a fact and a caption never cited.
"""

from __future__ import annotations

import logging
import re
import unicodedata

log = logging.getLogger(__name__)

# A heading is a short line without sentence-final punctuation; a prose paragraph that merely
# lost its final period is longer than this.
HEADING_MAX_WORDS = 12
# "What we know:" is a label; "For Russia, the move serves three aims:" introduces a list.
LABEL_MAX_WORDS = 5
# A lone question this short is a section heading ("Why is X doing Y now?").
QUESTION_MAX_WORDS = 12
# Prompts and captions are short; a long paragraph that mentions a newsletter is prose.
PROMPT_MAX_WORDS = 45
PROMPT_MAX_CHARS = 600
_TAIL_CHARS = 2000
_SPACE_RUN = re.compile(r"\s{2,}|[^\S ]")  # runs to collapse; a lone space is left alone
# Bounded work per article, whatever the file holds (issue 17): the longest real articles run to
# about 20,000 words (120,000 characters, 1,000 sentences). What is kept of one article is cut
# at a sentence end within MAX_ARTICLE_CHARS and MAX_SENTENCES; only the first
# MAX_INPUT_CHARS of the text are cleaned at all (room for the noise that cleaning removes).
MAX_ARTICLE_CHARS = 200_000
MAX_SENTENCES = 2_000
MAX_INPUT_CHARS = 4 * MAX_ARTICLE_CHARS

_FINAL = re.compile(r"[.!?…][\"'”’)\]]*$")
_BULLET = re.compile(r"^\s*(?:[-*+•·‣▪▫●◦–—]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+")
_SEPARATOR = re.compile(r"^[\W_]+$")  # "___", "* * *", "---", "###", "+"
_TRAILING_HASHTAGS = re.compile(r"(?:\s+#\w+){2,}\s*$")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2002\u2003\u2007\u2009\u202f\t\f\v"), " ")
_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to"}

# Whole-paragraph noise, matched at the start of the paragraph (case-insensitive).
_NOISE_START = re.compile(
    r"""^(?:
        file\s*[-–—:]            # "FILE - Soldiers stand ...", AP caption
      | file\ photo
      | (?:photo|image|photograph|picture|credit|caption|video|graphic)s?(?:\ by)?\s*:
      | image\ (?:copyright|caption)
      | enlarge\ this\ image
      | back\ to\ top
      | advertisement
      | story\ continues\ below | story\ continued\ below
      | continue\ reading
      | skip\ (?:ad|advertisement)
      | report\ this\ ad
      | read\ more\b | read\ next\b | read\ or\ share\ this
      | (?:►\s*)?related\s*: | also\s*: | more\ video\s*: | watch\s*: | listen\s*:
      | (?:the\ )?source\s*:      # "The Source: This article is based on reporting from ..."
      | this\ (?:article|story|report)\ (?:is\ based\ on|was\ (?:originally\ )?published
            |first\ appeared|originally\ appeared|has\ been\ updated)
      | originally\ published
      | (?:additional\ )?reporting\ by\ | \(reporting\ by\ | editing\ by\ | writing\ by\
      | (?:the\ )?(?:associated\ press|ap|reuters|afp)\ contributed
      | copyright\s+(?:©|\(c\)|\d{4}) | ©
      | all\ rights\ reserved
      | tweet\ with\ a\ location | add\ a\ location\ to\ your\ tweets
      | you\ can\ add\ location\ information | when\ you\ tweet\ with\ a\ location
      | sorry,\ (?:the|this|but\ the|your)\ (?:video|page|content|browser|comments)
      | sorry,\ comments
      | (?:please\ )?(?:enable|turn\ on)\ javascript
      | your\ browser\ does\ not\ support
      | share\ (?:this|on|via)\b
      | follow\ (?:us|\w+(?:\ \w+)?)\ on\ (?:twitter|x|facebook|instagram|threads|bluesky)
      | sign\ up\b | subscribe\b | newsletter\ sign\ up
      | have\ a\ tip\b
      | trending\ news\s*:
      | media\ playback\ is | media\ caption
      | more\s*:
      | copyright\ [^.!?]{0,60}$             # "Copyright Marvel Comics"
      | //                                    # script code saved as text
      # Getty-style caption: "WASHINGTON, DC - JUNE 18: Former Congresswoman ..."
      | [a-z .,']{2,40}\ [-–]\ (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\ \d{1,2}:
      | text\ size\b
      | breaking\ news\ emails | get\ breaking\ news\ alerts
      # the Internet Archive's notes, saved in place of a page that was gone
      | starting\ in\ 1996,\ alexa\ internet | these\ crawls\ are\ part\ of
      | the\ seed\ for\ this\ crawl | this\ crawl\ was\ run | the\ warc\ files
      # a log-in wall saved in place of the page (a held-out validation brief published it)
      | (?:you\ must|please)\ (?:be\ )?(?:log|sign)(?:ged)?\ in\b
      | (?:log|sign)\ in\ to\ (?:continue|read|view|comment|access|see)\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# Noise anywhere in a short paragraph: captions with photo credits, prompts, cookie banners.
_NOISE_ANYWHERE = re.compile(
    r"""(?:
        \((?:ap|afp|reuters|getty|epa)?\ ?photo\b   # "(AP Photo/Jane Doe)", "(Photo: X)"
      | \(photo:
      | \b(?:ap|afp|epa)\ photo/ | \breuters/\w | \bfile\ photo\b
      | \bgetty\ images\W*$ | \([^)]*getty\ images[^)]*\)  # a credit, not "Getty Images said"
      | \b(?:photo|image|photograph|credit)s?:\ [^.!?]*$   # "... last year. Photo: Getty"
      | \bclick\ here\b
      | \b(?:sign\ up|subscribe)\b.*\b(?:newsletter|email|inbox|alerts|updates)\b
      | \bnewsletters?\b.*\b(?:sign\ up|subscribe|inbox|delivered)\b
      | \b(?:by\ email|e-mail|inbox)\b.*\b(?:sign\ up|subscribe)\b
      | continue\ reading\ the\ main\ story
      | \bsubscribe\ (?:now|today)\b | \bsign\ up\ here\b
      | \benable\ javascript\b
      | ^enlarge\ image\b      # a caption; a long paragraph after it is the lead, run on
      | ^\S+(?:\ \S+){0,3}/(?:getty|afp|ap|reuters|epa)\b   # "Tom Williams/Getty Images Rep. X ..."
      | \bby\ signing\ up\b
      | \b(?:we|this\ (?:web)?site)\ uses?\ cookies\b
      | \b(?:accept|reject|manage)\ (?:all\ )?cookies\b
      | \bcookie\ (?:policy|settings|preferences|consent|notice)\b
      | \bshare\ this\ (?:article|story|page|post|video)\b
      | \bcomments?\ (?:are|is)\ (?:now\ )?closed\b
      | \ball\ rights\ reserved\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# The same families in French, German and Spanish (and Italian where the word is shared):
# captions and credits, "read also", share and subscribe prompts, ad markers, footers, cookies.
_NOISE_START_OTHER = re.compile(
    r"""^(?:
        (?:photo|crédit\ photo|légende|foto|bild|imagen|fotografía|pie\ de\ foto|bildquelle
            |quelle|fuente|crédito|crédits?)\s*:
      | (?:à\ )?lire\ (?:aussi|également|la\ suite) | voir\ aussi\s*: | sur\ le\ même\ sujet
      | lesen\ sie\ (?:auch|mehr|weiter) | mehr\ zum\ thema | auch\ interessant\s*: | weiterlesen
      | lea\ (?:también|además) | leer\ más | le\ puede\ interesar | te\ puede\ interesar
      | (?:partager|partagez)\ (?:sur|cet|l'article) | teilen\ (?:sie\ )?(?:auf|diesen|den)
      | compartir\ (?:en|este|esta) | comparte\ (?:en|esta|este)
      | abonnez-vous | inscrivez-vous | abonnieren\ sie | jetzt\ abonnieren | melden\ sie\ sich
      | suscríbete | suscribirse | regístrate
      | (?:publicité|anzeige|werbung|publicidad|pubblicità)\s*$
      | tous\ droits\ réservés | alle\ rechte\ vorbehalten | todos\ los\ derechos\ reservados
      | (?:cet|cette)\ (?:article|dépêche)\ a\ été\ (?:publié|mis\ à\ jour)
      | dieser\ (?:artikel|beitrag)\ (?:erschien|wurde) | este\ artículo\ (?:se\ publicó|fue)
      | retour\ en\ haut | nach\ oben | volver\ arriba
      | (?:avec|mit|con)\ (?:afp|reuters|ap|dpa|efe)\s*$
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_NOISE_ANYWHERE_OTHER = re.compile(
    r"""(?:
        \((?:photo|foto|bild)\ ?[:/]?\ ?(?:afp|ap|reuters|dpa|efe|epa|getty)?
      | \b(?:afp|dpa|efe|epa)/\w
      | \b(?:ce\ site|notre\ site)\ utilise\ des\ cookies\b | \bdiese\ (?:web)?seite\ verwendet
        \ cookies\b | \b(?:este\ sitio|esta\ web)(?:\ web)?\ utiliza\ cookies\b
      | \b(?:accepter|akzeptieren|aceptar)\b.*\bcookies\b
      | \b(?:newsletter|infolettre|boletín)\b.*\b(?:abonnez|inscri|abonnier|anmelden|suscr)
      | \b(?:abonnez|inscrivez|abonnieren|suscríbete)\b.*\b(?:newsletter|infolettre|boletín)\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# A photo credit inside a caption, as some sites run it into the teaser: "... | Jane Roe/Getty Images".
_CREDIT = re.compile(r"\|\s+[\w .'\-]{2,60}/(?:[A-Z]+/)?Getty Images\b")
# A line made only of share buttons: "Facebook Twitter Pinterest Email".
_SHARE_WORDS = re.compile(
    r"^(?:(?:share|tweet|email|e-mail|print|facebook|twitter|pinterest|linkedin|whatsapp|"
    r"reddit|flipboard|copy\ link|comments?|save|play|partager|imprimer|commentaires?|teilen|"
    r"drucken|kommentare?|compartir|imprimir|comentarios?|tweeter|e-mail)\b[\s|·,/]*)+$",
    re.IGNORECASE | re.VERBOSE,
)


def clean_body(title: str, text: str) -> str:
    """Return the article prose of `text`, paragraphs separated by blank lines.

    `title` is the article's title: copies of it at the top of the text (saved pages often
    repeat it) and elsewhere as a lone line are removed. Returns "" when nothing is left.
    At most MAX_ARTICLE_CHARS and MAX_SENTENCES are kept (the rest is cut and logged).
    """
    title_key = _key(title[:MAX_INPUT_CHARS])
    kept: list[str] = []
    seen: set[str] = set()
    at_top = True
    size = 0
    for paragraph in _paragraphs(_head(text, MAX_INPUT_CHARS)):
        if at_top and title_key and _is_title_copy(paragraph, title_key):
            continue
        if title_key and _key(paragraph) == title_key:
            continue
        paragraph = _clean_paragraph(paragraph)  # type: ignore[assignment]  # None: next line
        if paragraph is None:
            continue
        key = _key(paragraph)
        if key in seen:  # pages repeat pull quotes and captions; a fact needs saying once
            continue
        seen.add(key)
        kept.append(paragraph)
        at_top = False
        size += len(paragraph) + 2
        if size > MAX_ARTICLE_CHARS:
            break
    return bound("\n\n".join(kept), len(text))


def bound(text: str, original: int | None = None) -> str:
    """`text` cut at a sentence end to at most MAX_ARTICLE_CHARS and MAX_SENTENCES."""
    from .sentences import split_sentences  # imported here: sentences imports nothing of ours

    cut = _head(text, MAX_ARTICLE_CHARS)
    paragraphs = cut.split("\n\n")
    out: list[str] = []
    count = 0
    for paragraph in paragraphs:
        sentences = split_sentences(paragraph)
        if count + len(sentences) > MAX_SENTENCES:
            if MAX_SENTENCES - count > 0:
                out.append(" ".join(sentences[: MAX_SENTENCES - count]))
            break
        out.append(paragraph)
        count += len(sentences)
    result = "\n\n".join(out)
    if len(result) < len(text) or (original or 0) > MAX_INPUT_CHARS:
        log.warning(
            "Clean - a very long article: kept its first %d characters (%d sentences at most)"
            " of %d",
            len(result), MAX_SENTENCES, max(len(text), original or 0),
        )  # fmt: skip
    return result


def _head(text: str, limit: int) -> str:
    """The first `limit` characters of `text`, cut at a paragraph, line or sentence end when
    there is one in the last quarter, else at a space."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    floor = limit * 3 // 4
    for mark in ("\n\n", "\n", ". ", "? ", "! ", " "):
        i = head.rfind(mark, floor)
        if i != -1:
            return head[: i + len(mark)].rstrip()
    return head


def normalize_space(text: str) -> str:
    """NFC, no invisible characters, plain spaces, "\\n" line ends, no trailing spaces."""
    # a regex, not " ".join(line.split()): the same spaces, without a list of every word of
    # a 20 MB line (190 MB)
    return "\n".join(
        _SPACE_RUN.sub(" ", line).strip() for line in _normalize_chars(text).split("\n")
    )


def _normalize_chars(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE).translate(_SPACES)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _paragraphs(text: str) -> list[str]:
    """Blocks between blank lines, each split into its paragraphs (one per line unless wrapped)."""
    out: list[str] = []
    for block in re.split(r"\n[ ]*\n", _normalize_chars(text)):
        raw = [line for line in block.split("\n") if line.strip()]
        if not raw:
            continue
        lines = [" ".join(line.split()) for line in raw]
        # In wrapped text, an indented line after an unindented one starts a paragraph (wire copy).
        indented = [line.startswith("  ") for line in raw]
        wrapped = _is_wrapped(lines)
        current = [lines[0]]  # joined once at the end: += on a str is quadratic in long blocks
        for i in range(1, len(lines)):
            new_indent = indented[i] and not indented[i - 1]
            if _continues(lines[i - 1], lines[i], wrapped) and not (wrapped and new_indent):
                current.append(lines[i])
            else:
                out.append(" ".join(current))
                current = [lines[i]]
        out.append(" ".join(current))
    return out


def _is_wrapped(lines: list[str]) -> bool:
    """A hard-wrapped block (email, Markdown, wire copy): long lines, most ending mid-sentence.

    A block of one-line paragraphs (a saved page often has no blank lines) is not wrapped:
    its lines end with a full stop.
    """
    body = lines[:-1]
    long_lines = sum(len(x) >= 40 for x in body)
    unfinished = sum(not _FINAL.search(x) for x in body)
    return bool(body) and long_lines >= 0.7 * len(body) and unfinished * 2 >= len(body)


def _continues(previous: str, line: str, wrapped: bool) -> bool:
    """Does `line` continue the paragraph that `previous` is the last line of?"""
    if _BULLET.match(line) or previous.endswith(":"):
        return False
    if wrapped:  # "Russia Signals Support for Cooperation" on the line above text is a heading
        return line[:1].islower() or not _is_title_case(previous)
    return line[:1].islower() and not _FINAL.search(previous)


# A wire dateline before the first sentence: "LARKFIELD - ", "LONDON (Reuters) - ",
# "NEW YORK, Nov 3 (AP) — ". Capitals only, so an ordinary sentence is never cut.
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'’ -]{1,40}(?:, [A-Z][a-z]{2,8}\.? \d{1,2})?(?: \([A-Za-z .]{2,30}\))? ?[-–—]+ (?=[A-Z“\"])"
)


# Sentences run together where a page's paragraphs lost their break ('said.Police say',
# 'soon."They'): 41 times in the 251 articles of Multi-News train, each a sentence end. A
# space lets the splitter see it (abbreviations such as "Mrs." stay its business).
_GLUED = re.compile(r"(?:(?<=[a-z]{2}[.!?])|(?<=[a-z]{2}[.!?][\"”’]))(?=[A-Z][a-z])")


def _clean_paragraph(paragraph: str) -> str | None:
    """The paragraph as prose, or None if it is page noise."""
    paragraph = _BULLET.sub("", paragraph, count=1).strip()
    if paragraph[:1] and _is_emoji(paragraph[0]):
        paragraph = _strip_emoji(paragraph)
        if not _FINAL.search(paragraph):
            return None  # "🇷🇺 Strategic Implications"; "✅ The line opens today." is prose
    # only the tail can hold trailing hashtags; a search over a huge line would be quadratic
    cut = max(0, len(paragraph) - _TAIL_CHARS)
    paragraph = (paragraph[:cut] + _TRAILING_HASHTAGS.sub("", paragraph[cut:])).strip()
    if is_noise(paragraph):
        return None
    paragraph = _DATELINE.sub("", paragraph, count=1)
    paragraph = _GLUED.sub(" ", paragraph)
    words = paragraph.split()
    if not _FINAL.search(paragraph):
        if paragraph.endswith(":"):
            return None if len(words) <= LABEL_MAX_WORDS else paragraph
        return None if len(words) <= HEADING_MAX_WORDS else paragraph
    if _is_question_heading(paragraph, words):
        return None
    return paragraph


def is_noise(paragraph: str) -> bool:
    """Page furniture whatever its place: a caption, credit, prompt, share line, ad marker,
    hashtag line or separator (headings are not noise by this test: a headline is one)."""
    paragraph = paragraph.strip()
    if not paragraph or _SEPARATOR.match(paragraph) or _SHARE_WORDS.match(paragraph):
        return True
    words = paragraph.split()
    if sum(w.startswith("#") for w in words) * 2 >= len(words):
        return True  # "#Tag #OtherTag"
    start = paragraph.lstrip("[(")
    if _NOISE_START.match(start) or _NOISE_START_OTHER.match(start) or _CREDIT.search(paragraph):
        return True
    return (
        len(words) <= PROMPT_MAX_WORDS
        and len(paragraph) <= PROMPT_MAX_CHARS  # one huge "word" is no prompt either
        and bool(_NOISE_ANYWHERE.search(paragraph) or _NOISE_ANYWHERE_OTHER.search(paragraph))
    )


def _is_question_heading(paragraph: str, words: list[str]) -> bool:
    return (
        paragraph.rstrip("\"'”’").endswith("?")
        and len(words) <= QUESTION_MAX_WORDS
        and not re.search(r"[\"“”]", paragraph)  # a quoted question is dialogue, not a heading
        and not re.search(r"[.!?]\s", paragraph)  # one sentence only
    )


def _is_title_copy(paragraph: str, title_key: str) -> bool:
    """The title itself, or the title plus a short site suffix ("Title | The Gazette")."""
    key = _key(paragraph)
    if key == title_key:
        return True
    extra = key[len(title_key) :].split()
    return (
        key.startswith(title_key)
        and 0 < len(extra) <= 6
        and not _FINAL.search(paragraph)
        and bool(re.search(r"\s[|–—-]\s", paragraph))
    )


def _key(text: str) -> str:
    """Comparison key: case, punctuation and spacing do not matter."""
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def _is_emoji(char: str) -> bool:
    if char in "©®™":  # symbols, but they start copyright lines, not headings
        return False
    return unicodedata.category(char) == "So" or 0x1F000 <= ord(char) <= 0x1FAFF


def _strip_emoji(paragraph: str) -> str:
    i = 0
    while i < len(paragraph) and (
        _is_emoji(paragraph[i]) or unicodedata.category(paragraph[i]) in ("Mn", "Cf", "Zs")
    ):
        i += 1
    return paragraph[i:]


def _is_title_case(line: str) -> bool:
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", line) if w.lower() not in _SMALL_WORDS]
    return len(words) >= 2 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)
