// The locked-down page: web/serve.mjs sends the Content-Security-Policy of web/csp.mjs on every
// response and the built index.html carries it as a <meta> tag; the page (with the pthreads build,
// whose pool workers start from same-origin URLs, not blob:) loads, trains, generates and inspects
// under it without a single violation, its workers included (no eval anywhere: the browser builds
// are linked with DYNAMIC_EXECUTION=0); and the policy is really enforced (an inline script is
// refused, eval throws in the page and in the training worker).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CSP_HEADER, CSP_META } from '../../web/csp.mjs';
import { launch, number, reportCspViolations, setField, text, until, waitStatus } from './helpers.mjs';

test('CSP: sent as a header and a <meta> tag, no violations while the page works, and enforced', { timeout: 240_000 }, async (t) => {
  const env = await launch();
  t.after(() => env.close());

  // The header on the page and on a worker script (workers take the policy of their own response).
  for (const path of ['', 'worker.js', 'rnn-wasm/dist/mt/rnn_core.worker.js']) {
    const res = await fetch(env.server.url + path);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get('content-security-policy'), CSP_HEADER, `the header on /${path}`);
    await res.arrayBuffer();
  }
  assert.match(CSP_HEADER, /script-src 'self' 'wasm-unsafe-eval';/);
  assert.doesNotMatch(CSP_HEADER, /unsafe-inline|'unsafe-eval'|blob:|data:|\*/, 'nothing beyond the page itself');
  const html = await (await fetch(env.server.url)).text();
  const meta = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/);
  assert.ok(meta, 'the <meta> tag in the built index.html');
  assert.equal(meta[1], CSP_META);
  assert.ok(html.indexOf(meta[0]) < html.indexOf('<script'), 'the tag comes before any script');
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');

  // The page works under it: pthreads build, training, samples, generation, the inspect card.
  const page = await env.open();
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  assert.match(await page.getByTestId('features').textContent(), /pthreads build/);
  await page.getByTestId('preset-tiny').click();
  await setField(page, 'steps', 40);
  await setField(page, 'evalEvery', 20);
  await setField(page, 'sampleEvery', 20);
  await page.getByTestId('train').click();
  await waitStatus(page, /training|stopped/);
  await waitStatus(page, /stopped|error/, 150_000);
  assert.match(await text(page, 'status'), /^stopped/);
  assert.equal(await number(page, 'step'), 40);
  assert.match(await text(page, 'val-loss'), /\d/, 'a validation loss');
  await page.getByTestId('prime').fill('The ');
  await page.locator('#gen-form [name="length"]').fill('40');
  await page.getByTestId('generate').click();
  await until(async () => /done/.test(await page.locator('#gen-note').textContent()), { message: 'generation done' });
  assert.ok((await text(page, 'output')).startsWith('The'));
  const violations = await page.evaluate(() => window.__cspViolations);
  assert.deepEqual(violations, [], 'no CSP violation in the page');
  const wasm = env.requests().filter((r) => r.url.endsWith('.wasm'));
  assert.ok(wasm.length >= 1, 'the worker requests are recorded too (the wasm binary)');

  // The training worker is under the policy too: a fetch to another origin is refused there and
  // reported to the worker (without the policy it would leave, and env.done() would fail on it).
  const worker = page.workers().find((w) => w.url().endsWith('/worker.js'));
  assert.ok(worker, 'the training worker');
  const inWorker = await worker.evaluate(async () => {
    const seen = [];
    self.addEventListener('securitypolicyviolation', (e) => seen.push(e.effectiveDirective));
    const r = await fetch('http://127.0.0.2:9/probe').then(() => 'fetched', (e) => e.name);
    await new Promise((ok) => setTimeout(ok, 100));
    return { r, seen };
  });
  assert.deepEqual(inWorker, { r: 'TypeError', seen: ['connect-src'] }, 'connect-src in the training worker');
  env.done(); // no console error (a violation logs one), no request outside the page's origin

  // Enforced, in a page of its own (not watched: its refusals are the point). Scripts of the site's
  // own origin (written into the served folder here) try eval in the page and in a worker, and an
  // inline script is added to the DOM: eval throws in both, the inline script never runs and a
  // script-src violation is reported.
  writeFileSync(join(env.out, 'csp-probe.js'), "try { self.__evalResult = String(eval('1 + 1')); } catch (e) { self.__evalResult = e.name; }\n");
  writeFileSync(join(env.out, 'csp-probe-worker.js'), "let r; try { r = String(new Function('return 2')()); } catch (e) { r = e.name; } postMessage(r);\n");
  const ctx = await env.browser.newContext();
  const probe = await ctx.newPage();
  await reportCspViolations(probe);
  await probe.goto(env.server.url);
  const r = await probe.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.__inlineRan = true';
    document.head.append(s);
    const own = document.createElement('script');
    own.src = 'csp-probe.js';
    await new Promise((ok, fail) => { own.onload = ok; own.onerror = fail; document.head.append(own); });
    const w = new Worker('csp-probe-worker.js');
    const workerEval = await new Promise((ok) => { w.onmessage = (e) => ok(e.data); });
    w.terminate();
    return { inline: window.__inlineRan ?? false, pageEval: window.__evalResult, workerEval, violations: window.__cspViolations };
  });
  await ctx.close();
  assert.equal(r.inline, false, 'the inline script did not run');
  assert.ok(r.violations.some((v) => /^script-src/.test(v)), `a script-src violation was reported: ${r.violations}`);
  assert.equal(r.pageEval, 'EvalError', 'eval in the page');
  assert.equal(r.workerEval, 'EvalError', 'new Function() in a worker');
  t.diagnostic(`probe violations: ${r.violations.join(' | ')}`);
});
