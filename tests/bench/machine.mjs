// Machine description for build/bench/results.json, plus a 1-second probe of how busy the CPUs
// already are (other processes make every number here slower). Prints one JSON object.
// usage: node tests/bench/machine.mjs
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

const cmd = (file, args) => {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 }).trim();
  } catch {
    return null;
  }
};

function cpuInfo() {
  let text = '';
  try {
    text = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return { model: os.cpus()[0]?.model ?? 'unknown' };
  }
  const field = (name) => text.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm'))?.[1]?.trim();
  const flags = new Set((field('flags') ?? '').split(/\s+/));
  const siblings = Number(field('siblings')) || null;
  const coresPerSocket = Number(field('cpu cores')) || null;
  return {
    model: field('model name') ?? 'unknown',
    avx2: flags.has('avx2'), fma: flags.has('fma'), avx512f: flags.has('avx512f'),
    hypervisor: flags.has('hypervisor'),
    threadsPerCore: siblings && coresPerSocket ? siblings / coresPerSocket : null,
    mhz: Number(field('cpu MHz')) || null,
  };
}

// Share of all CPUs' time spent outside idle over `ms` (from /proc/stat), before we start.
async function busy(ms = 1000) {
  const read = () => {
    try {
      const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
      return { idle: f[3] + (f[4] || 0), total: f.reduce((a, b) => a + b, 0) };
    } catch {
      return null;
    }
  };
  const a = read();
  await new Promise((r) => setTimeout(r, ms));
  const b = read();
  if (!a || !b || b.total === a.total) return null;
  return Math.round((1 - (b.idle - a.idle) / (b.total - a.total)) * 1000) / 1000;
}

const emcc = cmd('em++', ['--version'])?.split('\n')[0] ?? null;
const gxx = cmd('g++', ['--version'])?.split('\n')[0] ?? null;
const chromium = cmd(process.env.CHROMIUM || '/usr/bin/chromium', ['--version']);
const git = cmd('git', ['rev-parse', '--short', 'HEAD']);
const dirty = cmd('git', ['status', '--porcelain', '--untracked-files=no']);

console.log(JSON.stringify({
  date: new Date().toISOString(),
  cpu: cpuInfo(),
  cores: os.cpus().length,
  memoryBytes: os.totalmem(),
  os: `${os.type()} ${os.release()}`,
  distro: cmd('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"']),
  node: process.version,
  emscripten: emcc ? (emcc.match(/\) (\d+\.\d+\.\d+)/)?.[1] ?? emcc) : null,
  gxx,
  chromium,
  git: git ? `${git}${dirty ? ' (with uncommitted changes)' : ''}` : null,
  loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  busyFraction: await busy(),
}));
