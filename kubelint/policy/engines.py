"""Where Rego runs: embedded (regopy) or on an OPA server (opa-python-client).

Both take the same compiled view of a policy set (modules upgraded to Rego
v1, data) and answer the same jobs: (entrypoint, input) -> value, where an
entrypoint is a rule path such as `kubelint_run/results` or
`k8srequiredlabels/violation`.

A time limit per evaluation: regopy cannot be interrupted, so jobs run in a
forked worker that streams each answer back; when one takes longer than the
limit the worker is killed, that job is reported as timed out, and a new
worker (forked from the same compiled bundle) goes on with the next job.
The same shield turns a crash of the interpreter into an error for one job.
Where there is no fork (Windows), jobs run in process without a limit.

A check compiles its policies once, in its worker (Server with `build`):
the parent neither compiles them nor imports regopy; a compile error or a
crash while compiling comes back as the load error.  Only a worker forked
after a time-out or a crash is forked from a bundle compiled in the parent.
"""

from __future__ import annotations

import json
import os
import pickle
import select
import signal
import struct
from collections import deque
from dataclasses import dataclass
from typing import Any, Sequence


class PolicyLoadError(Exception):
    """A policy that cannot be used: one line, with file:line:col when known."""


@dataclass(frozen=True, slots=True)
class Failure:
    """A job that gave no answer: a runtime error, a time-out, a crash."""

    reason: str


Job = tuple[str, Any]  # (entrypoint, input)


class _Silenced:
    """regopy prints compile errors on the C stdout; keep our stdout clean."""

    def __enter__(self):
        import sys

        sys.stdout.flush()
        self.saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)

    def __exit__(self, *exc):
        os.dup2(self.saved, 1)
        os.close(self.saved)


class RegopyEngine:
    """Modules and data compiled once into a regopy bundle."""

    def __init__(self, modules: Sequence[tuple[str, str]], data: dict, entrypoints: Sequence[str], describe,
                 probe: bool = True, calls: dict[str, str] | None = None):
        try:
            from regopy import Interpreter
        except ImportError:
            raise PolicyLoadError("policies need regopy: pip install regopy") from None

        self.entrypoints = list(entrypoints)
        # regopy aborts the process on some constructs it cannot compile:
        # compile once in a forked child first, where that costs nothing (a
        # forked worker compiling its own engine is that child already).
        problem = probe_compile(modules, data, self.entrypoints, calls) if probe else None
        if problem is None:
            with _Silenced():
                problem, self.bundle = _compile(modules, data, self.entrypoints, calls)
        if problem is not None:
            raise PolicyLoadError(describe(problem) if problem.startswith("(") else problem)
        self.interpreter = Interpreter()
        self.names: dict[str, bytes] = {}  # entrypoint -> its bytes

    def evaluate(self, job: Job) -> Any:
        # regopy's rego_set_input, rego_bundle_query_entrypoint and
        # rego_output_string, without a string buffer made per call
        set_input, free_input, query, output_ok, output_size, output_json, free_output, get_error, RegoError = (
            _query_calls or _load_query_calls()
        )
        entrypoint, value = job
        interpreter = self.interpreter._impl
        document = make_input(value)
        try:
            code = set_input(interpreter, document)
            if code != 0:
                raise RegoError(get_error(interpreter), code)
        finally:
            free_input(document)
        name = self.names.get(entrypoint)
        if name is None:
            name = self.names[entrypoint] = entrypoint.encode("utf-8")
        impl = query(interpreter, self.bundle._impl, name)
        if impl == 0:
            raise RegoError(get_error(interpreter))
        try:
            if not output_ok(impl):
                # (reading the text of a failed bundle query crashes regopy 1.5.2)
                return Failure("regopy could not evaluate the policy on this input")
            size = output_size(impl)
            buffer = _output_buffer(size)
            code = output_json(impl, buffer, size)
            if code != 0:
                raise RegoError(get_error(impl), code)
            text = buffer.value.decode("utf-8")
        finally:
            free_output(impl)
        if text == "undefined" or not text:
            return None
        if text.startswith("(") or text.startswith("<"):
            return Failure(_runtime_error(text))
        try:
            out = loads_lenient(text)
        except ValueError as e:
            if "(error" in text:
                return Failure(f"regopy: {_runtime_error(text[text.index('(error'):])}")
            return Failure(f"unreadable result from the engine: {e}")
        if isinstance(out, list):
            out = out[0] if out else {}
        expressions = out.get("expressions") or []
        return expressions[0] if expressions else None


