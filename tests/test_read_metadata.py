"""An article's metadata from front matter, a sidecar .json and the run; counting the inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from saidwhat.errors import BadRecord
from saidwhat.model import Article
from saidwhat.read import count_records, read_inputs
from saidwhat.read.metadata import with_run_metadata

STORY = (
    "The Ostrava Lane footbridge will reopen in May, the council said on Monday.\n\n"
    "“We have replaced every plank,” said Mira Kostelnik, the works manager.\n"
)
FRONT = (
    "---\n"
    "title: Ostrava Lane footbridge to reopen in May\n"
    "outlet: Harwick Courier\n"
    "published: 2026-03-02\n"
    "url: https://courier.example/footbridge\n"
    "section: Local\n"
    "tags: [bridges, council]\n"
    "---\n"
)


def _one(path: Path) -> Article:
    records = list(read_inputs([str(path)]))
    assert len(records) == 1 and isinstance(records[0], Article), records
    return records[0]


def test_front_matter_gives_title_outlet_date_and_url(tmp_path: Path) -> None:
    path = tmp_path / "footbridge.txt"
    path.write_text(FRONT + STORY, encoding="utf-8")
    article = _one(path)
    assert article.title == "Ostrava Lane footbridge to reopen in May"
    assert article.outlet == "Harwick Courier"
    assert article.published == "2026-03-02"  # a YAML date, back as its ISO text
    assert article.url == "https://courier.example/footbridge"
    assert article.extra == {"section": "Local", "tags": ["bridges", "council"]}
    # The block is not part of the text: offsets index the article itself.
    assert article.text == STORY.strip()
    assert article.text.startswith("The Ostrava Lane")


def test_date_key_is_read_as_published_and_id_is_the_stem(tmp_path: Path) -> None:
    path = tmp_path / "pier.txt"
    path.write_text("---\ndate: 2025-11-30T08:15:00\n---\n" + STORY, encoding="utf-8")
    article = _one(path)
    assert article.published == "2025-11-30T08:15:00"
    assert article.id == "pier"
    assert article.title is None  # the first line is a sentence, not a headline


def test_text_without_front_matter_keeps_its_dashes(tmp_path: Path) -> None:
    text = "Council votes on the pier\n---\nThe vote is on Tuesday, a spokesman said.\n"
    path = tmp_path / "pier.txt"
    path.write_text(text, encoding="utf-8")
    article = _one(path)
    assert article.text == text.strip()
    assert article.title == "Council votes on the pier"


@pytest.mark.parametrize(
    ("block", "reason"),
    [
        ("---\ntitle: [unclosed\n---\n", "front matter is not valid YAML"),
        ("---\n- one\n- two\n---\n", "front matter is not a mapping of keys (got array)"),
        ("---\ntitle: {a: 1}\n---\n", "front matter: 'title' is not a string (got object)"),
        ("---\ntitle: Only a title\n---\n\n", "no text after the front matter"),
    ],
)
def test_bad_front_matter_is_a_bad_record_naming_the_file(
    tmp_path: Path, block: str, reason: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(block + ("" if "Only" in block else STORY), encoding="utf-8")
    records = list(read_inputs([str(path)]))
    assert len(records) == 1 and isinstance(records[0], BadRecord)
    assert records[0].source == str(path)
    assert records[0].reason.startswith(reason)


def test_sidecar_json_gives_the_metadata_and_wins_over_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "footbridge.txt"
    path.write_text(FRONT + STORY, encoding="utf-8")
    (tmp_path / "footbridge.json").write_text(
        json.dumps({"outlet": "Dunmore Evening Post", "published": 2026, "byline": "R. Oduya"}),
        encoding="utf-8",
    )
    article = _one(path)
    assert article.outlet == "Dunmore Evening Post"
    assert article.published == "2026"
    assert article.title == "Ostrava Lane footbridge to reopen in May"  # from front matter
    assert article.extra["byline"] == "R. Oduya"


def test_sidecar_of_an_html_page(tmp_path: Path) -> None:
    page = tmp_path / "pier.html"
    page.write_text(
        "<html><body><article><p>" + STORY.replace("\n", " ") + "</p></article></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "pier.json").write_text('{"outlet": "Harwick Courier"}', encoding="utf-8")
    assert _one(page).outlet == "Harwick Courier"


def test_bad_sidecar_is_counted_and_the_article_still_read(tmp_path: Path) -> None:
    path = tmp_path / "footbridge.txt"
    path.write_text(STORY, encoding="utf-8")
    (tmp_path / "footbridge.json").write_text("{not json", encoding="utf-8")
    records = list(read_inputs([str(tmp_path)]))
    bad = [r for r in records if isinstance(r, BadRecord)]
    articles = [r for r in records if isinstance(r, Article)]
    assert len(bad) == 1 and bad[0].source == str(tmp_path / "footbridge.json")
    assert bad[0].reason.startswith("sidecar is not valid JSON")
    assert len(articles) == 1 and articles[0].outlet is None


def test_run_metadata_is_set_over_the_inputs_own() -> None:
    records: list[Article | BadRecord] = [
        Article(id="a", text=STORY, outlet="Harwick Courier"),
        BadRecord("b.txt", "empty file"),
    ]
    out = list(with_run_metadata(records, outlet="Dunmore Evening Post", published="2026-01-05"))
    assert isinstance(out[0], Article)
    assert (out[0].outlet, out[0].published) == ("Dunmore Evening Post", "2026-01-05")
    assert out[1] == records[1]
    kept = list(with_run_metadata(records[:1], outlet=None, published=None))
    assert kept == records[:1]


def test_count_records_counts_files_and_json_lines(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "b.html").write_text("<p>x</p>", encoding="utf-8")
    (tmp_path / "c.jsonl").write_text('{"text": "x"}\n\n{"text": "y"}\nnot json\n', "utf-8")
    (tmp_path / "a.json").write_text("{}", encoding="utf-8")  # a sidecar is no record
    folder_count = count_records([str(tmp_path)])
    assert folder_count == 1 + 1 + 3
    assert count_records([str(tmp_path / "a.txt"), str(tmp_path / "missing.txt")]) == 2
    # Counted records are the records read: the bar ends at its total.
    assert folder_count == len(list(read_inputs([str(tmp_path)])))


def test_count_records_is_none_when_only_reading_tells(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "crawl.warc").write_bytes(b"")
    assert count_records([str(tmp_path)]) is None
    assert count_records(["-"]) is None
    assert count_records(["https://news.example/feed.xml"]) is None
