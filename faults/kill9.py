#!/usr/bin/env python3
"""Fault drill (issue 15, "Faults"): kill -9 Jiqun in the middle of its writes, at random points, many times,
and check after each kill that the operation is wholly there or wholly absent and that the database and the
audit chain are sound.

Operations, each cut off at a random moment within its own measured duration:
  import      `jiqun import` of an enterprise workbook (CLI process killed)
  report      a progress report filed over HTTP (server killed)
  evaluation  an evaluation run over HTTP (server killed; the restarted server takes the job over)
  rotation    `jiqun keys rotate` (CLI killed)
  backup      `jiqun backup` (CLI killed)
After each kill: SQLite `PRAGMA integrity_check`, `jiqun audit verify`, and the operation's own check (see
each function). With --pg-restart, also a private PostgreSQL cluster (initdb on its own port, never the
shared server) restarted with `pg_ctl -m immediate` (a crash) under a stream of report writes, then made
read-only. With --disk, SQLite on a small tmpfs filled up and then remounted read-only; with both, also a
private cluster whose database's tablespace is on a small tmpfs, filled up under a running server.

Usage: faults/kill9.py [--db sqlite|postgres] [--rounds N] [--quick] [--pg-restart] [--seed S]
Prints a table; exits 1 on any failed check. Needs: python3, sqlite3 (SQLite), psql (PostgreSQL).
"""

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "debug", "jiqun")
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


class Failure(Exception):
    pass


def run(*args, check=True, env=None, timeout=600):
    p = subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout)
    if check and p.returncode != 0:
        raise Failure(f"{' '.join(args)} → {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


class Db:
    """The database under test: a fresh SQLite file or a fresh PostgreSQL database."""

    def __init__(self, kind, work):
        self.kind = kind
        if kind == "sqlite":
            self.path = os.path.join(work, "drill.db")
            self.url = f"sqlite://{self.path}"
        else:
            self.name = f"jiqun_faults_{os.getpid()}"
            run("psql", "-q", PG_ADMIN, "-c", f"CREATE DATABASE {self.name}")
            self.url = f"postgres://postgres@127.0.0.1:5432/{self.name}"

    def scalar(self, sql):
        if self.kind == "sqlite":
            con = sqlite3.connect(self.path, timeout=30)
            try:
                return con.execute(sql).fetchone()[0]
            finally:
                con.close()
        out = run("psql", "-qAt", self.url, "-c", sql).stdout.strip()
        return int(out) if out.lstrip("-").isdigit() else out

    def integrity(self):
        if self.kind == "sqlite":
            con = sqlite3.connect(self.path, timeout=30)
            try:
                res = [r[0] for r in con.execute("PRAGMA integrity_check")]
            finally:
                con.close()
            if res != ["ok"]:
                raise Failure(f"integrity_check: {res}")
        run(BIN, "audit", "verify", "--db", self.url)

    def drop(self):
        if self.kind == "postgres":
            run("psql", "-q", PG_ADMIN, "-c", f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)", check=False)


class Server:
    def __init__(self, db, port, log):
        self.db, self.port, self.log, self.proc = db, port, log, None

    def start(self, demo=False):
        verb = "demo" if demo else "serve"
        out = open(self.log, "a")
        self.proc = subprocess.Popen([BIN, verb, "--db", self.db.url, "--addr", f"127.0.0.1:{self.port}"],
                                     stdout=out, stderr=out)
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                return
            except Exception:
                if self.proc.poll() is not None:
                    raise Failure(f"server exited: see {self.log}")
                time.sleep(0.1)
        raise Failure("server did not answer /healthz")

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        if self.proc:
            self.proc.wait()
        self.proc = None

    def call(self, method, path, token=None, body=None, timeout=120):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method)
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, data=data, timeout=timeout) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def login(self, user):
        s, v = self.call("POST", "/api/v1/auth/login", body={"username": user, "password": "Demo@2025"})
        if s != 200:
            raise Failure(f"login {user}: {s} {v}")
        return v["token"]


