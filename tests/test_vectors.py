"""digest/backends/vectors.py, the batching the packaged multilingual embedders share (their
real models run in tests/test_languages.py)."""

import numpy as np

from digest.backends.vectors import embed_in_batches, unit_rows


def test_texts_go_in_batches_in_order_and_come_back_at_unit_length():
    seen = []

    def encode(batch):
        seen.append(list(batch))
        return [[float(len(t)), 0.0, 1.0] for t in batch]

    out = embed_in_batches(encode, ["a", "bb", "ccc", "dddd", "eeeee"], 2)
    assert seen == [["a", "bb"], ["ccc", "dddd"], ["eeeee"]]
    assert out.dtype == np.float32 and out.shape == (5, 3)
    expected = [[n / np.hypot(n, 1), 0.0, 1 / np.hypot(n, 1)] for n in range(1, 6)]
    np.testing.assert_allclose(out, expected, rtol=1e-6)


def test_a_flat_vector_for_a_batch_of_one_is_one_row():
    out = embed_in_batches(lambda batch: [3.0, 4.0], ["only"], 8)
    np.testing.assert_allclose(out, [[0.6, 0.8]], rtol=1e-6)


def test_a_zero_row_stays_zero():
    out = unit_rows(np.array([[0.0, 0.0], [0.0, 2.0]], dtype=np.float64))
    assert out.dtype == np.float32 and out.tolist() == [[0.0, 0.0], [0.0, 1.0]]
