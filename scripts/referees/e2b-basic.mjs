// E2B's own client (the npm package e2b, pinned in package.json) against the E2B emulator: the basic flow of
// provider-checklist.md. E2B_API_KEY, E2B_API_URL and E2B_SANDBOX_URL say where; each step prints one JSON line, and
// any failure ends the script with exit code 1 and the error on stderr.
import { Sandbox } from 'e2b';

const label = process.env.REFEREE_LABEL;
const step = (name, value) => console.log(JSON.stringify({ step: name, value }));

const sandbox = await Sandbox.create({ metadata: { referee: label }, timeoutMs: 120_000 });
try {
  step('create', sandbox.sandboxId);
  const run = await sandbox.commands.run('echo hello; echo oops >&2; exit 3').catch(e => e.result ?? Promise.reject(e));
  step('run', { stdout: run.stdout, stderr: run.stderr, exitCode: run.exitCode });
  await sandbox.files.write('/home/user/referee.txt', 'written by the e2b client\n');
  step('read', await sandbox.files.read('/home/user/referee.txt'));
  const entries = await sandbox.files.list('/home/user');
  step('list', entries.map(e => e.name).sort());
  const paginator = Sandbox.list({ query: { metadata: { referee: label } } });
  const listed = await paginator.nextItems();
  step('listed', listed.map(s => s.sandboxId));
} finally {
  await sandbox.kill();
  step('killed', sandbox.sandboxId);
}
const after = await Sandbox.list({ query: { metadata: { referee: label } } }).nextItems();
step('after', after.map(s => s.sandboxId));