def killed_after(argv, delay, env=None):
    """Starts argv, kills it with SIGKILL after `delay` seconds; True when it was still running."""
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        p.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGKILL)
        p.wait()
        return True


def timed(argv):
    t = time.monotonic()
    run(*argv)
    return time.monotonic() - t


class Drill:
    def __init__(self, db, work, rnd, firms):
        self.db, self.work, self.rnd, self.firms = db, work, rnd, firms
        self.server = Server(db, 18600 + os.getpid() % 300, os.path.join(work, "server.log"))
        self.rows = []  # (operation, killed mid-way, outcome)
        self.seed = 1000

    # import: the workbook's firms are all there or none is.
    def op_import(self, measure=False):
        self.seed += 1
        base = os.path.join(self.work, f"firms{self.seed}")
        run(BIN, "demo-data", "enterprises", "--count", str(self.firms), "--seed", str(self.seed), "--output", base + ".csv")
        run(BIN, "demo-data", "enterprises", "--count", str(self.firms), "--seed", str(self.seed), "--output", base + ".xlsx")
        usccs = [line.split(",")[0] for line in open(base + ".csv", encoding="utf-8").read().splitlines()[1:]]
        listed = ",".join(f"'{u}'" for u in usccs)
        count = f"SELECT COUNT(*) FROM enterprises WHERE uscc IN ({listed})"
        argv = [BIN, "import", "--db", self.db.url, base + ".xlsx"]
        if measure:
            self.import_s = timed(argv)
            return
        before = self.db.scalar(count)
        killed = killed_after(argv, self.rnd.uniform(0, self.import_s * 1.2))
        after = self.db.scalar(count)
        if after not in (before, len(usccs)) or (before != 0 and after != before):
            raise Failure(f"import: {before} → {after} of {len(usccs)} firms")
        return killed, f"{after - before} of {len(usccs)} firms"

    # report: the new version is there (and the only current one) or absent.
    def op_report(self, measure=False):
        self.server.start()
        kjt = self.server.login("kjt")
        s, mine = self.server.call("GET", "/api/v1/assignments?agency=%E7%9C%81%E7%A7%91%E6%8A%80%E5%8E%85", kjt)
        assignment = mine[0]["id"]
        versions = f"SELECT COUNT(*) FROM reports WHERE assignment_id = {assignment} AND period = '2026Q1'"
        current = versions + " AND is_current = 1"
        body = {"period": "2026Q1", "status": "on_schedule", "percent": 30, "narrative": "（演练）断电前的报告"}
        before = self.db.scalar(versions)
        path = f"/api/v1/assignments/{assignment}/reports"
        if measure:
            t = time.monotonic()
            s, v = self.server.call("POST", path, kjt, body)
            self.report_s = time.monotonic() - t
            self.server.kill9()
            if s != 201:
                raise Failure(f"report: {s} {v}")
            return
        # Sent from a thread so that the kill lands while the request is in flight.
        import threading
        t = threading.Thread(target=lambda: self._quiet_call("POST", path, kjt, body), daemon=True)
        t.start()
        time.sleep(self.rnd.uniform(0, self.report_s * 1.5))
        self.server.kill9()
        t.join(5)
        after, cur = self.db.scalar(versions), self.db.scalar(current)
        if after not in (before, before + 1) or cur != (1 if after else 0):
            raise Failure(f"report: versions {before} → {after}, current {cur}")
        return True, f"{after - before} version"

    def _quiet_call(self, *a):
        try:
            self.server.call(*a, timeout=10)
        except Exception:
            pass

    def open_round(self):
        self.server.start()
        owner = self.server.login("owner")
        s, plans = self.server.call("GET", "/api/v1/plans", owner)
        s, v = self.server.call("POST", f"/api/v1/plans/{plans[0]['id']}/rounds", owner,
                                {"period": "2026Q1", "deadline": "2026-04-15"})
        if s not in (200, 201):
            raise Failure(f"round: {s} {v}")
        self.server.kill9()

    # evaluation: once the job exists, the restarted server finishes it, with every result row, exactly once.
    def op_evaluation(self, measure=False):
        self.server.start()
        owner = self.server.login("owner")
        evals = "SELECT COUNT(*) FROM evaluations"
        before, last_job = self.db.scalar(evals), self.db.scalar("SELECT COALESCE(MAX(id), 0) FROM jobs")
        if measure:
            t = time.monotonic()
            s, v = self.server.call("POST", "/api/v1/evaluations", owner, {"year": 2024})
            self.eval_s = time.monotonic() - t
            self.server.kill9()
            if s != 201:
                raise Failure(f"evaluation: {s} {v}")
            return
        import threading
        t = threading.Thread(target=lambda: self._quiet_call("POST", "/api/v1/evaluations", owner, {"year": 2024}),
                             daemon=True)
        t.start()
        time.sleep(self.rnd.uniform(0, self.eval_s * 1.2))
        self.server.kill9()
        t.join(5)
        # The restarted server takes over what was left (JIQUN_JOB_STALE_SECONDS=2).
        self.server.start()
        for _ in range(600):
            if self.db.scalar("SELECT COUNT(*) FROM jobs WHERE state = 'running'") == 0:
                break
            time.sleep(0.1)
        else:
            raise Failure("evaluation: a job is still running 60 s after the restart")
        self.server.kill9()
        new_jobs = self.db.scalar(f"SELECT COUNT(*) FROM jobs WHERE id > {last_job}")
        done = self.db.scalar(f"SELECT COUNT(*) FROM jobs WHERE id > {last_job} AND state = 'done'")
        after = self.db.scalar(evals)
        if after - before != done or new_jobs > 1:
            raise Failure(f"evaluation: {new_jobs} job(s), {done} done, runs {before} → {after}")
        partial = self.db.scalar(
            "SELECT COUNT(*) FROM evaluations e WHERE (SELECT COUNT(*) FROM evaluation_results r "
            "WHERE r.evaluation_id = e.id) <> e.rated + e.not_rated")
        if partial:
            raise Failure(f"evaluation: {partial} run(s) without all their result rows")
        attempts = self.db.scalar(f"SELECT COALESCE(MAX(attempts), 0) FROM jobs WHERE id > {last_job}")
        if not new_jobs:
            return True, "no job"
        return True, f"{after - before} run" + (" (taken over)" if attempts > 1 else " (done before the kill)")

    # rotation: every sealed value still opens (an export reads them all) and a later rotation completes.
    def op_rotation(self, measure=False):
        argv = [BIN, "keys", "rotate", "--db", self.db.url]
        if measure:
            self.rotate_s = timed(argv)
            return
        killed = killed_after(argv, self.rnd.uniform(0, self.rotate_s * 1.2))
        out = os.path.join(self.work, "all.csv")
        run(BIN, "export", "--db", self.db.url, "--table", "enterprises", "--format", "csv", "--output", out)
        return killed, "every sealed value opens"

    # backup: the named file is absent or a whole backup that restores.
    def op_backup(self, measure=False):
        self.seed += 1
        out = os.path.join(self.work, f"backup{self.seed}.jqb")
        argv = [BIN, "backup", "--db", self.db.url, "--output", out]
        if measure:
            self.backup_s = timed(argv)
            return
        killed = killed_after(argv, self.rnd.uniform(0, self.backup_s * 1.2))
        if not os.path.exists(out):
            return killed, "no file"
        if self.db.kind == "sqlite":
            target = f"sqlite://{self.work}/restored{self.seed}.db"
        else:
            name = f"jiqun_faults_r{os.getpid()}_{self.seed}"
            run("psql", "-q", PG_ADMIN, "-c", f"CREATE DATABASE {name}")
            target = f"postgres://postgres@127.0.0.1:5432/{name}"
        try:
            run(BIN, "restore", "--input", out, "--db", target)
            run(BIN, "audit", "verify", "--db", target)
        finally:
            if self.db.kind == "postgres":
                run("psql", "-q", PG_ADMIN, "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", check=False)
        return killed, "whole file, restored"


