// Lints every packed package as the registry will serve it: publint (package.json against the
// files that ship) and Are the Types Wrong (every entry point's types and JavaScript under
// node10, node16 from CommonJS and from ESM, and bundler resolution). Reads the tarballs
// scripts/pack-packages.mjs wrote to .packs/; fails on any error or warning of either tool.
//
//   node scripts/pack-packages.mjs && node scripts/check-packages.mjs
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packedTarballs, root } from './packed-tarballs.mjs';

const packed = packedTarballs('check-packages');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const tools = [
  // --strict: warnings fail too; suggestions are printed, not failed.
  { name: 'publint', args: (tarball) => ['--strict', tarball] },
  { name: 'attw', args: (tarball) => [tarball, '--format', 'ascii'] },
];

const execFileAsync = promisify(execFile);
async function check(tool, { name, tarball }) {
  try {
    const { stdout } = await execFileAsync(bin(tool.name), tool.args(tarball), {
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    // publint prints suggestions even when it passes: they are worth reading, not failing on.
    const suggestions = /Suggestions:\n([\s\S]*)/.exec(stdout)?.[1]?.trim();
    return { ok: true, line: `${tool.name} ${name}: ok${suggestions ? `\n  ${suggestions}` : ''}` };
  } catch (err) {
    return {
      ok: false,
      line: `${tool.name} ${name}: FAILED\n${err.stdout ?? ''}${err.stderr ?? ''}`,
    };
  }
}

// Two at a time: each run starts its own TypeScript or unpacks a tarball, and CI has two cores.
const jobs = tools.flatMap((tool) => packed.map((pkg) => () => check(tool, pkg)));
const results = [];
async function worker() {
  for (let job = jobs.shift(); job; job = jobs.shift()) results.push(await job());
}
await Promise.all([worker(), worker()]);
results.sort((a, b) => a.line.localeCompare(b.line));
for (const r of results) console.log(r.line);
const failed = results.filter((r) => !r.ok).length;
if (failed) {
  console.error(`check-packages: ${failed} check(s) failed`);
  process.exit(1);
}
