"""Fuzz the readers with atheris: no input may make a reader raise.

Each target feeds the fuzzer's bytes to one reader the way ``saidwhat ingest``
does (written to a file with the reader's ending and read through
``saidwhat.read.read_path``; standard input through ``read_stdin``) and checks
the readers' contract:

* no exception escapes: a bad file or record comes back as a ``BadRecord``
  naming the input, never raised;
* every good record is an ``Article`` whose text is a non-blank ``str``
  (cleaned of control characters, except for JSON Lines, which keeps its text
  exactly).

Install atheris (3.0.0 has a CPython 3.11 x86_64 wheel; 3.1.0 does not install)
and run one target for a bounded time::

    pip install atheris==3.0.0
    python fuzz/fuzz_readers.py --list
    python fuzz/fuzz_readers.py html -max_total_time=60
    python fuzz/fuzz_readers.py warc -runs=20000 -artifact_prefix=/tmp/crashes/
    python fuzz/fuzz_readers.py feed my-corpus/          # seeds added, finds kept there
    python fuzz/fuzz_readers.py html crash-0123abcd      # replay one input

The seed corpus (a small HTML page, a WARC with two records, gzipped too, an
RSS and an Atom feed, a JSON Lines file, plain text in several encodings; all
fictional) is written to a fresh temporary directory, or added to the corpus
directory given. Other arguments go to libFuzzer; without ``-runs`` or
``-max_total_time`` a run stops after 60 seconds, and an input taking over
``-timeout`` (20 s by default) counts as a hang. A crash prints the traceback,
writes the input to ``crash-<sha1>`` (see ``-artifact_prefix``) and exits
non-zero; tests/test_fuzz.py runs every target this way.
"""

from __future__ import annotations

import codecs
import io
import json
import logging
import re
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

TARGETS = ("html", "warc", "feed", "jsonl", "text", "stdin")
DEFAULT_SECONDS = 60
DEFAULT_TIMEOUT = 20

# Packages whose Python code is instrumented for coverage feedback.
INSTRUMENTED = (
    "saidwhat",
    "trafilatura",
    "htmldate",
    "justext",
    "courlan",
    "feedparser",
    "warcio",
    "charset_normalizer",
)

# What a cleaned article text may not contain (see saidwhat.read.text.normalise_text).
_UNCLEAN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")

# --- the seed corpus (fictional outlets and people) ------------------------------------

PARAGRAPHS = (
    "“The new footbridge will open before the first snow,” said Ilse Varga, who chairs "
    "the Harwick council's works committee.",
    "Harbour master Tomas Berg told the Harwick Gazette that the ferry would keep its "
    "winter timetable until the pier repairs were finished.",
    "‘We listened to every objection,’ Varga added, ‘and changed the plan twice.’",
)
PAGE_URL = "https://harwick-gazette.example/news/footbridge"
FERRY_URL = "https://harwick-gazette.example/news/ferry"


def html_page(title: str, paragraphs: Iterable[str]) -> str:
    """A small news page with the navigation and footer real pages have."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title} | Harwick Gazette</title>"
        "<meta property='og:site_name' content='Harwick Gazette'>"
        "<meta property='article:published_time' content='2024-03-05'>"
        "</head><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article><h1>{title}</h1>\n{body}\n</article>"
        "<footer>© Harwick Gazette</footer></body></html>\n"
    )


def warc_bytes(*, gz: bool) -> bytes:
    """A WARC of two HTML responses (with a request record between them), built with warcio."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gz)
    pages = [
        (PAGE_URL, html_page("Footbridge to open", PARAGRAPHS[:2]), "response"),
        (FERRY_URL, "GET /news/ferry HTTP/1.1\r\nHost: harwick-gazette.example\r\n\r\n", "request"),
        (FERRY_URL, html_page("Ferry timetable", PARAGRAPHS[1:]), "response"),
    ]
    for number, (uri, body, kind) in enumerate(pages, start=1):
        http = None
        if kind == "response":
            http = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
        record = writer.create_warc_record(
            uri,
            kind,
            payload=io.BytesIO(body.encode("utf-8")),
            http_headers=http,
            warc_headers_dict={
                "WARC-Date": "2024-03-05T10:00:00Z",
                "WARC-Record-ID": f"<urn:uuid:00000000-0000-4000-8000-00000000000{number}>",
            },
        )
        writer.write_record(record)
    return out.getvalue()


RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Harwick Gazette</title><link>https://harwick-gazette.example/</link>
<item><title>Footbridge to open</title><link>{PAGE_URL}</link>
<guid>hg-footbridge</guid><pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate>
<description>{PARAGRAPHS[0].replace("'", "&apos;")}</description>
<content:encoded><![CDATA[{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}]]></content:encoded>
</item>
<item><title>Ferry timetable</title><link>{FERRY_URL}</link>
<description>&lt;p&gt;{PARAGRAPHS[1]}&lt;/p&gt;</description></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Dunmore Courier</title>
<id>urn:uuid:dunmore-courier</id><updated>2024-03-05T10:00:00Z</updated>
<entry><title>Pier repairs</title><id>urn:uuid:dc-pier</id>
<link href="https://dunmore-courier.example/pier"/><updated>2024-03-05T10:00:00Z</updated>
<content type="html">&lt;p&gt;“We will rebuild the pier,” said Orla Fenwick of the harbour
trust.&lt;/p&gt;</content></entry>
<entry><title>Market day</title><id>urn:uuid:dc-market</id><updated>2024-03-06T09:00:00Z</updated>
<summary type="text">Stallholder Edda Kvist said the market would move indoors.</summary></entry>
</feed>
"""


def jsonl_bytes() -> bytes:
    records: list[object] = [
        {"id": "hg-1", "text": PARAGRAPHS[0], "outlet": "Harwick Gazette", "url": PAGE_URL},
        {"text": PARAGRAPHS[1], "published": 20240305},
        ["not", "an", "object"],
        {"id": "hg-3", "text": PARAGRAPHS[2], "title": "Objections"},
    ]
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines.insert(2, "{not json")
    return ("\n".join(lines) + "\n").encode("utf-8")


def text_seeds() -> dict[str, bytes]:
    story = "Footbridge to open\n\n" + "\n\n".join(PARAGRAPHS) + "\n"
    return {
        "story-utf8.txt": story.encode("utf-8"),
        "story-bom.txt": codecs.BOM_UTF8 + story.replace("\n", "\r\n").encode("utf-8"),
        "story-utf16.txt": story.encode("utf-16"),
        "story-cp1252.txt": story.replace("’", "'").encode("cp1252", errors="replace"),
        "story-mixed.txt": story.encode("utf-8") + "“Café,” he said.\n".encode("cp1252"),
    }


def seeds(target: str) -> dict[str, bytes]:
    """File name → bytes of the seed inputs of one target."""
    page = html_page("Footbridge to open", PARAGRAPHS).encode("utf-8")
    common = {"empty": b"", "blank": b" \r\n\t\n"}
    by_target: dict[str, dict[str, bytes]] = {
        "html": {
            "page.html": page,
            "page-cp1252.html": page.decode("utf-8").encode("cp1252", errors="replace"),
            "fragment.html": b"<div><p>\xe2\x80\x9cShort,\xe2\x80\x9d she said.</p></div>",
        },
        "warc": {
            "two.warc": warc_bytes(gz=False),
            "two.warc.gz": warc_bytes(gz=True),
            "cut.warc.gz": warc_bytes(gz=True)[:-40],
        },
        "feed": {"feed.rss": RSS.encode("utf-8"), "feed.atom": ATOM.encode("utf-8")},
        "jsonl": {
            "articles.jsonl": jsonl_bytes(),
            "utf16.jsonl": jsonl_bytes().decode().encode("utf-16"),
        },
        "text": text_seeds(),
    }
    by_target["stdin"] = {
        "stdin.html": page,
        "stdin.jsonl": jsonl_bytes(),
        "stdin.txt": text_seeds()["story-utf8.txt"],
    }
    return {**by_target[target], **common}


def write_seeds(target: str, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in seeds(target).items():
        (directory / f"seed-{name}").write_bytes(data)
    return directory


def dictionary(target: str) -> list[bytes]:
    """Tokens libFuzzer splices into inputs (its -dict= file)."""
    markup = [b"<p>", b"</p>", b"<div>", b"<html>", b"<body>", b"<article>", b"<![CDATA[", b"]]>"]
    markup += [b"<!--", b"-->", b"&amp;", b"&#x201c;", b"<meta charset='", b"<script>"]
    quotes = ["“", "”", "‘", "’", "\ufeff"]
    by_target = {
        "html": markup,
        "stdin": [*markup, b'{"text": "', b'", "id": '],
        "warc": [
            b"WARC/1.0\r\n",
            b"WARC-Type: response\r\n",
            b"WARC-Type: resource\r\n",
            b"Content-Length: ",
            b"Content-Type: application/http; msgtype=response\r\n",
            b"WARC-Target-URI: https://",
            b"HTTP/1.1 200 OK\r\n",
            b"Content-Type: text/html; charset=",
            b"Transfer-Encoding: chunked\r\n",
            b"Content-Encoding: gzip\r\n",
            b"\r\n\r\n",
            b"\x1f\x8b\x08\x00",
        ],
        "feed": [
            *markup,
            b"<rss version='2.0'>",
            b"<item>",
            b"<entry>",
            b"<content type='html'>",
            b"<content:encoded>",
            b"<summary>",
            b"<link href='",
            b"<pubDate>",
            b'<?xml version="1.0" encoding="',
            b"<!DOCTYPE",
            b"<!ENTITY",
        ],
        "jsonl": [b'{"text": "', b'"id": ', b'"url": ', b"null", b"\\u201c", b"[", b"]", b"\n"],
        "text": [b"\x00", b"\r\n", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\x93", b"\x94"],
    }
    return by_target[target] + [q.encode("utf-8") for q in quotes]


def write_dictionary(target: str, path: Path) -> Path:
    lines = ['"' + "".join(f"\\x{b:02x}" for b in token) + '"' for token in dictionary(target)]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path


# --- the contract ----------------------------------------------------------------------


def check_records(records: Iterable[object], source: str, *, cleaned: bool = True) -> int:
    """Consume a reader's output and assert its contract; the number of records.

    Raises AssertionError on a broken contract; any other exception is a reader
    letting one escape.
    """
    from saidwhat.errors import BadRecord
    from saidwhat.model import Article

    count = 0
    for item in records:
        count += 1
        if isinstance(item, BadRecord):
            assert item.source == source, f"BadRecord names {item.source!r}, not {source!r}"
            assert isinstance(item.reason, str) and item.reason.strip(), repr(item.reason)
            continue
        assert isinstance(item, Article), f"reader yielded {type(item).__name__}"
        assert isinstance(item.text, str), f"article text is {type(item.text).__name__}"
        assert item.text.strip(), "article with blank text"
        assert isinstance(item.id, str) and item.id, f"article id {item.id!r}"
        if cleaned:
            bad = _UNCLEAN.search(item.text)
            assert bad is None, f"control character {bad.group()!r} in the text"
    return count


Target = Callable[[bytes], None]

_SUFFIXES = {"html": ".html", "warc": ".warc", "feed": ".xml", "jsonl": ".jsonl", "text": ".txt"}


def make_target(target: str, workdir: Path) -> Target:
    """The function run on each input: ``data`` through one reader, contract checked."""
    from saidwhat.read import _first_character, read_path, read_stdin

    if target == "stdin":

        def one_stdin(data: bytes) -> None:
            # Sniffed as read_stdin does: JSON Lines keeps its text as given, the rest is cleaned.
            cleaned = _first_character(data) != "{"
            check_records(read_stdin(io.BytesIO(data)), "-", cleaned=cleaned)

        return one_stdin

    path = workdir / f"input{_SUFFIXES[target]}"
    source = str(path)
    cleaned = target != "jsonl"

    def one_file(data: bytes) -> None:
        path.write_bytes(data)
        check_records(read_path(path), source, cleaned=cleaned)

    return one_file


def quiet_libraries() -> None:
    """Silence the warnings and log lines parsers emit for every broken input (speed)."""
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")


# --- command line ----------------------------------------------------------------------


def _has_flag(args: list[str], *names: str) -> bool:
    return any(arg.startswith(f"-{name}=") for arg in args for name in names)


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) >= 2 else 2
    if argv[1] == "--list":
        print("\n".join(TARGETS))
        return 0
    target, rest = argv[1], argv[2:]
    if target not in TARGETS:
        print(f"unknown target {target!r}; targets: {', '.join(TARGETS)}", file=sys.stderr)
        return 2

    import atheris  # imported here: the seeds and the contract work without it

    with atheris.instrument_imports(include=list(INSTRUMENTED)):
        import saidwhat.read  # noqa: F401  (instrumented for coverage)
    quiet_libraries()

    workdir = Path(tempfile.mkdtemp(prefix=f"fuzz-{target}-"))
    flags = [a for a in rest if a.startswith("-")]
    paths = [a for a in rest if not a.startswith("-")]
    replaying = any(Path(p).is_file() for p in paths)
    if not replaying:
        if not paths:
            paths = [str(workdir / "corpus")]
        write_seeds(target, Path(paths[0]))
        if not _has_flag(flags, "runs", "max_total_time"):
            flags.append(f"-max_total_time={DEFAULT_SECONDS}")
        if not _has_flag(flags, "dict"):
            flags.append(f"-dict={write_dictionary(target, workdir / f'{target}.dict')}")
    if not _has_flag(flags, "timeout"):
        flags.append(f"-timeout={DEFAULT_TIMEOUT}")

    one_input = make_target(target, workdir)
    atheris.Setup([argv[0], *flags, *paths], one_input)
    atheris.Fuzz()
    return 0  # not reached: libFuzzer exits the process


if __name__ == "__main__":
    sys.exit(main(sys.argv))