def drill(kind, rounds, rnd, firms, work):
    db = Db(kind, work)
    d = Drill(db, work, rnd, firms)
    try:
        d.server.start(demo=True)
        d.server.kill9()
        d.open_round()
        for op in ("import", "report", "evaluation", "rotation", "backup"):
            getattr(d, f"op_{op}")(measure=True)
        d.db.integrity()
        ops = ["import", "report", "evaluation", "rotation", "backup"]
        tally = {op: [0, 0, set()] for op in ops}
        for i in range(rounds):
            for op in rnd.sample(ops, len(ops)):
                killed, outcome = getattr(d, f"op_{op}")()
                d.server.kill9()
                d.db.integrity()
                tally[op][0] += 1
                tally[op][1] += int(bool(killed))
                tally[op][2].add(outcome)
        return tally, {"import": d.import_s, "report": d.report_s, "evaluation": d.eval_s,
                       "rotation": d.rotate_s, "backup": d.backup_s}
    finally:
        d.server.kill9()
        db.drop()


class Cluster:
    """A private PostgreSQL cluster (initdb in the work folder, its own port), never the shared server."""

    def __init__(self, work):
        self.bindir = run("pg_config", "--bindir").stdout.strip()
        data = os.path.join(work, "pgdata")
        os.makedirs(data)
        shutil.chown(work, "postgres")
        shutil.chown(data, "postgres")
        self.port = 55432 + os.getpid() % 100
        self.as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        run(*self.as_pg, f"{self.bindir}/initdb", "-D", data, "-A", "trust", "-U", "postgres")
        # The log file also keeps the server from holding this script's output pipe open.
        self.ctl = [*self.as_pg, f"{self.bindir}/pg_ctl", "-D", data, "-o",
                    f"-p {self.port} -k {work} -c listen_addresses=127.0.0.1", "-w", "-l", os.path.join(work, "pg.log")]
        self.admin = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        run(*self.ctl, "start")

    def db(self):
        """The database `jiqun` of this cluster (made by the caller)."""
        port = self.port

        class Private(Db):
            def __init__(self):
                self.kind, self.name = "postgres", "jiqun"
                self.url = f"postgres://postgres@127.0.0.1:{port}/jiqun"
        return Private()

    def stop(self):
        run(*self.ctl, "-m", "immediate", "stop", check=False)


