"""The copy guard (digest/copyguard.py) on a word-level toy vocabulary: one token a word, with
its leading space, as real tokenizers split news text. The real models are driven with it in
tests/test_generate.py and tests/test_end_to_end.py."""

import re

from digest.copyguard import CopyGuard

SOURCE = ' The city council approved the new budget on Tuesday after Mayor Ana Ruiz said "we need the money now" to reporters.'


def vocab(text: str) -> list[str]:
    return re.findall(r" ?\S+", text)


PIECES = vocab(SOURCE) + vocab(" the council voted for a plan")
IDS: dict[str, int] = {}
for piece in PIECES:
    IDS.setdefault(piece, len(IDS))
TEXT = {i: p for p, i in IDS.items()}


def ids(text: str) -> list[int]:
    return [IDS[p] for p in vocab(text)]


def guard(span=4):  # (the default span is longer; 4 keeps the cases short)
    return CopyGuard(ids(SOURCE), TEXT.__getitem__, span=span)


def test_a_short_run_of_source_words_is_free():
    # two words copied: the third may still follow the source
    assert guard().penalised(ids(" The city")) == []


def test_a_run_of_span_minus_one_words_is_pushed_off_the_source():
    # "The city council" copied: the source's next word "approved" is pushed back
    assert guard().penalised(ids(" The city council")) == [IDS[" approved"]]
    assert guard().penalised(ids(" council approved the")) == [IDS[" new"]]


def test_words_not_copied_from_the_source_are_never_pushed_back():
    assert guard().penalised(ids(" the council voted")) == []


def test_names_and_figures_are_exempt():
    # after "after Mayor Ana" the source goes on with "Ruiz": a name, copied as it is
    assert guard().penalised(ids(" Tuesday after Mayor Ana")) == []
    assert guard(span=3).penalised(ids(" after Mayor")) == []


def test_quotations_are_exempt():
    # inside an open quotation the source's words are the speaker's: copied exactly
    assert guard().penalised(ids(' said "we need the')) == []
    # closed again: the guard is back
    assert guard().penalised(ids(' said "we need the money now" to')) == [IDS[" reporters."]]


def test_the_same_reply_is_pushed_back_the_same_way():
    a, b = guard(), guard()
    assert a.penalised(ids(" The city council")) == b.penalised(ids(" The city council"))


def test_the_reply_cannot_loop_on_its_own_words():
    # " the council voted for a plan" is not in the source; written once, then begun again,
    # its next word is pushed back: no loop of the model's own sentences
    g = guard()
    assert g.penalised(ids(" the council voted for a plan the council voted")) == [IDS[" for"]]


def test_the_push_grows_with_the_run_so_a_whole_sentence_cannot_be_copied():
    # span 4: three words copied cost the fourth the base penalty; each word the run has
    # beyond them adds `growth` ("The city council approved the new" is six words)
    g = CopyGuard(ids(SOURCE), TEXT.__getitem__, span=4, penalty=4.0, growth=1.0)
    assert g.penalties(ids(" The city council")) == {IDS[" approved"]: 4.0}
    assert g.penalties(ids(" The city council approved")) == {IDS[" the"]: 5.0}
    assert g.penalties(ids(" The city council approved the new")) == {IDS[" budget"]: 7.0}
    # the run counts from where the copying began: the same words after a word of its own
    assert g.penalties(ids(" the council approved the new")) == {IDS[" budget"]: 5.0}


def test_a_flat_penalty_without_growth():
    g = CopyGuard(ids(SOURCE), TEXT.__getitem__, span=4, penalty=4.0, growth=0.0)
    assert g.penalties(ids(" The city council approved the new")) == {IDS[" budget"]: 4.0}
