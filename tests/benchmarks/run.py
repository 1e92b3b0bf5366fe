"""lmscite at scale, beside the peers: `python -m tests.benchmarks` (or `python tests/benchmarks/run.py`).

    python -m tests.benchmarks                 # everything but the 100,000-entry library, medians of 3
    python -m tests.benchmarks --quick         # a short run: smaller sizes, one repetition
    python -m tests.benchmarks --repeat 5      # medians of 5
    python -m tests.benchmarks --large         # also the 100,000-entry library (minutes)
    python -m tests.benchmarks --only parse,commands

lmscite is timed as a user runs it: the installed `lmscite` command, one
whole process per figure, against a fake E-utilities server on loopback
(tests/eutils_server.py) with NCBI's 3 requests/s limit (429 beyond it) and
50 ms latency.  Each peer runs in its own process too, so every peak memory
figure is that process's own.  The table goes to stdout as Markdown (it is
what docs/performance.md holds) and every sample to `--workdir`/results.json.
Rows marked "extrapolated" ran on fewer items than the row names, because the
peer is too slow to run in full (one request per PMID at 3/s, TinyDB's
quadratic insert()); the label says from how many.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import corpus
import measure
from eutils_server import FakeEutils, real_records

RATE_LIMIT = 3
LATENCY = 0.05
LMSCITE_BATCH = 1000
"""lmscite's largest batch (lmscite.pubmed.eutils.MAX_BATCH): the floor of its request count."""
FASTER = 0.5
"""lmscite's goal at 10% HTTP 500s: at most this fraction of the ideal 200-per-request client's time."""
_ARTICLE = re.compile(rb"<(PubmedArticle|PubmedBookArticle)>.*?</\1>", re.DOTALL)
_PMID = re.compile(rb"<PMID Version=\"\d+\">(\d+)</PMID>")


@dataclass
class Row:
    """One line of the table: who did the work, its figures, and how it compares."""

    work: str
    tool: str
    figures: str
    ratio: str = ""
    goal: str = ""


@dataclass
class Goal:
    name: str
    met: bool
    detail: str


@dataclass
class Suite:
    workdir: Path
    repeat: int
    quick: bool
    lmscite: str
    rows: list[Row] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    samples: dict[str, Any] = field(default_factory=dict)

    def row(self, *args: str) -> None:
        self.rows.append(Row(*args))
        print(f"  {args[1]}: {args[2]}", file=sys.stderr, flush=True)

    def goal(self, name: str, met: bool, detail: str) -> str:
        self.goals.append(Goal(name, met, detail))
        return f"{'met' if met else 'MISSED'}: {detail}"

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a measured lmscite: nothing from the user's config or NCBI identity."""
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("LMSCITE_", "NCBI_"))}
        env.update(LMSCITE_CONFIG=str(self.workdir / "no-config.toml"), NCBI_EMAIL="bench@lmscite.invalid",
                   NO_COLOR="1", **extra)
        return env

    def cli(self, *args: str, env: dict[str, str] | None = None, stdin: Path | None = None) -> measure.Run:
        done = measure.run([self.lmscite, *args], env=env or self.env(), stdin=stdin)
        if done.code not in (0, 1):
            raise RuntimeError(f"lmscite {' '.join(args[:4])} failed ({done.code}): {done.err[-1500:]}")
        return done


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 100 else f"{value:,.0f} s"


def megabytes(value: float) -> str:
    return f"{value:,.0f} MB"


def times(peer: float, ours: float) -> str:
    """How many times lmscite's figure the peer's is (above 1: lmscite is faster or smaller)."""
    return f"{peer / ours:.2f}×" if ours else ""


def median(samples: list[dict[str, float]], key: str) -> float:
    return statistics.median(s[key] for s in samples)


# --- fetch ----------------------------------------------------------------------------------------


def corpus_records(path: Path) -> dict[str, bytes]:
    """PMID -> article bytes of a corpus file, in file order."""
    found = {}
    for match in _ARTICLE.finditer(path.read_bytes()):
        found[_PMID.search(match.group(0)).group(1).decode()] = match.group(0)
    return found