def pg_restart(rnd, work, writes):
    """A private PostgreSQL cluster restarted as by a crash (`-m immediate`) while reports are written."""
    cluster = Cluster(work)
    ctl, port = cluster.ctl, cluster.port
    server = None
    try:
        run("psql", "-q", cluster.admin, "-c", "CREATE DATABASE jiqun")
        db = cluster.db()
        server = Server(db, 18950 + os.getpid() % 40, os.path.join(work, "pg-server.log"))
        server.start(demo=True)
        write, kjt, versions_sql = report_writer(server)
        # Four writers file reports without pause; meanwhile the database crashes and comes back.
        import threading
        counts = {"ok": 0, "refused": 0, "other": []}
        lock, stop = threading.Lock(), threading.Event()

        def writer(w):
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    s, v = write(f"（演练）{w}-{i}")
                except Exception as e:  # the connection itself failed: the server must not have died
                    s, v = -1, str(e)
                with lock:
                    if s == 201:
                        counts["ok"] += 1
                    elif s == 503 and v["error"]["code"] == "unavailable":
                        counts["refused"] += 1
                    else:
                        counts["other"].append((s, v))
        threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
        for t in threads:
            t.start()
        time.sleep(rnd.uniform(0.5, 1.5))
        run(*ctl, "-m", "immediate", "restart")
        time.sleep(writes / 20)
        stop.set()
        for t in threads:
            t.join()
        ok, refused = counts["ok"], counts["refused"]
        if counts["other"]:
            raise Failure(f"pg restart: unexpected answers {counts['other'][:3]}")
        if server.proc.poll() is not None:
            raise Failure("pg restart: the server died with the database")
        # After the restart, a write must succeed again.
        s, v = write("（演练）恢复后")
        if s != 201:
            raise Failure(f"pg restart: the server did not resume: {s} {v}")
        ok += 1
        # The database made read-only (as a standby is): writes refused with 503 saying so, then resumed.
        admin = f"postgres://postgres@127.0.0.1:{port}/postgres"
        kick = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'jiqun'"
        run("psql", "-q", admin, "-c", "ALTER DATABASE jiqun SET default_transaction_read_only = on", "-c", kick)
        answers = []
        for i in range(20):
            s, v = write("（演练）只读时")
            answers.append(s)
            if s != 503 or v["error"]["code"] != "unavailable":
                raise Failure(f"pg read-only: expected 503 unavailable, got {s} {v}")
            if refused_as(v, "只读"):
                break
        else:
            raise Failure(f"pg read-only: no refusal said the database is read-only: {answers}")
        read_status, _ = server.call("GET", "/api/v1/plans", kjt)
        run("psql", "-q", admin, "-c", "ALTER DATABASE jiqun RESET default_transaction_read_only", "-c", kick)
        for i in range(20):
            s, v = write("（演练）恢复读写后")
            if s == 201:
                ok += 1
                break
            if s != 503:
                raise Failure(f"pg read-only: after the reset: {s} {v}")
        else:
            raise Failure("pg read-only: writes did not resume")
        readonly = (len(answers), read_status)
        stored = db.scalar(versions_sql)
        current = db.scalar(f"{versions_sql} AND is_current = 1")
        server.kill9()
        run(BIN, "audit", "verify", "--db", db.url)
        # A write whose commit was cut by the crash may or may not have landed (its answer was an error);
        # none that was answered 201 may be missing, and one version stays current.
        if not ok <= stored <= ok + refused or current != 1:
            raise Failure(f"pg restart: {ok} answered 201, {refused} refused, {stored} stored, {current} current")
        return ok, refused, stored, readonly
    finally:
        if server:
            server.kill9()
        cluster.stop()


