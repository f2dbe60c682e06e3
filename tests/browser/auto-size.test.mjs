// The page's default size is 'auto': the core's chooseSize() for the default corpus and the minutes
// fills the form (greyed), says why, follows the minutes, trains exactly that, and gives way to a
// preset or "Set by hand".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, number, text, until, waitStatus } from './helpers.mjs';

const field = (page, name) => page.locator(`#settings [name="${name}"]`);

test('size auto: chosen from the corpus and the time, shown, trained; a preset sets it by hand', { timeout: 180_000 }, async (t) => {
  const env = await launch();
  t.after(() => env.close());
  const page = await env.open();

  assert.equal(await field(page, 'size').inputValue(), 'auto');
  await until(async () => /^Chosen for 5 min/.test(await text(page, 'auto-note')), { message: 'the choice for 5 minutes' });
  const note5 = await text(page, 'auto-note');
  const hidden5 = Number(await field(page, 'hidden').inputValue());
  const layers5 = Number(await field(page, 'layers').inputValue());
  assert.match(note5, new RegExp(`: ${layers5}×${hidden5} LSTM`), note5);
  for (const k of ['layers', 'hidden', 'embedding', 'dropout', 'seqLength', 'batchSize', 'steps']) {
    assert.equal(await field(page, k).isDisabled(), true, `${k} is chosen, not set`);
  }
  assert.equal(await field(page, 'optimizer').inputValue(), 'adamw');
  assert.equal(await field(page, 'schedule').inputValue(), 'cosine');
  t.diagnostic(note5);

  // Less time: a model no larger, and fewer steps.
  const steps5 = Number(await field(page, 'steps').inputValue());
  await field(page, 'budgetMinutes').fill('0.5');
  await until(async () => /^Chosen for 30 s/.test(await text(page, 'auto-note')), { message: 'the choice for 30 s' });
  const hidden05 = Number(await field(page, 'hidden').inputValue());
  assert.ok(hidden05 <= hidden5, `${hidden05} > ${hidden5}`);
  assert.ok(Number(await field(page, 'steps').inputValue()) < steps5);

  // Training uses the chosen model.
  await page.getByTestId('train').click();
  await waitStatus(page, /training/);
  await until(async () => (await number(page, 'step')) > 0, { timeout: 60_000, message: 'the first step' });
  const layers = await field(page, 'layers').inputValue();
  assert.match(await page.locator('#run-note').textContent(), new RegExp(`^LSTM ${layers}×${hidden05} `));
  await page.getByTestId('pause').click();
  await waitStatus(page, /paused/);

  // A preset is a size set by hand: the fields open, the note goes.
  await page.getByTestId('preset-tiny').click();
  assert.equal(await field(page, 'size').inputValue(), 'manual');
  assert.equal(await field(page, 'hidden').isDisabled(), false);
  assert.equal(await field(page, 'hidden').inputValue(), '64');
  assert.equal(await field(page, 'budgetMinutes').isDisabled(), true);
  await until(async () => (await text(page, 'auto-note')) === '', { message: 'the note cleared' });
  env.done();
});
