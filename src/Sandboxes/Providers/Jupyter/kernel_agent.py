# The Sandboxes agent inside a Jupyter kernel. It is installed as the module _sandboxes_agent (not in the user's
# namespace) and called with
#   sys.modules["_sandboxes_agent"].call("BASE64 JSON {op, ...}")
# Each call answers with one display_data message of type application/vnd.sandboxes.agent+json.
#
# It gives the library's remote-process kit its one primitive: "launch" starts a program with pipes, and a single pump
# thread pushes the output of every launched process, batched, as display_data messages whose parent is the kernel's
# output id (PUMP_PREFIX + kernel id), at most one message per tick, so that the server's IOPub rate limit is never
# reached however many processes run. A process sends at most WINDOW bytes its client has not acknowledged ("ack"), so
# that endless output waits in the pipe, not in memory. Everything else (background commands, timeouts, signals,
# listings) is the kit's, done with shell scripts over /proc.
import base64
import json
import os
import signal
import stat as stat_module
import subprocess
import threading
import time

MIME = "application/vnd.sandboxes.agent+json"
PUMP_PREFIX = "sandboxes-output-"
SANDBOX_VARIABLE = "SANDBOXES_SANDBOX"
WINDOW = 1 << 20          # unacknowledged bytes a process may have in flight
READ_SIZE = 64 * 1024
TICK = 0.02               # seconds between output messages
MESSAGE_BUDGET = 8 << 20  # raw output bytes in one message
STDIN_QUEUE = 1 << 20     # bytes of stdin a process may have queued
STATE = {"kernel_id": None, "workspace": None, "env": {}, "created": None, "contexts": {}}
PROCS = {}
LOCK = threading.Condition()
PUMP = {"thread": None}


def _publish(result):
    from IPython.display import publish_display_data
    publish_display_data({MIME: result})


def call(payload):
    request = json.loads(base64.b64decode(payload).decode("utf-8"))
    try:
        result = OPS[request.pop("op")](**request)
    except Exception as error:  # reported to the client, which maps it to a typed error
        result = {"error": type(error).__name__, "message": str(error)}
    _publish(result)


def configure(kernel_id, workspace=None, env=None, created=None):
    STATE["kernel_id"] = kernel_id
    workspace = workspace or STATE["workspace"] or os.getcwd()
    STATE["workspace"] = workspace
    STATE["created"] = created or STATE["created"]
    STATE["env"].update(env or {})
    os.environ.update(env or {})
    os.makedirs(workspace, exist_ok=True)
    os.chdir(workspace)
    return info()


def info():
    return {"pid": os.getpid(), "cwd": os.getcwd(), "workspace": STATE["workspace"], "env": STATE["env"],
            "created": STATE["created"], "configured": STATE["kernel_id"] is not None}


class _Proc(object):
    def __init__(self, stream, popen):
        self.stream = stream
        self.popen = popen
        self.out = bytearray()
        self.err = bytearray()
        self.open_pipes = 2
        self.unacked = 0
        self.released = False
        self.exit = None
        self.stdin = []          # queued stdin chunks; None closes
        self.stdin_queued = 0
        self.stdin_broken = False


def launch(stream, argv, env=None, cwd=None, stdin=False):
    directory = cwd or STATE["workspace"] or os.getcwd()
    if not os.path.isdir(directory):
        return {"error": "BadCwd", "message": "'%s' is not a directory" % directory}
    full_env = dict(os.environ)
    full_env.update(STATE["env"])
    full_env.update(env or {})
    # Every process of the sandbox carries its kernel's id, so that killing the sandbox finds them all.
    full_env[SANDBOX_VARIABLE] = STATE["kernel_id"] or ""
    # Each in a session of its own: the kernel's interrupts (to its process group) are not the command's.
    popen = subprocess.Popen(argv, cwd=directory, env=full_env, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, close_fds=True)
    proc = _Proc(stream, popen)
    with LOCK:
        PROCS[stream] = proc
        _ensure_pump()
    threading.Thread(target=_read, args=(proc, popen.stdout, False), daemon=True).start()
    threading.Thread(target=_read, args=(proc, popen.stderr, True), daemon=True).start()
    if stdin:
        threading.Thread(target=_write, args=(proc,), daemon=True).start()
    return {"pid": popen.pid}


def _read(proc, pipe, is_err):
    fd = pipe.fileno()
    try:
        while True:
            with LOCK:
                while not proc.released and proc.unacked + len(proc.out) + len(proc.err) >= WINDOW:
                    LOCK.wait()
            data = os.read(fd, READ_SIZE)
            if not data:
                break
            with LOCK:
                if not proc.released:
                    (proc.err if is_err else proc.out).extend(data)
                    LOCK.notify_all()
    except OSError:
        pass
    finally:
        pipe.close()
        with LOCK:
            proc.open_pipes -= 1
            last = proc.open_pipes == 0
            LOCK.notify_all()
        if last:
            code = proc.popen.wait()
            with LOCK:
                proc.exit = code if code >= 0 else 128 - code
                LOCK.notify_all()


def _write(proc):
    pipe = proc.popen.stdin
    while True:
        with LOCK:
            while not proc.stdin and proc.exit is None:
                LOCK.wait()
            if not proc.stdin:
                break
            chunk = proc.stdin.pop(0)
        if chunk is None:
            break
        try:
            pipe.write(chunk)
            pipe.flush()
        except (OSError, ValueError):
            with LOCK:
                proc.stdin_broken = True
                proc.stdin = []
            break
        with LOCK:
            proc.stdin_queued -= len(chunk)
    try:
        pipe.close()
    except (OSError, ValueError):
        pass


