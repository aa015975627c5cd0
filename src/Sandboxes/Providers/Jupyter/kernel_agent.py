# The Sandboxes agent inside a Jupyter kernel: the jupyter provider runs commands as subprocesses of the sandbox's
# kernel through it. It is installed as the module _sandboxes_agent (not in the user's namespace) and called with
#   sys.modules["_sandboxes_agent"].call("BASE64 JSON {op, ...}")
# Each call answers with one display_data message of type application/vnd.sandboxes.agent+json.
#
# Commands run as "/bin/sh -c CMD" in their own session, their output going to files under
# /tmp/.sandboxes/KERNEL/jobs/HANDLE, so that any client can follow them; a thread per command records its exit, and a
# timer kills its process group at its deadline. Calls return at once except "poll", which waits up to wait_ms for
# output, so a client follows a command with few round trips and the kernel stays free for other callers.
import base64
import json
import os
import signal
import subprocess
import threading
import time
import uuid

MIME = "application/vnd.sandboxes.agent+json"
STATE = {"jobs_dir": None, "workspace": None, "env": {}, "created": None, "contexts": {}}
JOBS = {}
LOCK = threading.Lock()


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
    STATE["jobs_dir"] = os.path.join("/tmp/.sandboxes", kernel_id, "jobs")
    os.makedirs(STATE["jobs_dir"], exist_ok=True)
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
            "created": STATE["created"], "configured": STATE["jobs_dir"] is not None}


def shutdown():
    """Kills every command this agent started (they run in sessions of their own, which a kernel's end would not reach)."""
    with LOCK:
        jobs = list(JOBS.values())
    for job in jobs:
        if job.exit is None:
            try:
                os.killpg(job.process.pid, signal.SIGKILL)
            except OSError:
                pass
    return {}


class _Job(object):
    def __init__(self, handle, directory, process, command, timeout):
        self.handle = handle
        self.dir = directory
        self.process = process
        self.command = command
        self.timeout = timeout
        self.exit = None


def _path(job_dir, name):
    return os.path.join(job_dir, name)


def _wait(job):
    code = job.process.wait()
    code = code if code >= 0 else 128 - code
    job.exit = code
    with open(_path(job.dir, "exit.tmp"), "w") as f:
        f.write("%d\n" % code)
    os.replace(_path(job.dir, "exit.tmp"), _path(job.dir, "exit"))


def _expire(job):
    if job.exit is None:
        open(_path(job.dir, "timed_out"), "w").close()
        try:
            os.killpg(job.process.pid, signal.SIGKILL)
        except OSError:
            pass


def _feed(stream, data):
    try:
        stream.write(data)
    except OSError:
        pass
    finally:
        try:
            stream.close()
        except OSError:
            pass


def start(cmd, cwd=None, env=None, stdin=None, keep_stdin=False, timeout=None):
    directory = cwd or STATE["workspace"] or os.getcwd()
    if not os.path.isdir(directory):
        return {"error": "BadCwd", "message": "'%s' is not a directory" % directory}
    handle = "job-" + uuid.uuid4().hex[:16]
    job_dir = os.path.join(STATE["jobs_dir"], handle)
    os.makedirs(job_dir)
    full_env = dict(os.environ)
    full_env.update(STATE["env"])
    full_env.update(env or {})
    with open(_path(job_dir, "stdout"), "wb") as out, open(_path(job_dir, "stderr"), "wb") as err:
        process = subprocess.Popen(["/bin/sh", "-c", cmd], cwd=directory, env=full_env,
                                   stdin=subprocess.PIPE if (keep_stdin or stdin is not None) else subprocess.DEVNULL,
                                   stdout=out, stderr=err, start_new_session=True, close_fds=True)
    with open(_path(job_dir, "command"), "w") as f:
        f.write(cmd)
    job = _Job(handle, job_dir, process, cmd, timeout)
    with LOCK:
        JOBS[handle] = job
    if stdin is not None and not keep_stdin:
        threading.Thread(target=_feed, args=(process.stdin, base64.b64decode(stdin)), daemon=True).start()
    threading.Thread(target=_wait, args=(job,), daemon=True).start()
    if timeout:
        timer = threading.Timer(float(timeout), _expire, [job])
        timer.daemon = True
        timer.start()
    return {"pid": process.pid, "handle": handle}


