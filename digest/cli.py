"""Command line: a thin dispatcher. Heavy modules are imported only by the commands that need
them, so `digest --help` answers at once."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from pathlib import Path

from . import __version__
from .errors import DigestError


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    _logging(args.verbose)
    try:
        return args.func(args)
    except DigestError as e:
        if args.verbose:
            logging.getLogger("digest").exception("details")
        print(f"digest: {e}", file=sys.stderr)
        return e.exit_code
    except OSError as e:  # a folder that cannot be created, read or written: the user can fix it
        if args.verbose:
            logging.getLogger("digest").exception("details")
        where = f": {e.filename}" if e.filename else ""
        print(
            f"digest: {e.strerror or e}{where}; check that the path exists and that you may "
            "read and write there (-v shows details)",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print("digest: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="digest",
        description="Offline news digest: article files in inbox/, one cited brief per story "
        "in outbox/.",
    )
    p.add_argument("--version", action="version", version=f"digest {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run", help="read the inbox once and write the briefs of new or changed stories"
    )
    _folder_flags(run)
    _engine_flags(run)
    run.set_defaults(func=cmd_run)

    watch = sub.add_parser(
        "watch", help="run as a service: scan the inbox every interval and keep briefs current"
    )
    _folder_flags(watch)
    _engine_flags(watch)
    watch.add_argument(
        "--interval",
        type=float,
        metavar="SECONDS",
        help="seconds between scans (overrides the config)",
    )
    watch.set_defaults(func=cmd_watch)

    ev = sub.add_parser(
        "eval",
        help="run the pipeline on Multi-News-format clusters and score clustering, ROUGE and checks",
    )
    ev.add_argument("data", type=Path, help="a .jsonl file of clusters (documents + summary)")
    ev.add_argument("--limit", type=int, metavar="N", help="only the first N clusters")
    ev.add_argument("--words", type=int, metavar="N", help="brief length in words")
    ev.add_argument("--json", action="store_true", help="machine-readable output")
    ev.add_argument("--keep", type=Path, metavar="DIR", help="keep inbox/outbox/state in DIR")
    ev.add_argument("--config", type=Path, help="config file (default: ./config.toml if present)")
    ev.add_argument("-v", "--verbose", action="store_true", help="show progress and tracebacks")
    ev.set_defaults(func=cmd_eval)

    status = sub.add_parser(
        "status", help="show waiting inbox files, stories, briefs, failures and the last run"
    )
    _folder_flags(status)
    status.set_defaults(func=cmd_status)

    prep = sub.add_parser(
        "prepare",
        help="assemble and convert the summarizer model and the embedder once under models/",
    )
    prep.add_argument(
        "names",
        nargs="*",
        help="models to prepare (default: the configured summarizer and the fast engine of the "
        "configured embedder: multilingual-e5-small-int8 and all-minilm-l6-v2-int8, the brief "
        "writer's for English stories; or all-minilm-l6-v2-int8 alone)",
    )
    prep.add_argument("--config", type=Path, help="config file (default: ./config.toml if present)")
    prep.add_argument("-v", "--verbose", action="store_true", help="show progress and tracebacks")
    prep.set_defaults(func=cmd_prepare)
    return p


def _folder_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, help="config file (default: ./config.toml if present)")
    p.add_argument("--inbox", type=Path, help="folder of article files (overrides the config)")
    p.add_argument("--outbox", type=Path, help="folder for the briefs (overrides the config)")
    p.add_argument("--state", type=Path, help="folder for the database (overrides the config)")
    p.add_argument("-v", "--verbose", action="store_true", help="show progress and tracebacks")


def _engine_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--engine",
        choices=("local", "ray"),
        help="where reading, embedding and briefs run: here, or on a Ray cluster (overrides "
        "[engine] kind; ray needs `pip install 'digest[ray]'`)",
    )
    p.add_argument(
        "--ray-address",
        metavar="ADDR",
        help='the Ray head, host:port, "auto" or "local" (overrides [engine] address; '
        "implies --engine ray)",
    )


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s" if verbose else "%(message)s",
        stream=sys.stderr,
    )
    if not verbose:
        # Libraries are chatty at WARNING about things users cannot act on.
        for name in ("transformers", "sentence_transformers", "trafilatura", "htmldate"):
            logging.getLogger(name).setLevel(logging.ERROR)


def _config(args: argparse.Namespace):
    from . import config

    path = args.config
    if path is None and Path("config.toml").is_file():
        path = Path("config.toml")
    cfg = config.load(path)
    kind, address = getattr(args, "engine", None), getattr(args, "ray_address", None)
    if kind or address:
        import dataclasses

        engine = dataclasses.replace(
            cfg.engine, kind=kind or "ray", address=address or cfg.engine.address
        )
        cfg = dataclasses.replace(cfg, engine=engine)
    return cfg.with_paths(
        inbox=getattr(args, "inbox", None),
        outbox=getattr(args, "outbox", None),
        state=getattr(args, "state", None),
    )


def _progress():
    """Progress bars for the long stages when stderr is a terminal; None elsewhere (a log file,
    cron), where the stages' log lines show that the run is alive."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    units = {"Reading": "file", "Embedding": "batch", "Summarizing": "story"}

    def bars(items, stage):
        if not items:  # a watch scan with nothing to do draws nothing
            return items
        return tqdm(
            items,
            desc=stage,
            unit=units.get(stage, "it"),
            leave=False,
            file=sys.stderr,
            dynamic_ncols=True,
        )

    return bars


