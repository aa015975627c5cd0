# Runs Python code for the Sandboxes library, inside a sandbox, with the standard library only.
#
#   python3 -u -c "$DRIVER" once NONCE FILE    run FILE once; exit 0, 1 when it raised, or its SystemExit code
#   python3 -u -c "$DRIVER" context NONCE      a persistent context: read requests from stdin until it closes
#
# A request is a header line "ID LENGTH" followed by LENGTH bytes of UTF-8 code. What the code prints goes to stdout and
# stderr unchanged; what the library needs (rich outputs, errors, the start and end of each request) is written as
# control lines "\x1fsbx:NONCE JSON" on the same streams, after flushing them, so the order is kept. Start and end lines
# go to both streams: a request is complete once both streams have reached its end.
import ast
import base64
import builtins
import json
import linecache
import os
import signal
import sys
import traceback
import types

MODE = sys.argv[1]
NONCE = sys.argv[2]
MARK = ("\x1fsbx:" + NONCE + " ").encode("ascii")
CO_COROUTINE = 0x80
_executing = [False]
_cells = [0]

# Figures are rendered to PNG, never shown in a window.
os.environ.setdefault("MPLBACKEND", "Agg")

_main = types.ModuleType("__main__")
_main.__dict__["__builtins__"] = builtins
_ns = _main.__dict__


def _write_all(fd, data):
    while data:
        data = data[os.write(fd, data):]


def _flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def emit(event, both=False):
    _flush()
    line = MARK + json.dumps(event, ensure_ascii=True, default=str).encode("ascii") + b"\n"
    _write_all(1, line)
    if both:
        _write_all(2, line)


def _text(value):
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    return value


def _jsonable(mime, value):
    if isinstance(value, tuple) and len(value) == 2:
        value = value[0]  # (data, metadata), as _repr_*_ methods may return
    if mime in ("image/png", "image/jpeg", "image/gif"):
        if isinstance(value, (bytes, bytearray)):
            return base64.b64encode(bytes(value)).decode("ascii")
        return value
    if mime == "application/json" or mime.endswith("+json"):
        if isinstance(value, (str, bytes, bytearray)):
            try:
                return json.loads(_text(value))
            except ValueError:
                return _text(value)
        return value
    return _text(value)


_REPRS = (
    ("_repr_html_", "text/html"),
    ("_repr_markdown_", "text/markdown"),
    ("_repr_svg_", "image/svg+xml"),
    ("_repr_png_", "image/png"),
    ("_repr_jpeg_", "image/jpeg"),
    ("_repr_latex_", "text/latex"),
    ("_repr_json_", "application/json"),
    ("_repr_javascript_", "application/javascript"),
)


def _figure_png(obj):
    module = type(obj).__module__ or ""
    if module.startswith("matplotlib") and hasattr(obj, "savefig") and hasattr(obj, "canvas"):
        import io
        buffer = io.BytesIO()
        obj.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()
    return None


def format_value(obj):
    """The MIME bundle of a value, from the same _repr_*_ protocol IPython uses."""
    data = {}
    if not isinstance(obj, type):
        method = getattr(obj, "_repr_mimebundle_", None)
        if callable(method):
            try:
                bundle = method(include=None, exclude=None)
                if isinstance(bundle, tuple):
                    bundle = bundle[0]
                if isinstance(bundle, dict):
                    data.update(bundle)
            except Exception:
                pass
        for name, mime in _REPRS:
            if mime in data:
                continue
            method = getattr(obj, name, None)
            if not callable(method):
                continue
            try:
                value = method()
            except Exception:
                continue
            if value is not None:
                data[mime] = value
        if "image/png" not in data:
            try:
                png = _figure_png(obj)
            except Exception:
                png = None
            if png:
                data["image/png"] = png
    if "text/plain" not in data:
        try:
            data["text/plain"] = repr(obj)
        except Exception as error:
            data["text/plain"] = "<unrepresentable %s: %s>" % (type(obj).__name__, error)
    return dict((mime, _jsonable(mime, value)) for mime, value in data.items())


def display(*objs, **kwargs):
    """Shows each object as rich output (IPython.display.display, and a builtin, as in a Jupyter kernel)."""
    raw = kwargs.get("raw", False)
    for obj in objs:
        if raw and isinstance(obj, dict):
            emit({"t": "display", "main": False, "data": dict((m, _jsonable(m, v)) for m, v in obj.items())})
            continue
        special = getattr(obj, "_ipython_display_", None)
        if callable(special) and not isinstance(obj, type):
            special()
            continue
        emit({"t": "display", "main": False, "data": format_value(obj)})


def publish_display_data(data, metadata=None, source=None, **kwargs):
    emit({"t": "display", "main": False, "data": dict((m, _jsonable(m, v)) for m, v in dict(data).items())})


