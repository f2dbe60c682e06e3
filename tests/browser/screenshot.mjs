#!/usr/bin/env node
// Regenerates the README screenshots: web/screenshot.png trains the "Tiny and fast" preset for a while
// on the default corpus, generates a passage, and photographs the page; web/screenshot-<task>.png does
// the same for each other task tab on its built-in example (names by gender, Brown part-of-speech tags,
// CMUdict spelling -> pronunciation).
// usage: node tests/browser/screenshot.mjs [lm] [classify] [tag] [bycat] [translate]   (default: all five)
import { join } from 'node:path';
import { launch, root, until, waitStatus } from './helpers.mjs';

const only = process.argv.slice(2);
const wanted = (k) => !only.length || only.includes(k);

/** Per task: settings over the tab's defaults, and what to type once trained. */
const TASK_SHOTS = {
  classify: { settings: { steps: 800, evalEvery: 100 }, input: 'Marianne' },
  tag: { settings: { steps: 800, evalEvery: 100 }, input: 'The jury said the new law was a fair one .' },
  bycat: { settings: { steps: 1500, evalEvery: 250 }, category: 'female' },
  translate: { settings: { hidden: 128, steps: 1500, evalEvery: 250 }, input: 'pronounce', minutes: 15 },
};

const env = await launch();
try {
  if (wanted('lm')) {
    const page = await env.open({ width: 1280, height: 900 });
    await page.getByTestId('preset-tiny').click();
    await page.locator('#settings [name="steps"]').fill('1500');
    await page.getByTestId('train').click();
    await waitStatus(page, /stopped/, 180_000);
    await page.getByTestId('prime').fill('The ');
    await page.locator('#gen-form [name="length"]').fill('500');
    await page.getByTestId('generate').click();
    await until(async () => /done/.test(await page.locator('#gen-note').textContent()), { message: 'generation' });
    const out = join(root, 'web', 'screenshot.png');
    await page.screenshot({ path: out, fullPage: true });
    console.log(`wrote ${out}`);
    await page.context().close();
  }
  for (const [task, shot] of Object.entries(TASK_SHOTS)) {
    if (!wanted(task)) continue;
    const page = await env.open({ width: 1280, height: 900 });
    await page.getByTestId(`task-${task}`).click();
    await page.locator('#tdata-summary .stats').waitFor({ timeout: 30_000 }); // the example, parsed
    for (const [k, v] of Object.entries(shot.settings)) await page.locator(`#tsettings [name="${k}"]`).fill(String(v));
    await page.getByTestId('task-train').click();
    await waitStatus(page, /training/, 30_000);
    await waitStatus(page, /stopped/, (shot.minutes ?? 5) * 60_000);
    if (shot.category) await page.getByTestId('category').selectOption(shot.category);
    if (shot.input) await page.getByTestId('task-input').fill(shot.input);
    await page.getByTestId('task-go').click();
    await until(async () => /done/.test(await page.locator('#tgo-note').textContent()), { message: `${task}: an answer` });
    const out = join(root, 'web', `screenshot-${task}.png`);
    await page.screenshot({ path: out, fullPage: true });
    console.log(`wrote ${out}`);
    await page.context().close();
  }
  env.done();
} finally {
  await env.close();
}