def serve(records: dict[str, bytes], failure_rate: float, seed: int) -> FakeEutils:
    server = FakeEutils(seed=seed)
    server.records.update(records)
    server.rate_limit = RATE_LIMIT
    server.latency = LATENCY
    server.failure_rate = failure_rate
    return server.start()


def fetch_lmscite(suite: Suite, records: dict[str, bytes], ids_file: Path, failure: float, seed: int,
                  into: Path | None = None) -> dict[str, float]:
    """`lmscite fetch` of the ids in `ids_file` into an empty library, or into a copy of `into`."""
    wanted = ids_file.read_text().split()
    library = suite.workdir / "fetch-library.json"
    library.unlink(missing_ok=True)
    if into is not None:
        shutil.copyfile(into, library)
    private_tmp = suite.workdir / f"tmp-{seed}"
    shutil.rmtree(private_tmp, ignore_errors=True)
    private_tmp.mkdir()
    server = serve(records, failure, seed)
    try:
        done = suite.cli("--db", str(library), "--quiet", "fetch", "--from", str(ids_file),
                         env=suite.env(LMSCITE_EUTILS_URL=server.url, TMPDIR=str(private_tmp)))
        requests = len(server.requests)
    finally:
        server.stop()
    import orjson

    stored = orjson.loads(library.read_bytes()).get("entries", {}) if library.exists() else {}
    return {"wall": done.wall, "rss": done.rss_mb, "requests": requests,
            "retries": requests - math.ceil(len(wanted) / LMSCITE_BATCH),
            "lost": len(set(wanted) - set(stored)), "code": done.code}


def fetch_peer(suite: Suite, helper: str, records: dict[str, bytes], ids_file: Path, failure: float, seed: int,
               *extra: str) -> dict[str, float]:
    server = serve(records, failure, seed)
    try:
        done = measure.run(measure.python(helper, server.url, str(ids_file), *extra), env=suite.env())
        requests = len(server.requests)
    finally:
        server.stop()
    report = done.report()
    return {"wall": done.wall, "loop": report["seconds"], "rss": done.rss_mb, "requests": requests,
            "retries": report["retries"], "lost": report["lost"]}


def fetch_figures(s: list[dict[str, float]]) -> str:
    return (f"{median(s, 'requests'):.0f} requests, {median(s, 'retries'):.0f} retries, "
            f"{seconds(median(s, 'wall'))}, {median(s, 'lost'):.0f} lost, {megabytes(median(s, 'rss'))}")


def bench_fetch(suite: Suite, corpus_file: Path) -> None:
    """Each client against its own fresh server; repetition k uses fault seed k for every client alike."""
    print("fetch", file=sys.stderr)
    all_records = corpus_records(corpus_file)
    sizes = (2000,) if suite.quick else (2000, 10_000)
    seeds = range(1, suite.repeat + 1)
    for n in sizes:
        records = dict(list(all_records.items())[:n])
        ids_file = suite.workdir / f"pmids-{n}.txt"
        ids_file.write_text("\n".join(records) + "\n")
        for failure in (0.0, 0.1):
            work = f"fetch {n:,} new PMIDs, {failure:.0%} HTTP 500s"
            ours = [fetch_lmscite(suite, records, ids_file, failure, k) for k in seeds]
            ideal = [fetch_peer(suite, "fetch-ideal", records, ids_file, failure, k) for k in seeds]
            entrez = [fetch_peer(suite, "fetch-entrez", records, ids_file, failure, k) for k in seeds]
            suite.samples[work] = {"lmscite": ours, "ideal": ideal, "entrez": entrez}
            ours_wall = median(ours, "wall")
            lost = median(ours, "lost")
            within = ours_wall / median(ideal, "wall")
            goal = ""
            if failure:
                goal = suite.goal(
                    f"fetch {n:,}, 10% 500s",
                    lost == 0 and within <= FASTER and median(ours, "rss") < 300,
                    f"0 lost, wall ≤ {FASTER:g}× the ideal client's ({within:.2f}×), < 300 MB "
                    f"({megabytes(median(ours, 'rss'))})")
            suite.row(work, "lmscite fetch (whole process)", fetch_figures(ours), "", goal)
            suite.row(work, "ideal batched client (urllib, 200/POST, no retries)", fetch_figures(ideal),
                      f"{1 / within:.2f}× lmscite's time")
            suite.row(work, "Bio.Entrez.efetch, 200 per call", fetch_figures(entrez),
                      f"{times(median(entrez, 'wall'), ours_wall)} time")
            if n == 2000:
                bench_naive(suite, all_records, failure, work)