def fill(path):
    """Fills the file system holding `path` with a file of that name, to the last byte it takes."""
    with open(path, "wb", buffering=0) as f:
        for size in (1 << 20, 1 << 12, 1):
            try:
                while True:
                    f.write(b"\0" * size)
                    f.flush()
            except OSError:
                pass


def write_until_full(server, db, mnt, what, tries):
    """Files reports on a running server while the file system holding `mnt` fills up: a first write, the
    disk filled, then writes until one is refused, which must be a 503 saying the disk is full; the filler
    removed, a write must be taken again, and the refused one must have left no version. Returns the writes
    that still fitted, the versions they stored, and the reporter's token."""
    write, kjt, versions = report_writer(server)
    s, v = write("（演练）磁盘满之前")
    if s != 201:
        raise Failure(f"{what}: {s} {v}")
    before = db.scalar(versions)
    filler = os.path.join(mnt, "filler")
    fill(filler)
    seen = []
    for i in range(tries):
        s, v = write("（演练）磁盘满时" + "填" * 3000)
        seen.append(s)
        if s != 201:
            break
    if not refused_as(v, "磁盘已满"):
        raise Failure(f"{what}: expected 503 saying the disk is full, got {s} {str(v)[:300]} after {len(seen)}")
    stored_full = db.scalar(versions)
    os.remove(filler)
    for i in range(20):
        s, v = write("（演练）腾出空间后")
        if s == 201:
            break
        time.sleep(0.5)
    if s != 201:
        raise Failure(f"{what}: writes did not resume once there was space: {s} {v}")
    if db.scalar(versions) != stored_full + 1:
        raise Failure(f"{what}: a refused write left a version behind")
    return len(seen) - 1, stored_full - before, kjt