def clear_output(wait=False):
    pass


builtins.display = display


def flush_figures():
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return
    try:
        numbers = plt.get_fignums()
    except Exception:
        return
    for number in numbers:
        try:
            figure = plt.figure(number)
            emit({"t": "display", "main": False, "data": format_value(figure)})
        except Exception:
            pass
    try:
        plt.close("all")
    except Exception:
        pass


def _patch_ipython(module):
    # Only names the module defines itself: asking a deprecated alias for its value prints a warning.
    names = vars(module)
    for name, replacement in (("display", display), ("publish_display_data", publish_display_data), ("clear_output", clear_output)):
        if name in names:
            setattr(module, name, replacement)


def _patch_pyplot(module):
    module.show = lambda *args, **kwargs: flush_figures()


class _PatchingLoader(object):
    """Runs the real loader, then patches the module, so `from IPython.display import display` gets ours."""

    def __init__(self, inner, patch):
        self._inner = inner
        self._patch = patch

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def create_module(self, spec):
        return self._inner.create_module(spec)

    def exec_module(self, module):
        self._inner.exec_module(module)
        self._patch(module)


class _PostImportHooks(object):
    targets = {
        "IPython.core.display_functions": _patch_ipython,
        "IPython.core.display": _patch_ipython,
        "IPython.display": _patch_ipython,
        "matplotlib.pyplot": _patch_pyplot,
    }

    def find_spec(self, name, path=None, target=None):
        patch = self.targets.get(name)
        if patch is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _PatchingLoader(spec.loader, patch)
                return spec
        return None


sys.meta_path.insert(0, _PostImportHooks())
_DRIVER_FILE = emit.__code__.co_filename


def _report(error):
    tb = error.__traceback__
    # The driver's own frames are not the user's business.
    while tb is not None and tb.tb_frame.f_code.co_filename == _DRIVER_FILE:
        tb = tb.tb_next
    if isinstance(error, SyntaxError):
        lines = traceback.format_exception_only(type(error), error)
    else:
        lines = traceback.format_exception(type(error), error, tb)
    emit({"t": "error", "name": type(error).__name__, "value": str(error), "traceback": "".join(lines)})


def _run(code_object):
    if code_object.co_flags & CO_COROUTINE:
        import asyncio
        return asyncio.new_event_loop().run_until_complete(eval(code_object, _ns))
    return eval(code_object, _ns)


def run_cell(code):
    """Runs a block; the value of a final expression is displayed as the main result. Returns ok or error."""
    _cells[0] += 1
    filename = "<cell-%d>" % _cells[0]
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    flags = getattr(ast, "PyCF_ALLOW_TOP_LEVEL_AWAIT", 0)
    try:
        _executing[0] = True
        tree = ast.parse(code, filename, "exec")
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        _run(compile(tree, filename, "exec", flags, True))
        if last is not None:
            value = _run(compile(last, filename, "eval", flags, True))
            if value is not None:
                _ns["_"] = value
                emit({"t": "display", "main": True, "data": format_value(value)})
        flush_figures()
        return "ok"
    except SystemExit as error:
        if MODE == "once":
            raise
        _report(error)
        return "error"
    except BaseException as error:
        _report(error)
        try:
            flush_figures()
        except BaseException:
            pass
        return "error"
    finally:
        _executing[0] = False


def _on_interrupt(signum, frame):
    # An interrupt stops the code that runs, never the interpreter between requests.
    if _executing[0]:
        raise KeyboardInterrupt()


def _read_request(control):
    header = control.readline()
    if not header:
        return None
    request_id, length = header.decode("ascii").split()
    body = control.read(int(length))
    return request_id, body.decode("utf-8")


def main():
    sys.modules["__main__"] = _main
    sys.argv = [""]
    if MODE == "once":
        with open(FILE, "rb") as source:
            code = source.read().decode("utf-8")
        status = run_cell(code)
        _flush()
        sys.exit(0 if status == "ok" else 1)

    # The requests come on the real stdin; the code gets an empty one.
    control = os.fdopen(os.dup(0), "rb")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.stdin = open(os.devnull, "r")
    signal.signal(signal.SIGINT, _on_interrupt)
    emit({"t": "ready", "pid": os.getpid(), "version": sys.version.split()[0]}, both=True)
    while True:
        try:
            request = _read_request(control)
            if request is None:
                return
            request_id, code = request
            emit({"t": "start", "id": request_id}, both=True)
            status = run_cell(code)
            emit({"t": "end", "id": request_id, "status": status}, both=True)
        except KeyboardInterrupt:
            # Arrived between the code's end and the end line: the code itself had finished.
            continue


FILE = sys.argv[3] if MODE == "once" else None
main()
