"""The Ray engine through the real CLI, on a real local Ray cluster (issue 16).

One cluster of three nodes (num_cpus=1 each, started like Ray's own tests do, with
ray.cluster_utils.Cluster) is shared by the module; the tiny SmolLM2 model writes the briefs.
The local engine's run on the same inbox is the reference: the Ray engine must write the same
stories and the same briefs, also when a worker dies mid-run.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import service_process as service
from tests.articles import MARINA_1, MARINA_3, STORM
from tests.helpers import MODELS, ROOT, needs_smol

ray = pytest.importorskip("ray", reason="the Ray tests need the [ray] extra (make setup)")
from ray.cluster_utils import Cluster  # noqa: E402

pytestmark = [pytest.mark.slow, needs_smol]

# invented for these tests: six stories with nothing in common
ARTICLES = {
    "marina.txt": MARINA_1,
    "marina-objections.md": MARINA_3,
    "storm.txt": STORM,
    "library.txt": """Ferncliff library reopens after roof repair

The public library in Ferncliff reopened on Thursday after eight months of repairs to its roof.
The town spent 2.4 million on new beams and tiles, the librarian Otto Brenn said.
Opening hours are extended to 9 pm on weekdays until the end of the year.
""",
    "orchard.txt": """Late frost cuts Vessby apple harvest by a third

Growers in Vessby expect a third fewer apples this autumn after a late frost in April.
The growers' union said 140 orchards lost most of their blossom in two cold nights.
Cider makers in the valley plan to buy fruit from neighbouring regions.
""",
    "chess.txt": """Teenager wins Norrhaven chess open

Sixteen-year-old Lina Maro won the Norrhaven chess open on Sunday with seven points from nine games.
She beat the top seed in the final round after a five-hour game.
The win earns her a place in the national championship in March.
""",
    "ferry.txt": """New electric ferry enters service on the Skell crossing

An electric ferry began carrying passengers across the Skell estuary on Monday.
The vessel carries 200 people and charges its batteries in twelve minutes at each landing.
The operator said it will replace two diesel ferries by the summer.
""",
}


def write_inbox(tmp: Path, address: str | None) -> Path:
    (tmp / "inbox").mkdir(parents=True)
    for name, text in ARTICLES.items():
        (tmp / "inbox" / name).write_text(text)
    engine = f'[engine]\nkind = "ray"\naddress = "{address}"\n' if address else ""
    # one thread per model everywhere: the same arithmetic in every process, so greedy
    # decoding writes the same words on the driver and on the workers
    (tmp / "config.toml").write_text(
        f'[paths]\nmodels = "{MODELS}"\n'
        '[summarizer]\nmodel = "smollm2-135m-instruct"\nbrief_words = 40\nmax_new_tokens = 80\n'
        "threads = 1\n[embedder]\nthreads = 1\n" + engine
    )
    return tmp


def digest_cmd(tmp: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "digest", "run", "--config", str(tmp / "config.toml"), *args]


def env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")


def run(tmp: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        digest_cmd(tmp, *args), cwd=tmp, capture_output=True, text=True, timeout=timeout, env=env()
    )


def briefs(tmp: Path) -> dict[str, dict]:
    """Each brief's JSON twin, without the times it was written."""
    out = {}
    for path in sorted((tmp / "outbox").glob("*.json")):
        data = json.loads(path.read_text())
        data.pop("updated")
        data["history"] = [h["version"] for h in data["history"]]
        out[path.name] = data
    return out


def stories(tmp: Path) -> dict[str, list[str]]:
    """Story id -> the paths of its articles, from the database."""
    db = sqlite3.connect(tmp / "state" / "digest.db")
    try:
        rows = db.execute("SELECT story_id, path FROM articles ORDER BY path").fetchall()
        versions = db.execute("SELECT story_id, version, dirty FROM stories").fetchall()
        stored = db.execute("SELECT story_id, version FROM briefs").fetchall()
    finally:
        db.close()
    # every story briefed once, at version 1, and nothing left to do
    assert sorted(versions) == sorted((s, 1, 0) for s, _ in stored), (versions, stored)
    assert len(stored) == len({s for s, _ in stored})
    out: dict[str, list[str]] = {}
    for story, path in rows:
        out.setdefault(story, []).append(path)
    return out


@pytest.fixture(scope="module")
def cluster():
    c = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    try:
        for _ in range(2):
            c.add_node(num_cpus=1)
        c.wait_for_nodes()
        yield c
    finally:
        c.shutdown()


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """The local engine's outbox and stories: the reference."""
    tmp = write_inbox(tmp_path_factory.mktemp("local"), None)
    proc = run(tmp)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = briefs(tmp)
    assert len(found) == 6, sorted(found)  # one per story: the two marina reports are one
    return found, stories(tmp)


def test_the_ray_engine_writes_the_same_stories_and_briefs_as_the_local_one(
    tmp_path, cluster, local
):
    tmp = write_inbox(tmp_path, cluster.address)
    proc = run(tmp, "--engine", "ray")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Engine - 3 model workers" in proc.stderr  # one per node's CPU
    assert briefs(tmp) == local[0]
    assert stories(tmp) == local[1]


