// Shared set-up for the page tests: a private build of the site, the static server, headless Chromium,
// console-error, CSP-violation and long-task capture, and a record of every request: a page test
// fails on any request that leaves the page's own origin (recordRequests, used by every browser test).
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { buildSite } from '../../web/build.mjs';
import { startServer } from '../../web/serve.mjs';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const screenshots = join(root, 'build', 'screenshots');
// The project's shared corpora: $RNN_DATA_DIR, else ../shared/data beside the clone.
export const sharedData = process.env.RNN_DATA_DIR ? resolve(process.env.RNN_DATA_DIR) : resolve(root, '..', 'shared', 'data');
/** The skip reason of a test that needs the shared corpus `name` (a clone without them still passes). */
export const missingData = (name) =>
  `${name} not found in ${sharedData}: set RNN_DATA_DIR to the folder holding the project's shared corpora (../shared/data)`;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/**
 * Builds the site into a directory of its own (test files never race on build/site), serves it and
 * launches Chromium. Every page console error or uncaught exception is recorded; `done()` fails on any.
 */
export async function launch() {
  const out = join(root, 'build', `site-test-${process.pid}`);
  buildSite({ out });
  const server = await startServer({ port: 0, root: out });
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  mkdirSync(screenshots, { recursive: true });
  const consoleErrors = [];
  const recorders = new Map(); // context -> recordRequests()
  const env = {
    server, browser, consoleErrors, out,
    /** Every request of the pages opened so far: [{ method, url }]. */
    requests: () => [...recorders.values()].flatMap((r) => r.all),
    /**
     * A fresh profile (empty IndexedDB) with a page on the app. `waitReady: false` returns once the
     * page has loaded, without ready()'s locator checks (they force layout in tasks of their own).
     */
    async open({ width = 1280, height = 900, context, waitReady = true } = {}) {
      const ctx = context ?? (await browser.newContext({ viewport: { width, height }, acceptDownloads: true }));
      if (!recorders.has(ctx)) recorders.set(ctx, recordRequests(ctx, server.url));
      const page = await ctx.newPage();
      watch(page, consoleErrors);
      await page.goto(server.url);
      if (waitReady) await ready(page);
      return page;
    },
    async close() {
      await browser.close();
      await server.close();
      rmSync(out, { recursive: true, force: true });
    },
    done() {
      assert.deepEqual(consoleErrors, [], `page console errors:\n${consoleErrors.join('\n')}`);
      for (const r of recorders.values()) r.assertSameOrigin();
    },
  };
  return env;
}

/**
 * Records every request made in a browser context — its pages, their workers and service worker —
 * and the ones that leave the page's own origin(s) `origins` (URLs or origins). Requests for blob:
 * URLs of the page's origin and data: URLs stay inside the browser. `assertSameOrigin()` fails on
 * any foreign request; every browser test calls it (through `env.done()` for launch()'s pages).
 */
export function recordRequests(context, origins) {
  const allowed = new Set([origins].flat().map((o) => new URL(o).origin));
  const all = [];
  const foreign = [];
  context.on('request', (r) => {
    const url = r.url();
    all.push({ method: r.method(), url });
    if (url.startsWith('data:')) return;
    if (!allowed.has(new URL(url).origin)) foreign.push(`${r.method()} ${url}`);
  });
  return {
    all, foreign,
    assertSameOrigin(what = '') {
      assert.deepEqual(foreign, [], `requests that left the page's origin (${[...allowed].join(', ')})${what}:\n${foreign.join('\n')}`);
    },
  };
}

/** Reports every CSP violation of the page as a console error (which the tests fail on). */
export function reportCspViolations(page) {
  return page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      const v = `${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`;
      window.__cspViolations.push(v);
      console.error(`CSP violation: ${v}`);
    });
  });
}

function watch(page, errors) {
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('worker', (w) => w.on?.('console', (m) => { if (m.type() === 'error') errors.push(`worker console: ${m.text()}`); }));
  reportCspViolations(page);
  // Installed before any page script runs: every main-thread task over 50 ms, with its start time.
  page.addInitScript(() => {
    window.__longtasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
}

/** Waits for the app to have its worker and default corpus. */
export async function ready(page) {
  await page.getByTestId('status').filter({ hasText: /ready|paused|stopped|error/ }).waitFor({ timeout: 30_000 });
  await page.getByTestId('corpus-stats').filter({ hasText: 'characters' }).waitFor({ timeout: 30_000 });
}

export const text = async (page, id) => (await page.getByTestId(id).textContent()).trim();
export const number = async (page, id) => Number((await text(page, id)).replace(/,/g, ''));

/** Polls fn() until it returns a truthy value, or fails with the last value seen. */
export async function until(fn, { timeout = 60_000, interval = 200, message = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, interval));
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${message} (last: ${JSON.stringify(last)})`);
}

export async function status(page) { return text(page, 'status'); }
export async function waitStatus(page, re, timeout = 60_000) {
  await page.getByTestId('status').filter({ hasText: re }).waitFor({ timeout });
}

// The fields size 'auto' chooses (web/settings.js AUTO_FIELDS): setting one is setting the size by hand.
const AUTO_FIELDS = ['layers', 'hidden', 'embedding', 'dropout', 'seqLength', 'batchSize', 'optimizer', 'lrLog', 'schedule', 'steps'];

/** Sets a settings field by name (inputs and selects alike), as a user would: a size field switches the size to "Set by hand". */
export async function setField(page, name, value) {
  const size = page.locator('#settings [name="size"]');
  if (AUTO_FIELDS.includes(name) && (await size.inputValue()) === 'auto') await size.selectOption('manual');
  const el = page.locator(`#settings [name="${name}"]`);
  if ((await el.evaluate((e) => e.tagName)) === 'SELECT') await el.selectOption(String(value));
  else if ((await el.getAttribute('type')) === 'checkbox') await el.setChecked(!!value);
  else await el.fill(String(value));
}