def _job_dir(handle):
    if not handle.startswith("job-") or "/" in handle:
        return None
    directory = os.path.join(STATE["jobs_dir"] or "/nonexistent", handle)
    return directory if os.path.isdir(directory) else None


def _read_exit(directory):
    try:
        with open(_path(directory, "exit")) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def _size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _read(path, offset, limit):
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            return f.read(limit)
    except OSError:
        return b""


def _news(handle, out_offset, err_offset, limit):
    directory = _job_dir(handle)
    if directory is None:
        return {"error": "NotFound", "message": "no command %s" % handle}
    # The exit is read first, and reported only with the last of the output, read after it.
    exit_code = _read_exit(directory)
    out_path, err_path = _path(directory, "stdout"), _path(directory, "stderr")
    out_size, err_size = _size(out_path), _size(err_path)
    if out_size <= out_offset and err_size <= err_offset and exit_code is None:
        return None
    out = _read(out_path, out_offset, limit)
    err = _read(err_path, err_offset, limit)
    complete = exit_code is not None and out_offset + len(out) >= out_size and err_offset + len(err) >= err_size
    job = JOBS.get(handle)
    return {
        "out": base64.b64encode(out).decode("ascii"),
        "err": base64.b64encode(err).decode("ascii"),
        "exit": exit_code if complete else None,
        "timed_out": complete and os.path.exists(_path(directory, "timed_out")),
        "timeout": job.timeout if job else None,
    }


def poll(follows, wait_ms=50, limit=1 << 20):
    """What is new for each followed command: waits up to wait_ms until something is, then answers for all."""
    deadline = time.monotonic() + wait_ms / 1000.0
    while True:
        answer = {}
        for follow in follows:
            news = _news(follow["handle"], follow["out_offset"], follow["err_offset"], limit)
            if news is not None:
                answer[follow["key"]] = news
        if answer or time.monotonic() >= deadline:
            return answer
        time.sleep(0.005)


def write_stdin(handle, data):
    job = JOBS.get(handle)
    if job is None or job.process.stdin is None:
        return {"error": "NoStdin", "message": "command %s has no open stdin held by this kernel" % handle}
    if job.exit is not None:
        return {"error": "Exited", "message": "command %s has already exited" % handle}
    job.process.stdin.write(base64.b64decode(data))
    job.process.stdin.flush()
    return {}


def close_stdin(handle):
    job = JOBS.get(handle)
    if job is None or job.process.stdin is None:
        return {"error": "NoStdin", "message": "command %s has no open stdin held by this kernel" % handle}
    try:
        job.process.stdin.close()
    except OSError:
        pass
    return {}


def kill(pid, signal_number, group=False):
    try:
        if group:
            os.killpg(pid, signal_number)
        else:
            os.kill(pid, signal_number)
    except ProcessLookupError:
        return {"error": "NotFound", "message": "no process %d" % pid}
    return {}


def kill_job(handle, signal_number=9):
    job = JOBS.get(handle)
    if job is not None and job.exit is None:
        try:
            os.killpg(job.process.pid, signal_number)
        except OSError:
            pass
    return {}


def _children():
    children = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open("/proc/%s/stat" % name) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(name))
            except (OSError, IndexError, ValueError):
                pass
    return children


def processes():
    """The processes of commands started through the agent, and their descendants."""
    children = _children()
    result = []
    with LOCK:
        roots = [job.process.pid for job in JOBS.values() if job.exit is None]
    seen = set()
    while roots:
        pid = roots.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                command = f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
            uid = os.stat("/proc/%d" % pid).st_uid
        except OSError:
            continue
        result.append({"pid": pid, "command": command, "uid": uid})
        roots.extend(children.get(pid, []))
    return result


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
    "configure": configure, "info": info, "shutdown": shutdown, "start": start, "poll": poll, "write_stdin": write_stdin,
    "close_stdin": close_stdin, "kill": kill, "kill_job": kill_job, "processes": processes, "stat": stat, "chmod": chmod,
    "contexts_put": contexts_put, "contexts_get": contexts_get, "contexts_list": contexts_list, "contexts_remove": contexts_remove,
}
