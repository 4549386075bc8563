// Figure 5, sandbox load: wrk on loopback against a release intent-sandbox, through the sandbox's own
// script (sandbox/bench/run.sh: 100,000 intents via /test/intents/bulk, RSS from /proc, wrk GET and pay,
// /usr/bin/time -v). Built with the flags the sandbox README uses (opt-level 3, no LTO, unwind) into
// target/bench-sandbox, apart from the size-tuned workspace release profile.
// Usage: node bench/load.mjs [duration=10s]. Prints markdown.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const duration = process.argv[2] ?? '10s';
const payIntents = process.env.PAY_INTENTS ?? '200000';
const env = {
  ...process.env,
  PATH: `${process.env.HOME}/.cargo/bin:${process.env.PATH}`,
  CARGO_TARGET_DIR: join(root, 'target/bench-sandbox'),
  CARGO_PROFILE_RELEASE_OPT_LEVEL: '3',
  CARGO_PROFILE_RELEASE_LTO: 'false',
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS: '16',
  CARGO_PROFILE_RELEASE_PANIC: 'unwind',
};
const out = [];
const p = (s = '') => out.push(s);

if (spawnSync('wrk', ['--version']).error) {
  // wrk is a Debian package; install it when we may (the machine is ours as root), else say so.
  if (process.getuid?.() === 0) spawnSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'ignore' });
  if (spawnSync('wrk', ['--version']).error) {
    console.log('wrk is not installed (`apt-get install -y wrk`): sandbox load not measured.');
    process.exit(0);
  }
}
execFileSync('cargo', ['build', '--quiet', '--release', '-p', 'intent-sandbox'], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
const bin = join(root, 'target/bench-sandbox/release/intent-sandbox');
if (!existsSync(bin)) throw new Error(`no sandbox binary at ${bin}`);

const load = os.loadavg().map((x) => x.toFixed(1)).join(' ');
const r = spawnSync('bash', [join(root, 'sandbox/bench/run.sh'), bin], {
  cwd: root,
  env: { ...env, THREADS: '2', CONNS: '64', DURATION: duration, PAY_INTENTS: payIntents },
  encoding: 'utf8',
  timeout: 300_000,
});
const text = `${r.stdout ?? ''}`;
if (r.status !== 0) {
  p(`sandbox/bench/run.sh failed (exit ${r.status}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' / ')}`);
}
// Pull the figures out of wrk's and the script's output.
const sections = text.split(/^== /m);
const grab = (sec, re) => (sec?.match(re) ?? [])[1];
const get = sections.find((s) => s.startsWith('wrk GET'));
const pay = sections.find((s) => s.startsWith('wrk POST'));
const mib = (label) => {
  const line = text.split('\n').find((l) => l.startsWith(label));
  return line ? line.slice(label.length).trim().replace(/\s+/g, ' ') : '—';
};
const maxRss = grab(text, /Maximum resident set size \(kbytes\): (\d+)/);
const rps = (s) => Number(grab(s, /Requests\/sec:\s+([\d.]+)/) ?? NaN);
const getRps = rps(get);
const lat = (s) => {
  const m = s?.match(/Latency\s+(\S+)\s+(\S+)/);
  return m ? `${m[1]} (± ${m[2]})` : '—';
};

p(`Command: \`node bench/load.mjs ${duration}\` = \`sandbox/bench/run.sh target/bench-sandbox/release/intent-sandbox\` with THREADS=2 CONNS=64 DURATION=${duration} PAY_INTENTS=${payIntents} `
  + `(wrk ${'-t2 -c64 -d' + duration} --latency on 127.0.0.1; the sandbox built with opt-level 3, no LTO; wrk and the server share this machine's ${os.cpus().length} cores; load average at start: ${load}).`);
p();
p('| endpoint | requests/s | mean latency (± stdev) | p99 | non-2xx |');
p('| --- | --- | --- | --- | --- |');
p(`| \`GET /payment-intents/public/{id}\` | **${Math.round(getRps).toLocaleString('en-US')}** | ${lat(get)} | ${grab(get, /99%\s+(\S+)/) ?? '—'} | ${grab(get, /Non-2xx or 3xx responses:\s+(\d+)/) ?? 0} |`);
p(`| \`POST /payment-intents/public/{id}/payments\` (card 4242, a fresh intent and key per request) | ${Math.round(rps(pay)).toLocaleString('en-US')} | ${lat(pay)} | ${grab(pay, /99%\s+(\S+)/) ?? '—'} | ${grab(pay, /Non-2xx or 3xx responses:\s+(\d+)/) ?? 0} |`);
p();
const held = mib('100,000 intents held:');
const hwm = held.match(/VmHWM: (\d+) MiB/)?.[1];
p(`Memory with 100,000 intents: **peak ${hwm ?? '—'} MiB** (VmHWM right after creating them), ${held.match(/VmRSS: (\d+) MiB/)?.[1] ?? '—'} MiB resident while held; idle ${mib('idle:')}. `
  + `Whole run, with ${payIntents} more intents created for the pay test: ${mib('after paying:')}, /usr/bin/time -v maximum ${maxRss ? (maxRss / 1024).toFixed(0) + ' MiB' : '—'}.`);
p();
p(getRps >= 20000
  ? `Target ≥ 20,000 GETs/s: **met** (${Math.round(getRps).toLocaleString('en-US')}).`
  : `Target ≥ 20,000 GETs/s: **missed** by ${Math.round(20000 - getRps).toLocaleString('en-US')} req/s on this run (wrk and the server share the 2 cores with whatever else runs; see the load average).`);
p();
p('<details><summary>raw output</summary>');
p();
p('```');
p(text.trim());
p('```');
p('</details>');
console.log(out.join('\n'));
console.log('SUMMARY ' + JSON.stringify({ figure: 5, what: 'Sandbox GETs/s (wrk, loopback)', value: `${Math.round(getRps).toLocaleString('en-US')} req/s (pay ${Math.round(rps(pay)).toLocaleString('en-US')}/s); ${hwm ?? '?'} MiB peak with 100,000 intents`, target: '≥ 20,000 GETs/s', met: getRps >= 20000 }));