def bench_naive(suite: Suite, records: dict[str, bytes], failure: float, work: str) -> None:
    """One request per PMID, on a few PMIDs: 2,000 of them at 3/s would take 11 minutes."""
    target = 2000
    ids_file = suite.workdir / "pmids-naive.txt"
    for paced, label, count in (
            ("paced", "one GET per PMID at 3/s, no retries (as metapub)", 30 if suite.quick else 90),
            ("unpaced", "one GET per PMID, unpaced, no retries (as pymed)", 100 if suite.quick else 300)):
        ids_file.write_text("\n".join(list(records)[:count]) + "\n")
        got = fetch_peer(suite, "fetch-naive", records, ids_file, failure, 1, paced)
        scale = target / count
        suite.samples[f"naive {paced} {failure}"] = got
        suite.row(work, label,
                  f"extrapolated from {count} PMIDs: {target:,} requests, {seconds(got['wall'] * scale)}, "
                  f"{got['lost'] * scale:,.0f} lost, {megabytes(got['rss'])}")


# --- parse ----------------------------------------------------------------------------------------


PARSERS = (("parse-lmscite", "lmscite pubmed_xml.iter_entries"),
           ("parse-lxml", "lxml iterparse + field extraction"),
           ("parse-etree", "ElementTree iterparse + field extraction"),
           ("parse-entrez", "Bio.Entrez.read (validating, pubmed_250101 DTD)"))


def parse_once(suite: Suite, helper: str, path: Path) -> dict[str, float] | str:
    done = measure.run(measure.python(helper, str(path)), env=suite.env())
    report = done.report()
    if report.get("error"):
        return report["error"]
    return {"seconds": report["seconds"], "rss": done.rss_mb, "records": report["records"]}