def _ensure_pump():
    if PUMP["thread"] is None:
        PUMP["thread"] = threading.Thread(target=_pump, daemon=True)
        PUMP["thread"].start()


def _pump():
    from IPython import get_ipython
    kernel = get_ipython().kernel
    while True:
        with LOCK:
            while not any(_has_news(p) for p in PROCS.values()):
                LOCK.wait()
            items = []
            budget = MESSAGE_BUDGET
            for proc in list(PROCS.values()):
                if not _has_news(proc) or budget <= 0:
                    continue
                out, err = bytes(proc.out[:budget]), b""
                del proc.out[:len(out)]
                budget -= len(out)
                if budget > 0:
                    err = bytes(proc.err[:budget])
                    del proc.err[:len(err)]
                    budget -= len(err)
                proc.unacked += len(out) + len(err)
                item = {"id": proc.stream, "out": base64.b64encode(out).decode("ascii"), "err": base64.b64encode(err).decode("ascii")}
                if proc.exit is not None and not proc.out and not proc.err:
                    item["exit"] = proc.exit
                    del PROCS[proc.stream]
                items.append(item)
            LOCK.notify_all()
        if items:
            try:
                _send(kernel, items)
            except Exception:  # the kernel is going away; nothing is left to tell
                pass
        time.sleep(TICK)


def _send(kernel, items):
    parent = {"msg_id": PUMP_PREFIX + (STATE["kernel_id"] or ""), "msg_type": "sandboxes_output", "session": "",
                      "username": "", "date": "", "version": "5.3"}
    kernel.session.send(kernel.iopub_socket, "display_data", {"data": {MIME: {"items": items}}, "metadata": {}, "transient": {}},
                        parent=parent, ident=b"sandboxes")


def _has_news(proc):
    return proc.out or proc.err or (proc.exit is not None)


def ack(stream, count):
    with LOCK:
        proc = PROCS.get(stream)
        if proc is not None:
            proc.unacked = max(0, proc.unacked - int(count))
            LOCK.notify_all()
    return {}


def write(stream, data):
    """Queues stdin; answers full when the queue is (the client waits and asks again), closed when it was closed."""
    chunk = base64.b64decode(data)
    with LOCK:
        proc = PROCS.get(stream)
        if proc is None or proc.stdin_broken or proc.popen.stdin is None or proc.popen.stdin.closed or None in proc.stdin:
            return {"error": "Closed", "message": "the process does not read its stdin"}
        if proc.stdin_queued > 0 and proc.stdin_queued + len(chunk) > STDIN_QUEUE:
            return {"full": True}
        proc.stdin.append(chunk)
        proc.stdin_queued += len(chunk)
        LOCK.notify_all()
    return {}


def close(stream):
    with LOCK:
        proc = PROCS.get(stream)
        if proc is not None and proc.popen.stdin is not None and None not in proc.stdin:
            proc.stdin.append(None)
            LOCK.notify_all()
    return {}


def release(stream):
    """The client leaves: stdin closes and output is read and dropped, so that the process never waits for it."""
    close(stream)
    with LOCK:
        proc = PROCS.pop(stream, None)
        if proc is not None:
            proc.released = True
            proc.out, proc.err = bytearray(), bytearray()
            LOCK.notify_all()
    return {}


def shutdown():
    """Kills every process of the sandbox, found by the variable each carries: they run in sessions of their own."""
    tag = ("%s=%s" % (SANDBOX_VARIABLE, STATE["kernel_id"])).encode("utf-8")
    if STATE["kernel_id"] is None:
        return {}
    for _ in range(50):
        pids = []
        for name in os.listdir("/proc"):
            if name.isdigit() and int(name) != os.getpid():
                try:
                    with open("/proc/%s/environ" % name, "rb") as f:
                        if tag in f.read().split(b"\0"):
                            pids.append(int(name))
                except OSError:
                    pass
        if not pids:
            break
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except OSError:
                    pass
        time.sleep(0.01)
    return {}


def read(path, limit):
    """A small regular file read whole (the kit's state, /etc/passwd), wherever the contents API cannot reach."""
    # Opened without blocking and checked: a command may have put a FIFO or a device where a file is expected.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if not stat_module.S_ISREG(os.fstat(fd).st_mode):
            return {"refused": "it is not a regular file"}
        data = os.read(fd, int(limit) + 1)
    finally:
        os.close(fd)
    if len(data) > int(limit):
        return {"refused": "it is larger than %d bytes" % int(limit)}
    return {"data": base64.b64encode(data).decode("ascii")}


def stat(paths):
    result = {}
    for path in paths:
        try:
            st = os.lstat(path)
            result[path] = {"mode": st.st_mode & 0o7777, "link": os.path.islink(path), "dir": os.path.isdir(path)}
        except OSError:
            pass
    return result


def chmod(path, mode):
    os.chmod(path, mode)
    return {}


def contexts_put(id, record):
    """Records of the library's process-based contexts of this sandbox (JSON text), for every client of the kernel."""
    STATE["contexts"][id] = record
    return {}


def contexts_get(id):
    return {"record": STATE["contexts"].get(id)}


def contexts_list():
    return {"records": list(STATE["contexts"].values())}


def contexts_remove(id):
    STATE["contexts"].pop(id, None)
    return {}


OPS = {
    "configure": configure, "info": info, "shutdown": shutdown, "launch": launch, "ack": ack, "write": write, "close": close,
    "release": release, "read": read, "stat": stat, "chmod": chmod,
    "contexts_put": contexts_put, "contexts_get": contexts_get, "contexts_list": contexts_list, "contexts_remove": contexts_remove,
}