def pg_disk(work):
    """A private PostgreSQL cluster whose database lives in a tablespace on a small tmpfs (a data volume
    apart from the WAL, as production installations often have): the volume filled up under a running
    server. Each write is refused with a clear 503, nothing half-written, writes resume when space returns,
    and the audit chain verifies. None when this machine does not allow a mount."""
    mnt = os.path.join(work, "pgmnt")
    os.makedirs(mnt)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", mnt], capture_output=True).returncode:
        return None
    cluster, server = None, None
    try:
        cluster = Cluster(work)
        space = os.path.join(mnt, "ts")
        os.makedirs(space)
        shutil.chown(space, "postgres")
        run("psql", "-q", cluster.admin, "-c", f"CREATE TABLESPACE small LOCATION '{space}'",
            "-c", "CREATE DATABASE jiqun TABLESPACE small")
        db = cluster.db()
        server = Server(db, 18980 + os.getpid() % 9, os.path.join(work, "pg-disk-server.log"))
        server.start(demo=True)
        # What the tables' free pages still hold fits; then a file must grow, and cannot.
        accepted, stored, kjt = write_until_full(server, db, mnt, "pg disk full", 4000)
        read_status, _ = server.call("GET", "/api/v1/plans", kjt)
        server.kill9()
        run(BIN, "audit", "verify", "--db", db.url)
        return accepted, stored, read_status
    finally:
        if server:
            server.kill9()
        if cluster:
            cluster.stop()
        subprocess.run(["umount", "-l", mnt], capture_output=True)


def refused_as(v, zh):
    """A 503 `unavailable` whose Chinese message contains `zh`."""
    return v and v.get("error", {}).get("code") == "unavailable" and zh in v["error"]["message"]


def report_writer(server):
    """A function that files a report for 2026Q1 as 省科技厅 and returns (status, body), and the SQL that
    counts that report's versions."""
    owner = server.login("owner")
    s, plans = server.call("GET", "/api/v1/plans", owner)
    server.call("POST", f"/api/v1/plans/{plans[0]['id']}/rounds", owner, {"period": "2026Q1", "deadline": "2026-04-15"})
    kjt = server.login("kjt")
    s, mine = server.call("GET", "/api/v1/assignments?agency=%E7%9C%81%E7%A7%91%E6%8A%80%E5%8E%85", kjt)
    path = f"/api/v1/assignments/{mine[0]['id']}/reports"

    def write(text):
        body = {"period": "2026Q1", "status": "on_schedule", "percent": 30, "narrative": text}
        return server.call("POST", path, kjt, body, timeout=30)
    return write, kjt, f"SELECT COUNT(*) FROM reports WHERE assignment_id = {mine[0]['id']} AND period = '2026Q1'"


def sqlite_disk(work):
    """SQLite on a small tmpfs: the disk filled up, then the file system made read-only, under a running
    server. Each write is refused with a clear 503, nothing half-written, and writes resume when space or
    write access returns. None when this machine does not allow a mount (the drill says so)."""
    mnt = os.path.join(work, "mnt")
    os.makedirs(mnt)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=160m", "tmpfs", mnt], capture_output=True).returncode:
        return None
    server = None
    try:
        db = Db("sqlite", mnt)
        server = Server(db, 18990 + os.getpid() % 9, os.path.join(work, "disk-server.log"))
        server.start(demo=True)
        # What the WAL and the free pages still hold fits; then the file must grow, and cannot.
        accepted, stored, _ = write_until_full(server, db, mnt, "disk full", 2000)
        full = (accepted, stored)
        # A read-only file system (a server's files cannot be remounted read-only under it: stopped first).
        server.kill9()
        db.integrity()
        run("mount", "-o", "remount,ro", mnt)
        try:
            p = run(BIN, "serve", "--db", db.url, "--addr", f"127.0.0.1:{server.port}", check=False, timeout=20)
        except subprocess.TimeoutExpired:
            raise Failure("read-only: `serve` neither served nor refused within 20 s")
        if p.returncode == 0 or "只读" not in p.stderr:
            raise Failure(f"read-only: `serve` should refuse at once saying the file system is read-only: {p.stderr}")
        run("mount", "-o", "remount,rw", mnt)
        server.start()
        write, kjt, versions = report_writer(server)
        s, v = write("（演练）恢复写入后")
        if s != 201:
            raise Failure(f"read-only: writes did not resume: {s} {v}")
        rs = p.stderr.strip().splitlines()[0]
        server.kill9()
        db.integrity()
        return full, rs
    finally:
        if server:
            server.kill9()
        subprocess.run(["umount", "-l", mnt], capture_output=True)


