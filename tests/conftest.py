"""Fixtures many test files share."""

import pytest


@pytest.fixture(scope="session")
def embedder():
    """The real default embedder (all-MiniLM-L6-v2 on torch), loaded once for the session; a
    test file that needs another defines its own `embedder`."""
    from digest.embed import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()