_query_calls: list = []
_buffers: list = []  # the one output buffer, grown as needed


def _load_query_calls() -> list:
    from regopy import rego_shared as rs

    lib = rs.rego
    _query_calls[:] = [lib.regoSetInput, lib.regoFreeInput, lib.regoBundleQueryEntrypoint, lib.regoOutputOk,
                       lib.regoOutputJSONSize, lib.regoOutputJSON, lib.regoFreeOutput, rs.rego_get_error, rs.RegoError]
    return _query_calls


def _output_buffer(size: int):
    """A buffer of at least `size` bytes (regoOutputJSON ends the text with a
    NUL, where `.value` stops)."""
    if not _buffers or len(_buffers[0]) < size:
        import ctypes

        _buffers[:] = [ctypes.create_string_buffer(max(size, 2 * len(_buffers[0]) if _buffers else 1 << 16))]
    return _buffers[0]


def loads_lenient(text: str) -> Any:
    """JSON from regopy.  regopy 1.5.2 sometimes leaves the quotes of a
    string made by sprintf("%v", [collection]) unescaped (`one of [""]`);
    escape the quote that closed a string too early, and try again."""
    for _ in range(200):
        try:
            return _LENIENT.decode(text)  # (raw control characters in strings, too)
        except json.JSONDecodeError as e:
            quote = text.rfind('"', 0, e.pos)
            if quote <= 0 or text[quote - 1] == "\\":
                raise
            text = text[:quote] + "\\" + text[quote:]
    return _LENIENT.decode(text)


_LENIENT = json.JSONDecoder(strict=False)  # (json.loads(text, strict=False) makes one per call)
CRASHED = "regopy crashed compiling the policies"


