// `npm run bench`: builds what the figures need, runs the benchmarks (issue 7's seven, issue 12's card fields) one after another
// (each bounded in count and time), and writes bench/report.md. Benchmarks print figures; nothing here is a
// timed test. Usage: node bench/run.mjs [--quick] [--only 1,2,...] [--no-build]
//   --quick   smaller counts (for trying the pipeline), not for the report.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',').map(Number) : null;
const want = (n) => !only || only.includes(n);
// How the summary table marks a figure measured before this run (and how a rerun reads the mark back).
const OLDER_MARK = '_(measured ';
const PATH = `${process.env.HOME}/.cargo/bin:${process.env.PATH}`;
const env = { ...process.env, PATH };
const N = quick
  ? { loads: 5, changes: 20, polled: 4, snapshots: 2000, checkouts: 100, fuzz: 20000, fuzzSecs: 10, libfuzzerRuns: 2000, wrk: '3s' }
  : { loads: 50, changes: 200, polled: 40, snapshots: 20000, checkouts: 1000, fuzz: 10000000, fuzzSecs: 1200, libfuzzerRuns: 200000, wrk: '10s' };

const log = (...a) => console.error('bench:', ...a);
const sh = (cmd, a, opts = {}) => spawnSync(cmd, a, { cwd: root, env, encoding: 'utf8', maxBuffer: 1 << 26, ...opts });

/** Runs a step, returns { text, summaries, ok, seconds }. Never throws: a failed step is reported. */
function step(label, cmd, a, { timeout = 900_000, extraEnv = {} } = {}) {
  log(`${label}: ${cmd} ${a.join(' ')}`);
  const t0 = Date.now();
  const r = sh(cmd, a, { timeout, env: { ...env, ...extraEnv } });
  const seconds = (Date.now() - t0) / 1000;
  const lines = (r.stdout ?? '').split('\n');
  const summaries = lines.filter((l) => l.startsWith('SUMMARY ')).map((l) => JSON.parse(l.slice(8)));
  let text = lines.filter((l) => !l.startsWith('SUMMARY ')).join('\n').trim();
  const ok = r.status === 0 || (r.status === 1 && summaries.length > 0); // exit 1 = a figure is not 0, still reported
  if (!ok) {
    const why = r.error ? r.error.message : `exit ${r.status}${r.signal ? ` (${r.signal})` : ''}`;
    text += `\n\n**This step failed (${why}).** Last lines of its error output:\n\n\`\`\`\n${(r.stderr ?? '').trim().split('\n').slice(-15).join('\n')}\n\`\`\``;
  }
  log(`${label}: done in ${seconds.toFixed(0)} s${ok ? '' : ' (FAILED)'}`);
  return { text, summaries, ok, seconds };
}

const started = new Date();
const loadStart = os.loadavg().map((x) => x.toFixed(1)).join(' ');
const sections = [];
const summaries = [];
// Each figure's result is kept in target/bench-results/<n>.json, so `--only` reruns update the report
// without losing the other figures.
const resultsDir = join(root, 'target/bench-results');
mkdirSync(resultsDir, { recursive: true });
const add = (n, title, res) => {
  const r = { n, title, ...res, at: new Date().toISOString(), load: os.loadavg().map((x) => x.toFixed(1)).join(' ') };
  writeFileSync(join(resultsDir, `${n}.json`), JSON.stringify(r));
};

// ----- builds -----
if (!args.includes('--no-build')) {
  const b = step('build', 'bash', ['scripts/build.sh']);
  if (!b.ok) {
    console.error(b.text);
    process.exit(1);
  }
}
const sandboxEnv = {
  CARGO_TARGET_DIR: join(root, 'target/bench-sandbox'),
  CARGO_PROFILE_RELEASE_OPT_LEVEL: '3',
  CARGO_PROFILE_RELEASE_LTO: 'false',
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS: '16',
  CARGO_PROFILE_RELEASE_PANIC: 'unwind',
};
// Only the figures that talk to a separate sandbox process need it (`--only 7` builds just the fuzzer).
if ([2, 3, 5, 6, 8].some(want)) {
  log('building the sandbox for load and browser figures (opt-level 3, target/bench-sandbox)');
  sh('cargo', ['build', '--quiet', '--release', '-p', 'intent-sandbox'], { env: { ...env, ...sandboxEnv }, stdio: ['ignore', 'ignore', 'inherit'] });
}
const sandboxBin = join(root, 'target/bench-sandbox/release/intent-sandbox');