def _bars_and_logs(progress):
    """Log lines printed above the bars rather than through them."""
    if progress is None:
        return contextlib.nullcontext()
    from tqdm.contrib.logging import logging_redirect_tqdm

    return logging_redirect_tqdm()


def _check_models(cfg) -> None:
    """A bad [summarizer] model or [embedder] backend fails at once, not after minutes of
    reading and embedding."""
    from .embed import check_backend
    from .prepare import model_folder

    model_folder(cfg.summarizer.model, cfg.paths.models)
    check_backend(cfg.embedder, cfg.paths.models)


def cmd_run(args: argparse.Namespace) -> int:
    from .pipeline import Pipeline

    cfg = _config(args)
    if cfg.paths.inbox.is_dir():  # a missing inbox is reported first, by the pipeline
        _check_models(cfg)
    progress = _progress()
    if progress is None:
        logging.getLogger("digest").setLevel(logging.INFO)  # plain stage lines instead of bars
    with _bars_and_logs(progress):
        report = Pipeline(cfg, progress=progress).run()
    out = sys.stdout
    stories = report.stories_created + report.stories_updated
    print(
        f"Read {report.files_seen} file(s): {report.articles_new} new article(s)"
        + (f", {report.files_known} already read" if report.files_known else "")
        + (f", {report.articles_repeated} repeated" if report.articles_repeated else "")
        + (
            f", {report.articles_copies} near-duplicate(s) of earlier articles (listed, counted once)"
            if report.articles_copies
            else ""
        )
        + ".",
        file=out,
    )
    print(
        f"Stories: {report.stories_created} new, {report.stories_updated} updated"
        f" ({stories} touched). Briefs written: {len(report.briefs_written)}.",
        file=out,
    )
    for path in report.briefs_written:
        print(f"  {path}", file=out)
    if report.failures:
        print(f"Set aside {len(report.failures)} file(s), left in the inbox:", file=out)
        for f in report.failures:
            print(f"  {f.path}: {f.reason}", file=out)
    for note in report.notes:  # e.g. a file removed while the run looked at it
        print(f"Note: {note}", file=out)
    print(f"Briefs are in {report.outbox}", file=out)
    page = report.outbox / "index.html"
    if page.is_file():
        print(f"Digest page: {page} (feed: {page.with_name('feed.xml')})", file=out)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from . import status

    cfg = _config(args)
    for line in status.lines(status.gather(cfg)):
        print(line)
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from .pipeline import Pipeline
    from .service import Watcher

    cfg = _config(args)
    if args.interval is not None and not 0.2 <= args.interval <= 86400:
        from .errors import ConfigError

        raise ConfigError(
            f"--interval must be between 0.2 and 86400 seconds, got {args.interval:g}"
        )
    # A scan longer than the interval makes APScheduler warn at every skipped run; skipping
    # (and coalescing) is what we asked for, so only its errors are worth showing.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    # The service's scan lines are its output: show them, with times, even without -v.
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    root = logging.getLogger("digest")
    root.setLevel(logging.INFO)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(fmt)
        handler.setLevel(logging.INFO)
    if cfg.service.log_file:
        path = cfg.paths.state / cfg.service.log_file
        path.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.FileHandler(path, encoding="utf-8")
        file_handler.setFormatter(fmt)
        root.addHandler(file_handler)
    progress = _progress()
    with _bars_and_logs(progress):
        return Watcher(cfg, Pipeline(cfg, progress=progress)).serve(args.interval)


def cmd_eval(args: argparse.Namespace) -> int:
    import json
    import tempfile

    from .errors import DigestError
    from .evaluate import evaluate, format_report

    if not args.data.is_file():
        raise DigestError(f"no data file at {args.data}")
    cfg = _config(args)
    with tempfile.TemporaryDirectory(prefix="digest-eval-") as tmp:
        workdir = args.keep or Path(tmp)
        result = evaluate(
            args.data, config=cfg, limit=args.limit, words=args.words, workdir=workdir
        )
    print(json.dumps(result, indent=2) if args.json else format_report(result))
    return 0


def cmd_prepare(args: argparse.Namespace) -> int:
    from . import prepare
    from .embed import E5, E5_ONNX, PACKAGED_MINILM

    cfg = _config(args)
    names = args.names or [cfg.summarizer.model]
    e = cfg.embedder
    if not args.names and e.backend != "sentence-transformers" and e.model == PACKAGED_MINILM:
        names.append(prepare.EMBEDDER)  # the fast embedder that backend "auto" takes
    if not args.names and e.model == E5:
        names.append(E5_ONNX)  # multilingual-e5-small's fast engine
        if e.backend != "sentence-transformers":
            names.append(prepare.EMBEDDER)  # the brief writer's, for English stories
    for name in names:
        folder = prepare.prepare(name, cfg.paths.models)
        print(f"{name}: ready in {folder}")
    return 0
