// The request recorder every browser test uses (helpers.mjs recordRequests; launch()'s env.done()
// runs it): it sees the page's requests and its workers', and fails a test on any request that leaves
// the page's origin — checked here on a page that makes one. The app itself, loaded and idle, makes
// none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, recordRequests } from './helpers.mjs';

test('the request recorder catches a request to another origin; the page makes none', { timeout: 120_000 }, async (t) => {
  const env = await launch();
  t.after(() => env.close());
  const page = await env.open();
  await page.getByTestId('offline').filter({ hasText: /yes|no/ }).waitFor({ timeout: 60_000 });
  const seen = env.requests().map((r) => new URL(r.url).pathname);
  assert.ok(seen.includes('/worker.js') && seen.some((p) => p.endsWith('.wasm')), `the worker's requests are recorded: ${seen.join(' ')}`);
  env.done();

  // A page with no policy of its own, asking for an image from another origin (127.0.0.2 and
  // another port: both differ from the server's origin).
  const ctx = await env.browser.newContext();
  const rec = recordRequests(ctx, env.server.url);
  const other = await ctx.newPage();
  await other.setContent('<img src="http://127.0.0.2:9/pixel.png"><img src="http://127.0.0.1:9/pixel.png">');
  await other.waitForTimeout(300);
  await ctx.close();
  assert.deepEqual(rec.foreign.sort(), ['GET http://127.0.0.1:9/pixel.png', 'GET http://127.0.0.2:9/pixel.png']);
  assert.throws(() => rec.assertSameOrigin(), /requests that left the page's origin/);
});