// ----- 1. payload -----
if (want(1)) add(1, 'Payload', step('payload', 'node', ['bench/payload.mjs']));

// ----- 5. sandbox load (before the browser figures: it is the heaviest, so they don't overlap with it) -----
if (want(5)) add(5, 'Sandbox load', step('load', 'node', ['bench/load.mjs', N.wrk]));

// ----- 2 and 3. browser -----
const browserEnv = { SANDBOX_BIN: sandboxBin };
if (want(2)) add(2, 'Ready time', step('ready', 'node', ['bench/browser.mjs', 'ready', String(N.loads)], { extraEnv: browserEnv }));
if (want(3)) add(3, 'Status latency', step('latency', 'node', ['bench/browser.mjs', 'latency', String(N.changes), String(N.polled)], { extraEnv: browserEnv }));
if (want(8)) add(8, 'Card fields: isolated and inline', step('card fields', 'node', ['bench/card-fields.mjs', String(N.loads)], { extraEnv: browserEnv }));

// ----- 4. core throughput -----
if (want(4)) add(4, 'Core throughput', step('throughput', 'node', ['bench/throughput.mjs', String(N.snapshots)]));

// ----- 6. fault soak, against a separate sandbox process -----
if (want(6)) {
  sh('cargo', ['build', '--quiet', '--release', '-p', 'bench-soak'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const res = await withSandbox(['--async-settle-delay', '0.2'], (url, key) =>
    step('soak', join(root, 'target/release/bench-soak'), ['--checkouts', String(N.checkouts), '--seed', '7', '--sandbox', url, '--key', key]));
  res.text = `Command: \`target/release/bench-soak --checkouts ${N.checkouts} --seed 7 --sandbox URL --key KEY\` against \`target/bench-sandbox/release/intent-sandbox --async-settle-delay 0.2\` `
    + "(a separate process on 127.0.0.1). Each checkout is the SDK's own flow machine (`intent_checkout::core::flow::Checkout`, the core the wasm shell drives in the page) "
    + "driven by a real HTTP shell (reqwest: requests, SSE bodies chunk by chunk, timers, aborts); each checkout's ledger (`GET /test/ledger?paymentIntentId=`, read as it ends and again at the end) must hold exactly what the page believes (one charge of its total, or a hold captured in full, or nothing after a decline), after a duplicate of its last payment request that the server must replay; 429s with `Retry-After: 1` are injected and no request may leave before the wait is over, "
    + "and each outcome is checked against the merchant's `GET /payment-intents/{id}`. The same soak with 100 checkouts and an in-process sandbox runs in `npm test` "
    + '(`bench/soak/tests/soak.rs`, asserting all of these are 0).\n\n' + res.text;
  add(6, 'Fault soak', res);
}

// ----- 7. fuzzing -----
if (want(7)) {
  sh('cargo', ['build', '--quiet', '--release', '-p', 'bench-fuzz', '--target-dir', 'target/bench-fuzz'], {
    env: { ...env, CARGO_PROFILE_RELEASE_PANIC: 'unwind' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // Each of the six targets may use its whole time budget: the step's own limit must not cut them short.
  const res = step('fuzz', join(root, 'target/bench-fuzz/release/bench-fuzz'), ['--inputs', String(N.fuzz), '--seconds', String(N.fuzzSecs), '--seed', '7'],
    { timeout: (6 * N.fuzzSecs + 600) * 1000 });
  res.text = `Command: \`CARGO_PROFILE_RELEASE_PANIC=unwind cargo build --release -p bench-fuzz --target-dir target/bench-fuzz && target/bench-fuzz/release/bench-fuzz --inputs ${N.fuzz} --seconds ${N.fuzzSecs} --seed 7\` `
    + '(stable Rust; the workspace release profile aborts on panic, so this build unwinds and each input runs under `catch_unwind`: a panic is counted, not fatal). '
    + 'Inputs: the corpus in `bench/fuzz/corpus/<target>/`, then mutants of it (bit flips, byte edits, splices, dictionary tokens, truncation, deep nesting, random bytes). '
    + 'Each target also checks a property (page decoder never keeps `clientSessionSecret`; core decoder round-trips; SSE events independent of chunking; ProblemDetails errors never hold the token after scrub; the flow machine never hands the token to the page; the sandbox HTTP layer (every route in process, arbitrary method, path, headers and body) never panics and answers no 5xx but injected faults). 10 million inputs per target; `npm test` runs 3,000 per target (`bench/fuzz/tests/smoke.rs`).\n\n'
    + res.text;
  add(7, 'Fuzzing', res);
  const lf = libfuzzer(N.libfuzzerRuns);
  if (lf) {
    const r = JSON.parse(readFileSync(join(resultsDir, '7.json'), 'utf8'));
    r.text += '\n\n' + lf.text;
    r.summaries.push(...lf.summaries);
    writeFileSync(join(resultsDir, '7.json'), JSON.stringify(r));
  }
}

// ----- the report: every figure's latest result -----
const finished = new Date();
bootstrapFromReport();
for (const f of readdirSync(resultsDir).filter((f) => /^\d+\.json$/.test(f))) {
  const r = JSON.parse(readFileSync(join(resultsDir, f), 'utf8'));
  sections.push(r);
  summaries.push(...r.summaries);
}
const git = sh('git', ['rev-parse', '--short', 'HEAD']).stdout.trim();
const dirty = sh('git', ['status', '--porcelain', '--untracked-files=no']).stdout.trim() ? ' (with uncommitted changes)' : '';
const ver = (cmd, a) => (sh(cmd, a).stdout ?? '').trim().split('\n')[0];
const cpu = os.cpus()[0]?.model ?? '?';
const lines = [];
lines.push('# Benchmarks (issue 7)');
lines.push('');
lines.push(`Written by \`npm run bench\` (\`node bench/run.mjs${args.length ? ' ' + args.join(' ') : ''}\`) on ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, `
  + `${((finished - started) / 60000).toFixed(1)} min, commit ${git}${dirty}. Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, `
  + `${ver('rustc', ['--version'])}, Node ${process.versions.node}, ${ver('/usr/bin/chromium', ['--version'])}, ${ver('wrk', ['--version']).split(' [')[0] || 'no wrk'}. `
  + `Load average at start ${loadStart}, at end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}: the machine is shared, so timings carry that noise.`);
if (quick) lines.push('', '**--quick run: reduced counts, not the report\'s figures.**');
lines.push('');
lines.push('| # | figure | result | target | |');
lines.push('| --- | --- | --- | --- | --- |');
// A figure not measured in this run says when it was: a `--only` rerun must not pass older figures off as current.
const measuredAt = new Map(sections.map((s) => [s.n, s.at]));
const earlier = (figure) => {
  const at = measuredAt.get(figure);
  return at && new Date(at) < started ? ` ${OLDER_MARK}${at.slice(0, 16).replace('T', ' ')} UTC)_` : '';
};
for (const s of summaries.sort((a, b) => a.figure - b.figure)) {
  lines.push(`| ${s.figure} | ${s.what}${earlier(s.figure)} | ${s.value} | ${s.target} | ${s.met === true ? 'met' : s.met === false ? '**missed**' : ''} |`);
}
for (const s of sections.sort((a, b) => a.n - b.n)) {
  lines.push('', `## ${s.n}. ${s.title}`, '', s.text, '', `_(${s.seconds.toFixed(0)} s, ${s.at ? s.at.slice(0, 16).replace('T', ' ') + ' UTC, load average ' + s.load : 'time not recorded'})_`);
}
mkdirSync(join(root, 'bench'), { recursive: true });
writeFileSync(join(root, 'bench/report.md'), lines.join('\n') + '\n');
console.log(lines.join('\n'));
log(`wrote bench/report.md in ${((finished - started) / 60000).toFixed(1)} min`);

// ----- helpers -----

/** Figures present in an existing bench/report.md but not in target/bench-results (a fresh checkout), with
 * the time and load each was measured at. */
function bootstrapFromReport() {
  const file = join(root, 'bench/report.md');
  if (!existsSync(file)) return;
  const text = readFileSync(file, 'utf8');
  const rows = [...text.matchAll(/^\| (\d+) \| (.*?) \| (.*?) \| (.*?) \| (.*?) \|$/gm)];
  const footer = /\n\n_\((\d+) s(?:, (\d{4}-\d\d-\d\d \d\d:\d\d) UTC, load average ([^)]*))?[^\n]*\)_$/;
  for (const m of text.matchAll(new RegExp(`^## (\\d+)\\. (.+)\\n\\n([\\s\\S]*?)${footer.source}`, 'gm'))) {
    const n = Number(m[1]);
    if (existsSync(join(resultsDir, `${n}.json`))) continue;
    const sums = rows.filter((r) => Number(r[1]) === n).map((r) => ({
      figure: n, what: r[2].split(` ${OLDER_MARK}`)[0], value: r[3], target: r[4], met: r[5] === 'met' ? true : r[5] === '**missed**' ? false : null,
    }));
    const at = m[5] ? new Date(`${m[5].replace(' ', 'T')}:00Z`).toISOString() : undefined;
    writeFileSync(join(resultsDir, `${n}.json`), JSON.stringify({ n, title: m[2], text: m[3], summaries: sums, seconds: Number(m[4]), at, load: m[6] }));
  }
}

function startSandbox(extra) {
  return new Promise((resolve, reject) => {
    const key = 'sk_bench_soak';
    const child = spawn(sandboxBin, ['--port', '0', '--secret-key', key, '--demo', ...extra], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
    const timer = setTimeout(() => reject(new Error('sandbox did not start')), 20_000);
    child.once('error', reject);
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      const url = /listening on (http:\/\/\S+)/.exec(line)?.[1];
      if (!url) return reject(new Error(`unexpected sandbox output: ${line}`));
      child.stdout.resume();
      resolve({ url, key, child });
    });
  });
}

async function withSandbox(extra, fn) {
  const s = await startSandbox(extra);
  try {
    // spawnSync would block the event loop that drains the sandbox's stdout; it prints nothing after the
    // first lines, so that is fine.
    return fn(s.url, s.key);
  } finally {
    s.child.kill('SIGINT');
  }
}

/** cargo-fuzz (libFuzzer) over the same targets, when a nightly toolchain and cargo-fuzz are installed. */
function libfuzzer(runs) {
  const nightly = sh('cargo', ['+nightly', '--version']).status === 0;
  const cargoFuzz = sh('cargo', ['+nightly', 'fuzz', '--version']).status === 0;
  if (!nightly || !cargoFuzz) {
    return {
      text: `cargo-fuzz: not run (${!nightly ? 'no nightly toolchain' : 'cargo-fuzz not installed: `cargo install cargo-fuzz`'}); the targets are in \`bench/fuzz/fuzz/\`.`,
      summaries: [],
    };
  }
  const rows = ['| libFuzzer target | runs | seconds | result |', '| --- | --- | --- | --- |'];
  let crashes = 0;
  let total = 0;
  const fuzzDir = join(root, 'bench/fuzz');
  log('cargo-fuzz: building (ASan, nightly)');
  const b = sh('cargo', ['+nightly', 'fuzz', 'build', '-O'], { cwd: fuzzDir, timeout: 1_200_000 });
  if (b.status !== 0) {
    return { text: `cargo-fuzz: build failed: ${(b.stderr ?? '').trim().split('\n').slice(-3).join(' / ')}`, summaries: [] };
  }
  const targets = [['intent', 'intent'], ['core_intent', 'intent'], ['sse', 'sse'], ['problem', 'problem'], ['flow', 'flow'], ['http', 'http']];
  for (const [t, dir] of targets) {
    const scratch = join(os.tmpdir(), `bench-libfuzzer-${process.pid}`, t);
    mkdirSync(scratch, { recursive: true });
    const t0 = Date.now();
    // The first corpus folder is written to: a scratch one; the repo's corpus is only read.
    const r = sh('cargo', ['+nightly', 'fuzz', 'run', '-O', t, scratch, join('corpus', dir), '--', `-runs=${runs}`, '-max_total_time=90', '-seed=7'],
      { cwd: fuzzDir, timeout: 300_000 });
    const secs = ((Date.now() - t0) / 1000).toFixed(0);
    const done = /Done (\d+) runs/.exec(r.stderr ?? '')?.[1];
    const crashed = r.status !== 0;
    crashes += crashed ? 1 : 0;
    total += Number(done ?? 0);
    rows.push(`| ${t} | ${done ?? '?'} | ${secs} | ${crashed ? `**crash** (exit ${r.status}): ${(/(panicked at[^\n]*|ERROR: [^\n]*)/.exec(r.stderr ?? '') ?? ['?'])[0]}` : 'no crash'} |`);
  }
  return {
    text: `cargo-fuzz (libFuzzer + AddressSanitizer, nightly): \`cd bench/fuzz && cargo +nightly fuzz run -O <target> <scratch dir> corpus/<dir> -- -runs=${runs} -max_total_time=90 -seed=7\`\n\n${rows.join('\n')}`,
    summaries: [{ figure: 7, what: `Fuzzing, cargo-fuzz/libFuzzer (${total.toLocaleString('en-US')} runs over ${targets.length} targets): crashes`, value: String(crashes), target: '0', met: crashes === 0 }],
  };
}
