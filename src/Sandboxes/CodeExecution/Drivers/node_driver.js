// Runs JavaScript (and TypeScript, transpiled with the TypeScript compiler found in the sandbox) for the Sandboxes
// library, inside a sandbox, with Node's own modules only.
//
//   node -e "$DRIVER" -- once NONCE LANGUAGE FILE   run FILE once; exit 0, or 1 when it threw
//   node -e "$DRIVER" -- context NONCE LANGUAGE     a persistent context: read requests from stdin until it closes
//
// The protocol is the Python driver's: requests "ID LENGTH\n" + code, control lines "\x1fsbx:NONCE JSON" on stdout (and
// start/end lines on stderr too), written synchronously after the code's own output so the order is kept.
'use strict';
const fs = require('fs');
const path = require('path');
const util = require('util');
const vm = require('vm');

const [mode, nonce, language, file] = process.argv.slice(1);
const MARK = '\x1fsbx:' + nonce + ' ';
let cells = 0;
let typescript = null;

function emit(event, both) {
  const line = MARK + JSON.stringify(event) + '\n';
  fs.writeSync(1, line);
  if (both) {
    fs.writeSync(2, line);
  }
}

function findTypeScript() {
  try {
    return require('typescript');
  } catch (e) {
    // Not on the module path: use the package that the tsc on PATH belongs to.
  }
  for (const dir of (process.env.PATH || '').split(':')) {
    const tsc = path.join(dir || '.', 'tsc');
    try {
      const real = fs.realpathSync(tsc);
      return require(path.resolve(path.dirname(real), '..'));
    } catch (e) {
      // keep looking
    }
  }
  return null;
}

function transpile(code, filename) {
  const ts = typescript;
  const output = ts.transpileModule(code, {
    fileName: filename + '.ts',
    reportDiagnostics: true,
    compilerOptions: { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, esModuleInterop: true },
  });
  const errors = (output.diagnostics || []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    const text = errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n');
    const error = new Error(text);
    error.name = 'CompileError';
    error.stack = 'CompileError: ' + text;
    throw error;
  }
  return output.outputText;
}

function bundleOf(value) {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length > 0 && keys.every((k) => k.includes('/'))) {
      return value; // already a MIME bundle: display({'text/html': '<b>hi</b>'})
    }
  }
  return { 'text/plain': typeof value === 'string' ? value : util.inspect(value) };
}

globalThis.display = (...values) => {
  for (const value of values) {
    emit({ t: 'display', main: false, data: bundleOf(value) });
  }
};
globalThis.require = require;
globalThis.module = module;
globalThis.exports = module.exports;

function report(error) {
  const isError = error instanceof Error || (error && typeof error === 'object' && 'stack' in error);
  const name = isError ? String(error.name || 'Error') : typeof error;
  const value = isError ? String(error.message || '') : util.inspect(error);
  let trace = isError && typeof error.stack === 'string' ? error.stack : name + ': ' + value;
  // Frames below the user's cell belong to Node and to this driver.
  const lines = trace.split('\n');
  const cut = lines.findIndex((l) => /node:vm|\[eval\]|runCell/.test(l));
  trace = (cut > 0 ? lines.slice(0, cut) : lines).join('\n');
  emit({ t: 'error', name, value, traceback: trace + '\n' });
}

let interrupted = null;
process.on('SIGINT', () => {
  // Outside the synchronous part of a cell (vm's breakOnSigint handles that), an interrupt ends the await.
  if (interrupted) {
    interrupted(new Error('Script execution interrupted.'));
  }
});

function interruptible(promise) {
  return new Promise((resolve, reject) => {
    interrupted = reject;
    promise.then(resolve, reject);
  }).finally(() => {
    interrupted = null;
  });
}

async function runCell(code) {
  cells += 1;
  const filename = '<cell-' + cells + '>';
  let value;
  try {
    const source = language === 'typescript' ? transpile(code, filename) : code;
    const script = new vm.Script(source, { filename });
    value = script.runInThisContext({ breakOnSigint: true, displayErrors: false });
    if (value !== null && typeof value === 'object' && typeof value.then === 'function') {
      value = await interruptible(Promise.resolve(value));
    }
  } catch (error) {
    report(error);
    return 'error';
  }
  if (value !== undefined) {
    emit({ t: 'display', main: true, data: { 'text/plain': util.inspect(value) } });
  }
  return 'ok';
}

function start() {
  if (language === 'typescript') {
    typescript = findTypeScript();
    if (!typescript) {
      emit({ t: 'missing', runtime: 'typescript' }, true);
      process.exit(127);
    }
  }

  if (mode === 'once') {
    process.on('uncaughtException', (error) => {
      report(error);
      process.exitCode = 1;
    });
    runCell(fs.readFileSync(file, 'utf8')).then((status) => {
      if (status !== 'ok') {
        process.exitCode = 1;
      }
    });
    return;
  }

  // A context: requests on stdin, one at a time.
  process.on('uncaughtException', (error) => {
    fs.writeSync(2, 'Uncaught ' + (error && error.stack ? error.stack : String(error)) + '\n');
  });
  let buffered = Buffer.alloc(0);
  let busy = false;
  const queue = [];
  const pump = async () => {
    if (busy) {
      return;
    }
    busy = true;
    while (queue.length > 0) {
      const [id, code] = queue.shift();
      emit({ t: 'start', id }, true);
      const status = await runCell(code);
      // Let callbacks the cell scheduled for now (resolved promises, immediates) print before the end line.
      await new Promise((resolve) => setImmediate(resolve));
      emit({ t: 'end', id, status }, true);
    }
    busy = false;
  };
  process.stdin.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      const newline = buffered.indexOf(10);
      if (newline < 0) {
        break;
      }
      const [id, length] = buffered.subarray(0, newline).toString('ascii').trim().split(' ');
      const size = Number(length);
      if (buffered.length < newline + 1 + size) {
        break;
      }
      queue.push([id, buffered.subarray(newline + 1, newline + 1 + size).toString('utf8')]);
      buffered = buffered.subarray(newline + 1 + size);
    }
    pump();
  });
  process.stdin.on('end', () => process.exit(0));
  emit({ t: 'ready', pid: process.pid, version: process.version }, true);
}

start();
