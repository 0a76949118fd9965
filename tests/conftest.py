"""Fixtures many test files share."""

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "inbox"


@pytest.fixture(scope="session")
def embedder():
    """The real default embedder (all-MiniLM-L6-v2 on torch), loaded once for the session; a
    test file that needs another defines its own `embedder`."""
    from digest.embed import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def samples():
    """The sample articles (samples/inbox) as the pipeline embeds them, and all their
    sentences."""
    from digest import ingest
    from digest.cluster import embedding_text
    from digest.sentences import split_sentences

    leads, sentences = [], []
    for path in sorted(SAMPLES.iterdir()):
        for article in ingest.read_file(path, path.read_bytes(), display_path=path.name):
            leads.append(embedding_text(article.title, article.text))
            sentences += split_sentences(article.text)
    assert len(leads) >= 7 and len(sentences) >= 60
    return leads, sentences
