// Daytona's own client (the npm package @daytonaio/sdk, pinned in package.json) against the Daytona emulator: the basic
// flow of provider-checklist.md. DAYTONA_API_KEY and DAYTONA_API_URL say where; each step prints one JSON line, and
// any failure ends the script with exit code 1 and the error on stderr.
import { Daytona } from '@daytonaio/sdk';

const label = process.env.REFEREE_LABEL;
const step = (name, value) => console.log(JSON.stringify({ step: name, value }));
const listed = async () => {
  const ids = [];
  for await (const sandbox of daytona.list({ labels: { referee: label } })) {
    ids.push(sandbox.id);
  }
  return ids;
};

const daytona = new Daytona();
const sandbox = await daytona.create({ labels: { referee: label } });
try {
  step('create', sandbox.id);
  const run = await sandbox.process.executeCommand('echo hello; exit 3');
  step('run', { result: run.result, exitCode: run.exitCode });
  await sandbox.fs.uploadFile(Buffer.from('written by the daytona client\n'), 'referee.txt');
  step('read', (await sandbox.fs.downloadFile('referee.txt')).toString());
  step('list', (await sandbox.fs.listFiles('.')).map(f => f.name).sort());
  step('listed', await listed());
} finally {
  await sandbox.delete();
  step('killed', sandbox.id);
}
step('after', await listed());
// The client keeps its event subscription open; the flow is over.
process.exit(0);