def server_errors(work):
    """The servers' own error lines, to say why a check failed."""
    lines = []
    for name in sorted(os.listdir(work)) if os.path.isdir(work) else []:
        if name.endswith(".log"):
            lines += [line for line in open(os.path.join(work, name), errors="replace") if line.startswith("jiqun:")]
    return "".join(lines[-5:])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--quick", action="store_true", help="2 rounds of 200 firms (for CI)")
    ap.add_argument("--pg-restart", action="store_true",
                    help="also crash-restart a private PostgreSQL cluster under writes, and make it read-only")
    ap.add_argument("--disk", action="store_true", help="also fill the disk under SQLite, then make it read-only "
                    "(with --pg-restart, also fill a private PostgreSQL cluster's data volume)")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    a = ap.parse_args()
    rounds, firms = (2, 200) if a.quick else (a.rounds, 2000)
    run("cargo", "build", "-q", "-p", "jiqun")  # nothing to do when the tests built it
    rnd = random.Random(a.seed)
    print(f"fault drill: seed {a.seed}, {rounds} rounds, {firms} firms per import")
    failed = []

    def stage(name, body):
        """Runs body(work) in a fresh folder with its own key file; a failed check is printed, not raised."""
        work = tempfile.mkdtemp(prefix="jiqun-faults-")
        os.environ["JIQUN_KEY_FILE"] = os.path.join(work, "keys")
        try:
            body(work)
        except Failure as e:
            failed.append(name)
            print(f"\n{name}: FAILED (seed {a.seed}): {e}\n{server_errors(work)}", file=sys.stderr)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def kills(kind, work):
        tally, took = drill(kind, rounds, rnd, firms, work)
        print(f"\n{kind}\n\n| operation | uncut run (s) | kills | cut mid-way | outcomes seen | checks |")
        print("|---|---:|---:|---:|---|---|")
        for op, (n, killed, outcomes) in tally.items():
            print(f"| {op} | {took[op]:.2f} | {n} | {killed} | {'; '.join(sorted(outcomes))} | pass |")

    def restart(work):
        ok, refused, stored, (ro_tries, ro_read) = pg_restart(rnd, work, 40 if a.quick else 200)
        print(f"\nPostgreSQL crash-restarted (-m immediate) under 4 writers: {ok} answered 201, {refused} "
              f"refused while it was down, {stored} stored; every 201 stored, one current version, the "
              "server resumed, audit chain verified: pass")
        print(f"PostgreSQL made read-only: write refused with 503 “read-only” (after {ro_tries} answer(s)), a "
              f"read answered {ro_read}, writes resumed after the reset: pass")

    def pg_full(work):
        out = pg_disk(work)
        if out is None:
            print("\nPostgreSQL disk full: skipped, this machine does not allow a tmpfs mount")
            return
        accepted, stored, read_status = out
        print(f"\nPostgreSQL with its database on a full volume: {accepted} write(s) still fitted, then 503 "
              f"“disk full”, a read answered {read_status}, nothing half-written, writes resumed once space "
              "returned, audit chain verified: pass")

    def disk(work):
        out = sqlite_disk(work)
        if out is None:
            print("\nSQLite disk full / read-only: skipped, this machine does not allow a tmpfs mount")
            return
        (accepted, stored), read_status = out
        print(f"\nSQLite on a full disk: {accepted} write(s) still fitted, then 503 “disk full”, nothing "
              "half-written, writes resumed once space returned; on a read-only file system `serve` "
              f"refused at once (“{read_status}”) and served again after the remount; "
              "integrity_check and audit verify: pass")

    os.environ["JIQUN_JOB_STALE_SECONDS"] = "2"
    for kind in ["sqlite", "postgres"] if a.db == "both" else [a.db]:
        stage(kind, lambda work, kind=kind: kills(kind, work))
    if a.pg_restart:
        stage("pg restart", restart)
    if a.disk:
        stage("disk", disk)
    if a.disk and a.pg_restart:
        stage("pg disk", pg_full)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
