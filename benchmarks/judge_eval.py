"""Can the summarizer itself tell a supported brief sentence from an unsupported one?

    .venv/bin/python benchmarks/judge_eval.py --cases /tmp/cases.json

--cases: a JSON list of [label, sentence, evidence sentences], label "ok" or "bad", labelled
by hand from briefs of Multi-News train (kept outside the repository: the sentences are
derived from licensed articles). Each sentence is put to the model with its evidence in two
wordings of a yes/no question; the first written token's Yes/No probabilities give P(yes).
Prints P(yes) per case, then at several thresholds how many bad and ok sentences would be
flagged. Measured in docs/faithfulness.md: too weak to gate sentences.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
GGUF = ROOT / "models" / "qwen2.5-coder-1.5b-instruct.gguf"
QUESTIONS = {
    "a": "Reports:\n{reports}\n\nSentence: {sentence}\n\nIs every claim of the sentence stated "
    "in the reports, with the same people doing the same things? Answer Yes or No.",
    "b": "Source text:\n{reports}\n\nClaim: {sentence}\n\nDoes the source text support the "
    "claim? A claim that changes who did what, adds a detail, or reverses a fact is not "
    "supported. Answer Yes or No.",
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=Path, required=True)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    from llama_cpp import Llama

    llm = Llama(model_path=str(GGUF), n_ctx=2048, n_threads=args.threads, verbose=False, seed=0)
    yes = [llm.tokenize(w.encode(), add_bos=False)[0] for w in ("Yes", " Yes", "yes")]
    no = [llm.tokenize(w.encode(), add_bos=False)[0] for w in ("No", " No", "no")]

    def p_yes(question: str) -> float:
        chat = (
            "<|im_start|>system\nYou are a careful fact checker of news briefs.<|im_end|>\n"
            f"<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"
        )
        llm.reset()
        llm.eval(llm.tokenize(chat.encode(), add_bos=False, special=True))
        logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),)).copy()
        top = float(logits.max())
        y = sum(math.exp(logits[i] - top) for i in yes)
        n = sum(math.exp(logits[i] - top) for i in no)
        return y / (y + n)

    cases = json.loads(args.cases.read_text())
    for name, question in QUESTIONS.items():
        started = time.perf_counter()
        scored = []
        for label, sentence, evidence in cases:
            reports = "\n".join(f"- {e}" for e in evidence)
            p = p_yes(question.format(reports=reports, sentence=sentence))
            scored.append((label, p))
            print(f"{name} {label:3} P(yes) {p:.2f}  {sentence[:90]}", flush=True)
        per = (time.perf_counter() - started) / max(1, len(cases))
        print(f"question {name}: {per:.1f} s per sentence")
        bad = sum(label == "bad" for label, _ in scored)
        for threshold in (0.3, 0.5, 0.7, 0.9):
            caught = sum(label == "bad" and p < threshold for label, p in scored)
            alarms = sum(label == "ok" and p < threshold for label, p in scored)
            print(f"  flag below {threshold}: bad {caught}/{bad}, ok {alarms}/{len(scored) - bad}")
    sys.exit(0)


if __name__ == "__main__":
    main()