def probe_compile(modules: Sequence[tuple[str, str]], data: dict, entrypoints: Sequence[str],
                  calls: dict[str, str] | None = None) -> str | None:
    """None when the policies compile; else regopy's error dump, or CRASHED
    (with the first module that makes it crash, when one does alone)."""
    if not hasattr(os, "fork"):
        return _compile_errors(modules, data, entrypoints, calls)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)  # and the C++ runtime's abort message
        try:
            text = _compile_errors(modules, data, entrypoints, calls) or ""
            with os.fdopen(write_fd, "wb") as out:
                out.write(b"ok:" + text.encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as reader:
        answer = reader.read()
    os.waitpid(pid, 0)
    if answer.startswith(b"ok:"):
        return answer[3:].decode() or None
    return CRASHED


def _compile_errors(modules, data, entrypoints, calls=None) -> str | None:
    return _compile(modules, data, entrypoints, calls)[0]


# Builtins regopy 1.5.2 evaluates though rego_is_available_builtin denies them.
_SPECIAL_BUILTINS = frozenset({"print"})


def _compile(modules, data, entrypoints, calls=None) -> tuple[str | None, Any]:
    """(None, the bundle) when the policies compile; else (regopy's error
    dump, or a line of ours, None).  `calls`: names called bare that no
    rule of their package defines, with where each is first called
    ("file:line:column"): each must be a builtin.  (regopy compiles a call
    to an undefined function and fails every evaluation that reaches it;
    OPA refuses the policy.)"""
    from regopy import Interpreter
    from regopy.rego_shared import RegoError, rego_is_available_builtin, rego_output_string, rego_query, rego_version

    interpreter = Interpreter()
    try:
        for name, source in modules:
            interpreter.add_module(name, source)
        interpreter.add_data(data)
        # Compile errors surface on the first query.
        check = rego_output_string(rego_query(interpreter._impl, "x := 1"))
        if check.startswith("(rego-errorseq") or check.startswith("(error"):
            return check, None
        for name, where in (calls or {}).items():
            if name not in _SPECIAL_BUILTINS and not rego_is_available_builtin(interpreter._impl, name):
                return (f"{where}: undefined function {name}: no rule of its package defines it, and the embedded "
                        f"engine (regopy {rego_version()}) has no builtin of that name"), None
        if entrypoints:
            return None, interpreter.build(None, list(entrypoints))
    except RegoError as e:
        return str(e.args[0] if e.args else e), None
    return None, None


def _runtime_error(text: str) -> str:
    from kubelint.policy.rego import error_message

    return error_message(text) if "errormsg" in text else "the policy could not be evaluated"


class RoutedEngine:
    """Several compiled groups; a job goes to the group of its package."""

    def __init__(self, groups: dict):
        self.groups = groups  # template package ("" for the rest) -> RegopyEngine
        self.routes: dict[str, Any] = {}  # entrypoint -> its group's engine

    def evaluate(self, job: Job) -> Any:
        engine = self.routes.get(job[0])
        if engine is None:
            package = job[0].rsplit("/", 1)[0].replace("/", ".")
            engine = self.routes[job[0]] = self.groups.get(package) or self.groups.get("")
        return engine.evaluate(job)


class OpaEngine:
    """Policies pushed to an OPA server (or already there: `push=False`),
    queried through its data API."""

    def __init__(self, url: str, modules, data: dict, entrypoints, timeout: float, push: bool = True, conftest=()):
        from urllib.parse import urlsplit

        try:
            from opa_client import OpaClient
        except ImportError:
            raise PolicyLoadError("--opa-url needs opa-python-client: pip install 'kubelint[opa]'") from None

        parts = urlsplit(url if "//" in url else f"http://{url}")
        if not parts.hostname:
            raise PolicyLoadError(f"--opa-url {url}: not a URL")
        self.client = OpaClient(
            host=parts.hostname,
            port=parts.port or (443 if parts.scheme == "https" else 8181),
            ssl=parts.scheme == "https",
            timeout=timeout,
            retries=0,
        )
        self.entrypoints = list(entrypoints)
        self.push = push
        # Without pushing, the wrapper package is not on the server: each
        # conftest package is queried (one evaluation per object and package).
        self.conftest = [(package, rule, name) for package, rule, name in conftest]
        if not push:
            return
        try:
            for name, source in modules:
                self.client.update_policy_from_string(source, _policy_id(name), rego_compat=False)
            for key, value in data.items():
                self.client.update_or_create_data(value if isinstance(value, dict) else {"value": value}, key)
        except Exception as e:  # the client raises its own error types and requests' ones
            raise PolicyLoadError(f"--opa-url {url}: {_describe_opa_error(e)}") from None

    def evaluate(self, job: Job) -> Any:
        entrypoint, value = job
        package, _, rule = entrypoint.rpartition("/")
        if not self.push and entrypoint == "kubelint_run/results":
            results: dict = {}
            for pkg in dict.fromkeys(p for p, _, _ in self.conftest):
                try:
                    document = self.client.query_rule(value, pkg).get("result") or {}
                except Exception as e:
                    return Failure(f"OPA server: {_describe_opa_error(e)}")
                for p, r, name in self.conftest:
                    if p == pkg and r in document:
                        results[name] = document[r]
            return results
        try:
            answer = self.client.query_rule(value, package.replace("/", "."), rule)
        except Exception as e:
            return Failure(f"OPA server: {_describe_opa_error(e)}")
        return answer.get("result")


def _policy_id(name: str) -> str:
    return "kubelint/" + "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def _describe_opa_error(e: Exception) -> str:
    text = str(e) or type(e).__name__
    if "timed out" in text.lower() or "timeout" in type(e).__name__.lower():
        return "timed out"
    return " ".join(text.split())[:300]


# --- running jobs with a time limit ---------------------------------------

WORKERS = 2  # forked workers per run: they run beside the built-in rules


class PendingJobs:
    """Jobs under way in forked workers; `results()` collects them in order."""

    def __init__(self, engine, jobs: Sequence[Job], timeout: float | None, workers: int = WORKERS):
        self.engine, self.jobs, self.timeout = engine, list(jobs), timeout
        self.answers: list[Any] = [None] * len(self.jobs)
        self.shards: list[tuple[int, int, Any]] = []  # (start, end, running worker)
        self.inline = not self.jobs or timeout is None or not hasattr(os, "fork") or isinstance(engine, OpaEngine)
        if self.inline:
            return
        size = -(-len(self.jobs) // max(1, workers))
        for start in range(0, len(self.jobs), size):
            end = min(start + size, len(self.jobs))
            self.shards.append((start, end, _Worker(engine, self.jobs, start, end)))

    def results(self) -> list[Any]:
        if self.inline:
            with _Silenced():
                return [_safe(self.engine, job) for job in self.jobs]
        for start, end, worker in self.shards:
            while True:
                start = worker.collect(self.answers, self.timeout)
                if start >= end:
                    break
                worker = _Worker(self.engine, self.jobs, start, end)
        return self.answers


def run_jobs(engine, jobs: Sequence[Job], timeout: float | None, workers: int = 1) -> list[Any]:
    """Answers in job order; a Failure for a job that timed out or crashed."""
    return PendingJobs(engine, jobs, timeout, workers).results()


def _safe(engine, job: Job) -> Any:
    try:
        return engine.evaluate(job)
    except (ValueError, RuntimeError) as e:
        return Failure(str(e))


class _Worker:
    """A forked process answering jobs[start:end], one message per job."""

    def __init__(self, engine, jobs: Sequence[Job], start: int, end: int):
        self.start, self.end = start, end
        read_fd, write_fd = os.pipe()
        try:
            import fcntl

            # Room for every answer, so the worker never waits for the
            # parent, which is busy with the built-in rules meanwhile.
            fcntl.fcntl(write_fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
        except (ImportError, OSError):
            pass
        pid = os.fork()
        if pid == 0:  # the worker
            os.close(read_fd)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)  # regopy prints errors on stdout
            try:
                out = os.fdopen(write_fd, "wb", buffering=1 << 16)
                for index in range(start, end):
                    payload = pickle.dumps((index, _safe(engine, jobs[index])), protocol=pickle.HIGHEST_PROTOCOL)
                    out.write(struct.pack("!I", len(payload)) + payload)
                    out.flush()
                out.close()
            finally:
                os._exit(0)
        os.close(write_fd)
        self.pid = pid
        self.reader = os.fdopen(read_fd, "rb", buffering=0)

    def collect(self, answers: list, timeout: float) -> int:
        """Read answers; return where a next worker must start (self.end when done)."""
        next_index = self.start
        try:
            while next_index < self.end:
                header = _read_exact(self.reader, 4, timeout)
                if header is None:  # time-out
                    answers[next_index] = Failure(f"evaluation took longer than {timeout:g}s")
                    os.kill(self.pid, signal.SIGKILL)
                    return next_index + 1
                if not header:  # the worker died
                    answers[next_index] = Failure("the policy engine crashed on this input")
                    return next_index + 1
                (size,) = struct.unpack("!I", header)
                body = _read_exact(self.reader, size, timeout)
                if not body:
                    answers[next_index] = Failure("the policy engine crashed on this input")
                    return next_index + 1
                index, value = pickle.loads(body)
                answers[index] = value
                next_index = index + 1
            return next_index
        finally:
            self.reader.close()
            os.waitpid(self.pid, 0)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_exact(reader, size: int, timeout: float | None) -> bytes | None:
    """`size` bytes; b"" at end of file; None after `timeout` seconds of silence."""
    chunks = []
    while size:
        ready, _, _ = select.select([reader], [], [], timeout)
        if not ready:
            return None
        chunk = reader.read(size)
        if not chunk:
            return b""
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def make_input(value: Any):
    """A regopy input document built straight from plain data (about 1.6
    times faster than regopy.Input, which checks abstract types per node;
    and 13% faster again calling the library without ctypes' argument
    conversion nor a release of the GIL per call, keys encoded once).
    Strings go in as `rego_string` gives them.  The caller frees it with
    rego_free_input."""
    from ctypes import c_double, c_int64, c_void_p

    from kubelint.policy.rego import rego_string

    calls = _raw_calls or _load_raw_calls()
    i_str, i_int, i_float, i_bool, i_null, i_item, i_obj, i_arr, new_input = calls
    keys = _encoded_keys
    p = c_void_p(new_input())

    def add(v: Any) -> None:
        t = type(v)
        if t is str:
            i_str(p, rego_string(v))
        elif t is dict:
            for k, x in v.items():
                if type(k) is str:
                    b = keys.get(k)
                    if b is None:
                        b = rego_string(k)
                        if len(keys) < 65536:
                            keys[k] = b
                else:  # (not cached: True and 1 are one key of a dict)
                    b = rego_string(str(k))
                i_str(p, b)
                add(x)
                i_item(p)
            i_obj(p, len(v))
        elif t is list:
            for x in v:
                add(x)
            i_arr(p, len(v))
        elif t is bool:
            i_bool(p, v)
        elif t is int:
            i_int(p, c_int64(v))  # (wrapped past 64 bits, as ctypes' c_int64 argument was)
        elif t is float:
            i_float(p, c_double(v))
        elif v is None:
            i_null(p)
        else:  # dates and other YAML scalars, as the API server would read them: strings
            i_str(p, rego_string(str(v)))

    add(value)
    return p.value


_raw_calls: list = []
_encoded_keys: dict = {}  # key -> its bytes as rego_string gives them (keys repeat across objects)


def _load_raw_calls() -> list:
    """regopy's input functions without argtypes (so no conversion per call:
    the caller passes a c_void_p, bytes, C ints and ctypes numbers), from a
    handle of our own (regopy's function objects keep theirs), a PyDLL: the
    calls are too short to be worth releasing the GIL."""
    import ctypes

    from regopy import rego_shared as rs

    lib = ctypes.PyDLL(rs.rego._name)
    calls = []
    for name in ("regoInputString", "regoInputInt", "regoInputFloat", "regoInputBoolean", "regoInputNull",
                 "regoInputObjectItem", "regoInputObject", "regoInputArray", "regoNewInput"):
        f = getattr(lib, name)
        f.restype = ctypes.c_void_p if name == "regoNewInput" else None
        calls.append(f)
    _raw_calls[:] = calls
    return _raw_calls


UNSET = object()  # a Ticket's answer before it arrives


class Ticket:
    """A job sent to a Server; `answer` is UNSET until it comes back."""

    __slots__ = ("job", "answer")

    def __init__(self, job: Job):
        self.job, self.answer = job, UNSET


class Server:
    """One forked worker kept for the run, answering jobs in the order they
    are sent: the per-object path (a caller that checks a file's objects and
    lets them go).  `send` does not wait, so the worker evaluates while the
    caller goes on (with the built-in rules, on another core); `wait` (or
    `ask`, both at once) takes an answer.  A job that gives no answer for
    the time limit (counted from when the caller waits for it) kills the
    worker: it gets a Failure, and the jobs sent after it go to a new worker
    forked from the same compiled engine; a crash is a Failure too."""

    def __init__(self, engine, timeout: float | None, build=None):
        # `build`, instead of an engine: the worker compiles the policies
        # itself (`build(probe=False)`), and start() reports a compile error
        # as a PolicyLoadError; a worker forked after a failure gets an
        # engine compiled here (`build()`).
        self.engine, self.timeout, self.build = engine, timeout, build
        self.pid = None
        self.compiled = False  # a worker compiled `build` (so the policies compile)
        self.inline = timeout is None or not hasattr(os, "fork") or isinstance(engine, OpaEngine)
        if self.inline and engine is None and build is not None:
            self.engine = build()
        self.in_flight: deque[Ticket] = deque()  # sent, not answered, in order

    def __del__(self):
        # a worker forked ahead for a run that stopped early (a usage error)
        try:
            self.close()
        except Exception:  # (at interpreter exit, os may be half gone)
            pass

    def start(self) -> None:
        """Fork the worker now rather than at the first job."""
        if not self.inline and self.pid is None:
            self._start()

    def ask(self, job: Job) -> Any:
        ticket = self.send(job)
        self.wait(ticket)
        return ticket.answer

    def send(self, job: Job, payload: bytes | None = None) -> Ticket:
        """Send a job (`payload`: the job pickled, when the caller has it)."""
        ticket = Ticket(job)
        if self.inline:
            with _Silenced():
                ticket.answer = _safe(self.engine, job)
            return ticket
        self.in_flight.append(ticket)
        self._write(ticket, payload)
        return ticket

    def poll(self) -> None:
        """Take the answers that are in, without waiting."""
        while self.in_flight and self.pid is not None:
            if self._take():
                continue
            ready, _, _ = select.select([self.from_child], [], [], 0)
            if not ready:
                return
            self._receive()

    def wait(self, ticket: Ticket) -> None:
        while ticket.answer is UNSET and self.in_flight:
            self._read_one(self.timeout)

    def _write(self, ticket: Ticket, payload: bytes | None = None) -> None:
        """Send a job; while the worker's inbox is full, take its answers.
        When the worker fails meanwhile, `_fail` sends the job again."""
        if self.pid is None:
            self._start()
        if payload is None:
            payload = pickle.dumps(ticket.job, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(struct.pack("!I", len(payload)) + payload)
        while view:
            try:
                view = view[os.write(self.to_child, view):]
                continue
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:  # the worker is gone: take the answers it gave, then fail the job it died on
                while self.pid is not None and self.in_flight:
                    self._read_one(self.timeout)
                return
            # the inbox is full: take answers until there is room
            ready_r, ready_w, _ = select.select([self.from_child], [self.to_child], [], self.timeout)
            if ready_r:
                if not self._receive():
                    return
                while self._take():
                    pass
            elif not ready_w:  # the worker neither reads nor answers: stuck on a job
                self._fail("evaluation took longer than {timeout}s")
                return

    def _read_one(self, timeout: float | None) -> None:
        """The answer of the oldest job in flight (or its failure)."""
        while not self._take():
            ready, _, _ = select.select([self.from_child], [], [], timeout)
            if not ready:
                self._fail("evaluation took longer than {timeout}s")
                return
            if not self._receive():
                return

    def _receive(self) -> bool:
        """Read what the worker wrote; False (after _fail) when it died."""
        data = os.read(self.from_child, 1 << 16)
        if not data:
            self._fail("the policy engine crashed on this input")
            return False
        self.inbox += data
        return True

    def _take(self) -> bool:
        """Give the oldest job in flight its answer when the whole answer is in."""
        inbox = self.inbox
        if len(inbox) < 4 or not self.in_flight:
            return False
        (size,) = struct.unpack_from("!I", inbox)
        if len(inbox) < 4 + size:
            return False
        body = bytes(inbox[4 : 4 + size])
        del inbox[: 4 + size]
        ticket = self.in_flight.popleft()
        ticket.answer, ticket.job = pickle.loads(body), None
        return True

    def _fail(self, reason: str) -> None:
        """The oldest job in flight failed: kill the worker, answer it with a
        Failure, and send the jobs after it to a new worker."""
        self.close()
        if self.in_flight:
            ticket = self.in_flight.popleft()
            ticket.answer, ticket.job = Failure(reason.format(timeout=f"{self.timeout:g}")), None
        again, self.in_flight = list(self.in_flight), deque()
        for ticket in again:
            if ticket.answer is UNSET:
                self.in_flight.append(ticket)
                self._write(ticket)

    def _start(self) -> None:
        compile_here = self.engine is None and not self.compiled
        if self.engine is None and not compile_here:
            self.engine = self.build()
        job_r, job_w = os.pipe()
        ans_r, ans_w = os.pipe()
        for fd in (job_w, ans_w):
            try:
                import fcntl

                fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
            except (ImportError, OSError):
                pass
        pid = os.fork()
        if pid == 0:
            os.close(job_w)
            os.close(ans_r)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            try:
                if compile_here:
                    status = self._compile_in_worker(devnull)
                    _write_all(ans_w, status)
                    if len(status) > 4:
                        return  # (could not compile: the worker ends)
                jobs = os.fdopen(job_r, "rb", buffering=1 << 16)
                while True:
                    header = jobs.read(4)
                    if len(header) < 4:
                        break
                    job = pickle.loads(jobs.read(struct.unpack("!I", header)[0]))
                    answer = pickle.dumps(_safe(self.engine, job), protocol=pickle.HIGHEST_PROTOCOL)
                    _write_all(ans_w, struct.pack("!I", len(answer)) + answer)
            finally:
                os._exit(0)
        os.close(job_r)
        os.close(ans_w)
        os.set_blocking(job_w, False)
        self.pid, self.to_child, self.from_child = pid, job_w, ans_r
        self.inbox = bytearray()  # answers read, not yet taken
        if compile_here:
            self._compiled()

    def _compile_in_worker(self, devnull: int) -> bytes:
        """In the worker: compile the engine.  The first message to the
        parent: empty when it compiles, else the load error (and the worker
        ends).  A crash here ends the worker: the parent reports it."""
        saved = os.dup(2)
        os.dup2(devnull, 2)  # (the C++ runtime's abort message)
        try:
            self.engine = self.build(probe=False)
            message = b""
        except PolicyLoadError as e:
            message = str(e).encode()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        return struct.pack("!I", len(message)) + message

    def _compiled(self) -> None:
        """In the parent: the worker's first message; a PolicyLoadError when
        it could not compile the policies."""
        while len(self.inbox) < 4 or len(self.inbox) < 4 + struct.unpack_from("!I", self.inbox)[0]:
            data = os.read(self.from_child, 1 << 16)
            if not data:
                self.close()
                raise PolicyLoadError(CRASHED)
            self.inbox += data
        (size,) = struct.unpack_from("!I", self.inbox)
        message = bytes(self.inbox[4 : 4 + size]).decode()
        del self.inbox[: 4 + size]
        if message:
            self.close()
            raise PolicyLoadError(message)
        self.compiled = True

    def close(self) -> None:
        if self.pid is None:
            return
        try:
            os.close(self.to_child)
            os.close(self.from_child)
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass
        os.waitpid(self.pid, 0)
        self.pid = None
