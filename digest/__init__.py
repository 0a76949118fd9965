"""digest: an offline news-digest summarizer."""

__version__ = "0.1.0"