def _brief_workers(raylet: int | None = None, title: str = "ModelWorker.briefs") -> list[int]:
    """Pids of the model actors writing a brief now (their process title says so; `title`
    "ray::ModelWorker": busy or not); with `raylet`, only those of that node."""
    ps = subprocess.run(["ps", "-eo", "pid=,ppid=,args="], capture_output=True, text=True)
    found = []
    for line in ps.stdout.splitlines():
        pid, ppid, args = line.split(None, 2)
        if title in args and (raylet is None or int(ppid) == raylet):
            found.append(int(pid))
    return found


def _run_with_fault(tmp: Path, fault) -> subprocess.CompletedProcess:
    """Start `digest run --engine ray`, call `fault()` until it reports it struck (a worker is
    writing a brief), and let the run finish."""
    log = tmp / "stderr.log"
    with open(log, "w") as err:
        proc = subprocess.Popen(
            digest_cmd(tmp, "--engine", "ray"), cwd=tmp, stdout=subprocess.PIPE, stderr=err,
            text=True, env=env(),
        )  # fmt: skip
        deadline = time.monotonic() + 900
        try:
            struck = False
            while not struck and proc.poll() is None and time.monotonic() < deadline:
                struck = fault()
                time.sleep(0.2)
            assert struck, "no worker was ever seen writing a brief:\n" + log.read_text()[-3000:]
            out, _ = proc.communicate(timeout=max(1, deadline - time.monotonic()))
        finally:
            if proc.poll() is None:
                proc.kill()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, log.read_text())


def test_a_worker_killed_mid_brief_has_its_story_written_by_another(tmp_path, cluster, local):
    tmp = write_inbox(tmp_path, cluster.address)
    killed: list[int] = []

    def kill_one() -> bool:
        pids = _brief_workers()
        if pids:
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])
        return bool(pids)

    proc = _run_with_fault(tmp, kill_one)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert killed and "a Ray worker died" in proc.stderr, proc.stderr[-3000:]
    # every article once, every story briefed once: the same outbox as without the fault
    assert stories(tmp) == local[1]
    assert briefs(tmp) == local[0]
    assert proc.stdout.count(".md\n") == 6  # six briefs listed, each once


def test_a_node_removed_mid_run_leaves_its_work_to_the_others(tmp_path, cluster, local):
    tmp = write_inbox(tmp_path, cluster.address)
    node = cluster.list_all_nodes()[-1]  # not the head: the driver talks to it
    raylet = node.all_processes["raylet"][0].process.pid

    def remove_node() -> bool:
        if not _brief_workers(raylet):
            return False
        cluster.remove_node(node)
        return True

    try:
        proc = _run_with_fault(tmp, remove_node)
    finally:
        if node in cluster.list_all_nodes():
            cluster.remove_node(node)
        cluster.add_node(num_cpus=1)  # three nodes again for any later test
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "a Ray worker died" in proc.stderr, proc.stderr[-3000:]
    assert stories(tmp) == local[1]
    assert briefs(tmp) == local[0]


