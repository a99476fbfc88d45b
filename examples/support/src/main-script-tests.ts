import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';

/**
 * Runs an example's `dist/main.js` as a user would (`PORT=0`) and replays the curl commands it
 * prints, expecting each to answer as its comment says.
 *
 * @example
 * ```ts
 * mainScriptTests(new URL('../dist/main.js', import.meta.url));
 * ```
 */
export function mainScriptTests(mainScript: URL): void {
  const main = fileURLToPath(mainScript);
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  let output = '';
  child.stdout.setEncoding('utf8');
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (/Alice paying as herself[^\n]*\ncurl [^\n]+\n/.test(output)) resolve();
    });
    child.once('exit', () => reject(new Error(`main exited early:\n${output}`)));
  });

  function replay(line: string): Promise<Response> {
    const headers = Object.fromEntries(
      [...line.matchAll(/-H '([^:]+): ([^']*)'/g)].map((m) => [m[1]!, m[2]!]),
    );
    const url = /(http:\/\/127\.0\.0\.1:\d+\S*)$/.exec(line)![1]!;
    return fetch(url, { method: line.includes('-X POST') ? 'POST' : 'GET', headers });
  }

  test('main prints curl commands that work as described', async () => {
    await ready;
    const curls = output.split('\n').filter((l) => l.startsWith('curl '));
    assert.equal(curls.length, 5);
    const statuses = [];
    for (const line of curls) statuses.push((await replay(line)).status);
    assert.deepEqual(statuses, [200, 200, 200, 403, 201]);
  });
}