def bench_parse(suite: Suite, small: Path, big: Path | None) -> None:
    print("parse", file=sys.stderr)
    size = small.stat().st_size / 1e6
    results: dict[str, list[dict[str, float]] | str] = {}
    for helper, _label in PARSERS:
        runs = [parse_once(suite, helper, small) for _ in range(suite.repeat)]
        failed = next((r for r in runs if isinstance(r, str)), None)
        results[helper] = failed if failed else runs
    suite.samples["parse"] = results
    ours = results["parse-lmscite"]
    ours_time, ours_rss = median(ours, "seconds"), median(ours, "rss")
    count = int(ours[0]["records"])
    work = f"parse {count:,} articles ({size:.0f} MB XML)"
    lxml_time = median(results["parse-lxml"], "seconds")
    goal = suite.goal("parse vs lxml", ours_time <= lxml_time / 0.8,
                      f"≥ 0.8× the lxml extraction rate ({lxml_time / ours_time:.2f}×)")
    entrez = results["parse-entrez"]
    if isinstance(entrez, str):
        goal += "; Bio.Entrez.read failed, so its goal cannot be checked"
    else:
        entrez_time, entrez_rss = median(entrez, "seconds"), median(entrez, "rss")
        goal += "; " + suite.goal("parse vs Bio.Entrez.read",
                                  entrez_time / ours_time >= 5 and entrez_rss / ours_rss >= 5,
                                  f"≥ 5× Bio.Entrez.read's rate ({entrez_time / ours_time:.1f}×) at ≤ 1/5 of its "
                                  f"memory (1/{entrez_rss / ours_rss:.0f})")
    for helper, label in PARSERS:
        runs = results[helper]
        if isinstance(runs, str):
            suite.row(work, label, f"failed: {runs}", "", "")
            continue
        rate = count / median(runs, "seconds")
        figures = f"{seconds(median(runs, 'seconds'))} ({rate:,.0f} articles/s), {megabytes(median(runs, 'rss'))}"
        if helper == "parse-lmscite":
            suite.row(work, label, figures, "", goal)
        else:
            suite.row(work, label, figures,
                      f"{times(median(runs, 'seconds'), ours_time)} time, {times(median(runs, 'rss'), ours_rss)} memory")
    if big is not None:
        for helper, label in PARSERS[:2]:
            runs = [parse_once(suite, helper, big) for _ in range(max(1, suite.repeat // 2))]
            suite.samples[f"parse big {helper}"] = runs
            small_rss = median(results[helper], "rss")
            grown = median(runs, "rss") / small_rss
            goal = ""
            if helper == "parse-lmscite":
                goal = suite.goal("parse streams", grown < 1.2,
                                  f"memory flat with file size ({grown:.2f}× for 4× the articles)")
            suite.row(f"parse {int(runs[0]['records']):,} articles ({big.stat().st_size / 1e6:.0f} MB XML)", label,
                      f"{seconds(median(runs, 'seconds'))}, {megabytes(median(runs, 'rss'))} "
                      f"(vs {megabytes(small_rss)} for {count:,})", "", goal)


# --- store ----------------------------------------------------------------------------------------


def bench_store(suite: Suite, corpus_file: Path) -> None:
    print("store", file=sys.stderr)
    library = suite.workdir / "store-library.json"
    count = len(corpus_records(corpus_file))
    work = f"store {count:,} records in an empty library"
    imports, stores = [], []
    for _ in range(suite.repeat):
        library.unlink(missing_ok=True)
        done = suite.cli("--db", str(library), "import", str(corpus_file))
        imports.append({"wall": done.wall, "rss": done.rss_mb})
        library.unlink(missing_ok=True)
        helper = measure.run(measure.python("store-lmscite", str(corpus_file), str(library)), env=suite.env())
        stores.append({"seconds": helper.report()["seconds"], "rss": helper.rss_mb})
    store_time = median(stores, "seconds")
    goal = suite.goal("store 10,000", store_time < 1.0, f"store time < 1 s ({seconds(store_time)})")
    suite.row(work, "lmscite import (whole process: parse + store)",
              f"{seconds(median(imports, 'wall'))}, {megabytes(median(imports, 'rss'))}, 1 library write")
    suite.row(work, "lmscite store alone (Library.transaction + merge, one write)",
              f"{seconds(store_time)}", "", goal)
    small, large = (300, 600) if suite.quick else (1000, 2000)
    points = []
    for n in (small, large):
        library.unlink(missing_ok=True)
        helper = measure.run(measure.python("tinydb-insert", str(corpus_file), str(library), str(n)), env=suite.env())
        points.append((n, helper.report()["seconds"]))
    (n1, t1), (n2, t2) = points
    a = (t2 / n2 - t1 / n1) / (n2 - n1)
    b = t1 / n1 - a * n1
    projected = a * count**2 + b * count
    suite.samples["tinydb insert"] = points
    suite.row(work, "TinyDB insert() per record, default JSONStorage",
              f"extrapolated (a·n² + b·n) from {n1:,} in {seconds(t1)} and {n2:,} in {seconds(t2)}: "
              f"~{seconds(projected)}", times(projected, store_time))
    for flavour in ("json", "orjson"):
        runs = []
        for _ in range(suite.repeat):
            library.unlink(missing_ok=True)
            helper = measure.run(measure.python("tinydb-insert-multiple", str(corpus_file), str(library), flavour),
                                 env=suite.env())
            runs.append({"seconds": helper.report()["seconds"], "rss": helper.rss_mb})
        suite.samples[f"tinydb insert_multiple {flavour}"] = runs
        suite.row(work, f"TinyDB insert_multiple, {flavour} storage (one write)",
                  seconds(median(runs, "seconds")), times(median(runs, "seconds"), store_time))


# --- commands on a library ----------------------------------------------------------------------


def curate(suite: Suite, library: Path, pmids: list[str]) -> None:
    """Give every tenth entry a section, tags and a note, as a curated page has (untimed)."""
    lines = ["entries:"]
    sections = ("Surgical resection", "Ablation", "Chemotherapy", "Transplantation")
    for number, pmid in enumerate(pmids[::10]):
        lines += [f"  '{pmid}':", f"    section: {sections[number % len(sections)]}",
                  "    tags: [bench, liver]", "    notes: ['Chosen for the benchmark page.']"]
    curation = suite.workdir / "curation.yaml"
    curation.write_text("\n".join(lines) + "\n")
    suite.cli("--db", str(library), "annotate", "--from", str(curation))


def timed(suite: Suite, name: str, make: Callable[[int], list[str]]) -> list[dict[str, float]]:
    runs = []
    for k in range(suite.repeat):
        done = suite.cli(*make(k))
        runs.append({"wall": done.wall, "rss": done.rss_mb})
    suite.samples[name] = runs
    return runs


def bench_commands(suite: Suite, corpus_file: Path, size_label: str, goals: bool, fetch_into: bool = False) -> None:
    print(f"commands on {size_label}", file=sys.stderr)
    library = suite.workdir / f"library-{size_label}.json"
    library.unlink(missing_ok=True)
    pmids = list(corpus_records(corpus_file))
    imported = suite.cli("--db", str(library), "import", str(corpus_file))
    curate(suite, library, pmids)
    db = ["--db", str(library)]
    work = f"{size_label}-entry library ({library.stat().st_size / 1e6:,.0f} MB file)"
    if not goals:
        suite.row(work, "lmscite import into an empty library",
                  f"{seconds(imported.wall)}, {megabytes(imported.rss_mb)}")
    if fetch_into:
        bench_fetch_into(suite, library, work)
    target = pmids[len(pmids) // 2]
    checks: list[tuple[str, list[str] | Callable[[int], list[str]], float | None]] = [
        ("lmscite show PMID", [*db, "show", target], 1.0),
        ("lmscite annotate PMID --tag", lambda k: [*db, "annotate", target, "--tag", f"round-{k}"], 1.0),
        ("lmscite list --format ids", [*db, "list", "--format", "ids"], None),
        ("lmscite export --format html", [*db, "export", "--format", "html", "-o", str(suite.workdir / "page.html")],
         3.0),
        ("lmscite export --format markdown",
         [*db, "export", "--format", "markdown", "-o", str(suite.workdir / "page.md")], 2.0),
    ]
    for label, args, limit in checks:
        runs = timed(suite, f"{size_label} {label}", args if callable(args) else (lambda k, a=args: a))
        wall = median(runs, "wall")
        goal = suite.goal(f"{label} on {size_label}", wall < limit, f"< {limit:g} s") if goals and limit else ""
        suite.row(work, label, f"{seconds(wall)}, {megabytes(median(runs, 'rss'))}", "", goal)


def bench_fetch_into(suite: Suite, library: Path, work: str) -> None:
    """2,000 new PMIDs fetched into a big library: each batch's write rewrites the whole file."""
    records = corpus_records(corpus.cached(suite.workdir, 2000, seed=8))
    ids_file = suite.workdir / "pmids-into.txt"
    ids_file.write_text("\n".join(records) + "\n")
    runs = [fetch_lmscite(suite, records, ids_file, 0.0, k, into=library) for k in range(1, suite.repeat + 1)]
    suite.samples[f"fetch into {work}"] = runs
    suite.row(work, "lmscite fetch 2,000 new PMIDs into it (one write per batch)", fetch_figures(runs))


def bench_startup(suite: Suite) -> None:
    print("startup", file=sys.stderr)
    for flag in ("--help", "--version"):
        runs = timed(suite, f"lmscite {flag}", lambda k, f=flag: [f])
        wall = median(runs, "wall")
        suite.row("start-up", f"lmscite {flag}", f"{seconds(wall)}, {megabytes(median(runs, 'rss'))}", "",
                  suite.goal(f"lmscite {flag}", wall < 0.3, "< 0.3 s"))


# --- report ---------------------------------------------------------------------------------------


def machine() -> list[str]:
    model = next((line.split(":", 1)[1].strip() for line in _lscpu() if line.startswith("Model name")), "?")
    cpus = os.cpu_count()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return [f"machine: {model}, {cpus} CPUs, {memory:.0f} GB RAM, {platform.system()} {platform.release()}",
            f"python: {platform.python_version()} ({sys.executable})",
            f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"]


def install(command: str) -> str:
    """How the measured `lmscite` is installed: an editable install compiles every module on each run
    when bytecode caching is off (PYTHONDONTWRITEBYTECODE), which users' regular installs never do."""
    probe = ("import lmscite, pathlib, sys; p = pathlib.Path(lmscite.__file__).parent; "
             "print(p, 'site-packages' in p.parts, (p / '__pycache__').is_dir())")
    python = Path(command).with_name("python")
    done = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=False, cwd="/")
    where, regular, cached = (done.stdout.split() + ["?", "?", "?"])[:3]
    kind = "regular install" if regular == "True" else "editable install"
    return f"lmscite: {command} ({kind} from {where}; bytecode cached: {'yes' if cached == 'True' else 'no'})"


def _lscpu() -> list[str]:
    try:
        return subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout.splitlines()
    except OSError:
        return []


def table(rows: list[Row]) -> str:
    lines = ["| work | tool | figures (medians) | peer ÷ lmscite | goal |", "|---|---|---|---|---|"]
    previous = None
    for row in rows:
        work = row.work if row.work != previous else ""
        previous = row.work
        lines.append(f"| {work} | {row.tool} | {row.figures} | {row.ratio} | {row.goal} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=None, help="runs per figure (default 3, 1 with --quick)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, one run each (about 2 minutes)")
    parser.add_argument("--large", action="store_true", help="also measure a 100,000-entry library (minutes)")
    parser.add_argument("--only", default="fetch,parse,store,commands,startup",
                        help="comma-separated sections: fetch, parse, store, commands, startup")
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "lmscite-bench")
    args = parser.parse_args(argv)
    installed = shutil.which("lmscite", path=str(Path(sys.executable).parent)) or shutil.which("lmscite")
    if installed is None:
        parser.error("the `lmscite` command is not installed in this environment (pip install -e .)")
    args.workdir.mkdir(parents=True, exist_ok=True)
    suite = Suite(workdir=args.workdir, repeat=args.repeat or (1 if args.quick else 3), quick=args.quick,
                  lmscite=installed)
    header = machine() + [install(installed), f"runs per figure: {suite.repeat}{' (quick)' if args.quick else ''}"]
    print("\n".join(header), file=sys.stderr)
    sections = set(args.only.split(","))
    real_records()
    count = 2000 if args.quick else 10_000
    ten_k = corpus.cached(args.workdir, count)
    started = time.time()
    if "fetch" in sections:
        bench_fetch(suite, ten_k)
    if "parse" in sections:
        bench_parse(suite, ten_k, None if args.quick else corpus.cached(args.workdir, 40_000))
    if "store" in sections:
        bench_store(suite, ten_k)
    if "commands" in sections:
        bench_commands(suite, ten_k, f"{count:,}", goals=not args.quick)
    if "startup" in sections:
        bench_startup(suite)
    if args.large:
        bench_commands(suite, corpus.cached(args.workdir, 100_000), "100,000", goals=False, fetch_into=True)
    header.append(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
                  f"ran {time.time() - started:,.0f} s")
    print("\n".join(f"- {line}" for line in header))
    print()
    print(table(suite.rows))
    print()
    for goal in suite.goals:
        print(f"- {'met   ' if goal.met else 'MISSED'} {goal.name}: {goal.detail}")
    (args.workdir / "results.json").write_text(json.dumps(
        {"machine": header, "rows": [row.__dict__ for row in suite.rows],
         "goals": [goal.__dict__ for goal in suite.goals], "samples": suite.samples}, indent=1))
    return 0 if all(goal.met for goal in suite.goals) else 1


if __name__ == "__main__":
    sys.exit(main())