def _job_processes(job: str) -> list[int]:
    """Pids of the processes Ray started for the job `job` (its workers carry RAY_JOB_ID)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            env = (proc / "environ").read_bytes().split(b"\0")
        except OSError:  # not a process, gone, or not ours
            continue
        if f"RAY_JOB_ID={job}".encode() in env:
            found.append(int(proc.name))
    return found


def _model_worker_job() -> str | None:
    """The job of a model actor running now (None while there is none)."""
    for pid in _brief_workers(title="ray::ModelWorker"):
        try:
            env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        for var in env:
            if var.startswith(b"RAY_JOB_ID="):
                return var.split(b"=", 1)[1].decode()
    return None


def test_watch_on_ray_keeps_a_story_current_and_stops_cleanly(tmp_path, cluster):
    """`digest watch --engine ray --ray-address ADDR` as a real process: briefs for what is
    dropped in the inbox, a second version when another report of the story arrives, and on
    SIGTERM a clean exit that loses no file and leaves none of its Ray workers running."""
    cfg = service.write_config(tmp_path, interval=0.5)
    with open(cfg, "a") as f:
        f.write("[engine]\nworkers = 1\n")  # one model actor: one model load on this machine
    inbox = tmp_path / "inbox"
    proc = service.start(cfg, args=("--engine", "ray", "--ray-address", cluster.address))
    job = None
    try:
        service.drop(inbox, "marina.txt", MARINA_1)
        service.drop(inbox, "storm.txt", STORM)
        service.wait_for(
            lambda: len(service.briefs(tmp_path)) == 2, timeout=300, what="the first two briefs",
            proc=proc, tmp=tmp_path,
        )  # fmt: skip
        job = _model_worker_job()  # the service's model actor, alive between scans
        assert job is not None, "no model actor of the service is running"
        first = {b["sources"][0]["path"]: b for b in service.briefs(tmp_path).values()}
        assert sorted(first) == ["marina.txt", "storm.txt"]
        assert first["marina.txt"]["version"] == 1 and len(first["marina.txt"]["sources"]) == 1

        service.drop(inbox, "marina-objections.md", MARINA_3)
        service.wait_for(
            lambda: any(b["version"] == 2 for b in service.briefs(tmp_path).values()),
            what="the marina story's second version", proc=proc, tmp=tmp_path,
        )  # fmt: skip
        service.drop(inbox, "ferry.txt", ARTICLES["ferry.txt"])  # arrives as the service stops
    finally:
        code = service.stop(proc)
    assert code == 0
    err = (tmp_path / "stderr.log").read_text()
    assert "Stopped" in err and "Traceback" not in err, err[-3000:]
    assert "SIGTERM received" not in err, err[-3000:]  # a stop is no crash: no stack dump
    # the service lets its model workers go itself before it lets the state lock go
    assert err.index("Engine - stopped ") < err.index("Stopped"), err[-3000:]

    got = service.briefs(tmp_path)
    assert len(got) == 2, sorted(got)
    [marina] = [b for b in got.values() if b["version"] == 2]
    assert [h["version"] for h in marina["history"]] == [1, 2]
    assert {s["path"] for s in marina["sources"]} == {"marina.txt", "marina-objections.md"}
    [new] = [s["n"] for s in marina["sources"] if s["path"] == "marina-objections.md"]
    assert any(new in s["citations"] for s in marina["sentences"])  # the new report is cited

    # nothing dropped is lost: each file read (filed away, its article stored) or still waiting
    filed = service.filed_names(inbox)
    waiting = [p.name for p in service.inbox_files(tmp_path)]
    dropped = ["ferry.txt", "marina-objections.md", "marina.txt", "storm.txt"]
    assert sorted(filed + waiting) == dropped
    stored = [p for (p,) in service.db(tmp_path).execute("SELECT path FROM articles")]
    assert sorted(stored) == filed

    # none of its Ray workers is left (Ray ends a job's workers as its driver goes)
    deadline = time.monotonic() + 60
    while _job_processes(job) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _job_processes(job), f"workers of job {job} still running"


def test_an_unreachable_head_is_one_error_line_not_a_hang(tmp_path):
    """A port where nothing listens, and an address that answers but is no Ray head (this
    machine's network answers for any outside address): one line each, exit code 5; for
    `digest watch` too, at its start."""
    tmp = write_inbox(tmp_path, None)
    with open(tmp / "config.toml", "a") as f:
        f.write("[engine]\nconnect_seconds = 3\n")
    expected = {
        "127.0.0.1:9": "digest: cannot reach the Ray head at 127.0.0.1:9 (Connection refused",
        "203.0.113.1:6379": "digest: cannot ",  # reach it, or join it: which depends on the network
    }
    for address, start in expected.items():
        proc = run(tmp, "--ray-address", address, timeout=600)
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 5, proc.stderr[-2000:]
        assert len(lines) == 1 and lines[0].startswith(start) and address in lines[0], lines
    db = sqlite3.connect(tmp / "state" / "digest.db")
    assert db.execute("SELECT COUNT(*) FROM articles").fetchone() == (0,)  # nothing read
    # the service connects at start: the same line and exit code, not an error every scan
    watch = subprocess.run(
        [sys.executable, "-m", "digest", "watch", "--config", str(tmp / "config.toml"),
         "--ray-address", "127.0.0.1:9"],
        cwd=tmp, capture_output=True, text=True, timeout=600, env=env(),
    )  # fmt: skip
    lines = watch.stderr.strip().splitlines()
    assert watch.returncode == 5, watch.stderr[-2000:]
    assert len(lines) == 1 and lines[0].startswith(expected["127.0.0.1:9"]), lines


def test_connecting_gives_up_after_connect_seconds():
    """The bound itself, timed around the connection alone (starting Python and importing
    numpy take minutes on this shared machine at times, so the CLI's wall time says little)."""
    code = (
        "import os, time\n"
        "from digest import config, engines\n"
        "from digest.errors import EngineError\n"
        "cfg = config.from_dict({'engine': {'kind': 'ray', 'address': '203.0.113.1:6379',"
        " 'connect_seconds': 3}}, base=__import__('pathlib').Path('.'))\n"
        "import digest.engines.ray_engine\n"  # Ray imported before the clock starts
        "t = time.monotonic()\n"
        "try:\n"
        "    engines.make_engine(cfg, None, None)\n"
        "except EngineError:\n"
        "    print(time.monotonic() - t)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env(), timeout=600
    )
    assert proc.returncode == 0 and proc.stdout.strip(), proc.stderr[-2000:]
    assert float(proc.stdout) < 3 + 20, proc.stdout  # 3 s of tries, and Ray's own start


def test_digest_help_and_a_local_run_import_nothing_of_ray():
    code = (
        "import sys, contextlib, io\n"
        "from digest.cli import main\n"
        "for argv in (['--help'], ['run', '--help'], ['watch', '--help']):\n"
        "    with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "        main(argv)\n"
        "import digest.pipeline, digest.engines, digest.engines.local\n"
        "assert 'ray' not in sys.modules, 'ray imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env(), timeout=120)
