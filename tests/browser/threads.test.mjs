// Threads in the page: served with COOP/COEP the training worker loads the pthreads build (mt; its pool
// workers are nested in the module worker) and trains; served without them it loads the single-threaded
// build (st) and trains the same way. The capabilities panel says which.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { buildSite } from '../../web/build.mjs';
import { startServer } from '../../web/serve.mjs';
import { number, ready, recordRequests, reportCspViolations, root, setField, text, until, waitStatus } from './helpers.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** The capabilities panel as { label: value }. */
async function capabilities(page) {
  return page.getByTestId('features').evaluate((dl) =>
    Object.fromEntries([...dl.querySelectorAll('div')].map((d) => [d.querySelector('dt')?.textContent, d.querySelector('dd')?.textContent])));
}

test('pthreads build when cross-origin isolated, single-threaded build otherwise; both train', { timeout: 240_000 }, async (t) => {
  const out = join(root, 'build', `site-test-threads-${process.pid}`);
  buildSite({ out });
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  const servers = [];
  t.after(async () => {
    await browser.close();
    for (const s of servers) await s.close();
    rmSync(out, { recursive: true, force: true });
  });

  for (const isolated of [true, false]) {
    const server = await startServer({ port: 0, root: out, isolated });
    servers.push(server);
    // No service worker here (as in a browser without them): without COOP/COEP it would add them and
    // reload (static-host.test.mjs), and its offline cache would fetch the other build too.
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const errors = [];
    const requests = [];
    context.on('request', (r) => requests.push(new URL(r.url()).pathname));
    const origin = recordRequests(context, server.url);
    const page = await context.newPage();
    await reportCspViolations(page);
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('worker', (w) => w.on?.('console', (m) => { if (m.type() === 'error') errors.push(`worker console: ${m.text()}`); }));
    await page.goto(server.url);
    await ready(page);

    const what = isolated ? 'with COOP/COEP' : 'without COOP/COEP';
    assert.equal(await page.evaluate(() => crossOriginIsolated), isolated, `crossOriginIsolated ${what}`);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const caps = await capabilities(page);
    t.diagnostic(`${what}: Threads "${caps.Threads}", build "${caps['Core build']}", ${cores} cores`);
    if (isolated) {
      const m = caps.Threads.match(/^(\d+) of (\d+) \(pthreads build\)$/);
      assert.ok(m, `Threads row ${what}: ${caps.Threads}`);
      assert.equal(Number(m[2]), Math.min(cores, 8), 'maxThreads = min(cores, 8)');
      assert.equal(Number(m[1]), Number(m[2]), 'all threads by default');
      if (cores > 1) assert.ok(Number(m[1]) > 1, 'more than one thread on a multi-core machine');
      assert.match(caps['Core build'], /pthreads/);
    } else {
      assert.equal(caps.Threads, '1 (page not cross-origin isolated)');
      assert.match(caps['Core build'], /single-threaded/);
    }

    // Train a few steps with a small model.
    await page.getByTestId('preset-tiny').click();
    await setField(page, 'steps', 20);
    await page.getByTestId('train').click();
    await until(async () => (await number(page, 'step')) >= 5, { timeout: 60_000, message: `5 steps ${what}` });
    assert.ok(Number.isFinite(await number(page, 'loss')), 'a finite loss');
    await waitStatus(page, /stopped|paused/, 120_000).catch(async () => {
      await page.getByTestId('stop').click();
      await waitStatus(page, /stopped/);
    });
    t.diagnostic(`${what}: step ${await text(page, 'step')}, loss ${await text(page, 'loss')}`);

    // The worker fetched the build it reported (and the pool worker script only for mt).
    const builds = requests.filter((p) => /\/dist\/(st|mt)\//.test(p));
    if (builds.length) {
      const want = isolated ? '/rnn-wasm/dist/mt/rnn_core.mjs' : '/rnn-wasm/dist/st/rnn_core.mjs';
      assert.ok(builds.includes(want), `${want} loaded ${what} (requests: ${builds.join(', ')})`);
      assert.equal(builds.some((p) => p.includes(isolated ? '/dist/st/' : '/dist/mt/')), false, `only one build ${what}: ${builds.join(', ')}`);
      if (isolated) assert.ok(builds.includes('/rnn-wasm/dist/mt/rnn_core.worker.js'), 'the pthread worker script');
    } else {
      t.diagnostic('worker requests are not visible to this browser context; relying on the panel');
    }
    assert.deepEqual(errors, [], `page console errors ${what}:\n${errors.join('\n')}`);
    origin.assertSameOrigin(` ${what}`);
    await context.close();
  }
});
