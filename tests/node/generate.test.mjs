// generate() is deterministic for a seed; stream() pieces concatenate to generate() for the same options.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTrainer, loadModel } from '../../wasm/index.js';
import { shakespeare, SMALL } from './helpers.mjs';

const collect = async (it) => { const out = []; for await (const p of it) out.push(p); return out; };

for (const tokenizer of ['char', 'word']) {
  describe(`${tokenizer}-level generation`, () => {
    let trainer, model;
    const prime = tokenizer === 'word' ? 'first citizen:' : 'First Citizen:';
    before(async () => {
      trainer = await createTrainer({ text: shakespeare(tokenizer === 'word' ? 40000 : 20000), ...SMALL, tokenizer, seqLength: 8 });
      await trainer.train({ steps: 60 });
      model = await loadModel(trainer.model.save());
    });
    after(() => {
      trainer.dispose();
      model.dispose();
    });

    test('same seed, same text; different seed, different text', () => {
      const o = { prime, length: 120, temperature: 1, seed: 5 };
      const a = model.generate(o);
      assert.equal(model.generate(o), a, 'repeatable on the same model');
      assert.equal(trainer.model.generate(o), a, 'the live model generates the same');
      assert.notEqual(model.generate({ ...o, seed: 6 }), a, 'another seed gives another text');
      const seeds = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((seed) => model.generate({ ...o, seed, length: 40 })));
      assert.ok(seeds.size >= 7, `8 seeds gave ${seeds.size} distinct texts`);
      assert.equal(model.generate({ ...o, seed: 0 }), model.generate({ ...o, seed: 0 }), 'seed 0 is a seed too');
      assert.equal(model.generate({ ...o, seed: 2 ** 53 - 1 }), model.generate({ ...o, seed: 2 ** 53 - 1 }));
    });

    test('generation does not depend on earlier calls (no hidden state)', () => {
      const o = { prime, length: 50, seed: 9, topK: 5 };
      const first = model.generate(o);
      model.generate({ prime: 'something else', length: 77, seed: 1 });
      assert.equal(model.generate(o), first);
    });

    const optionSets = [
      {},
      { prime, length: 100, seed: 3 },
      { prime, length: 100, seed: 3, temperature: 0.7, topK: 8 },
      { prime, length: 100, seed: 4, topP: 0.9, repetitionPenalty: 1.2 },
      { prime, length: 80, greedy: true },
      { prime, length: 80, seed: 2, includePrime: false },
      { prime, length: 300, seed: 8, stop: tokenizer === 'word' ? '||Period||' : '.' },
      { prime: '', length: 70, seed: 12 },
      { prime: 'zzqx unknown ⚡ prime', length: 40, seed: 1 },
    ];
    for (const o of optionSets) {
      test(`stream() concatenates to generate(): ${JSON.stringify(o)}`, async () => {
        const text = model.generate(o);
        const pieces = await collect(model.stream(o));
        assert.equal(pieces.join(''), text);
        assert.ok(pieces.every((p) => typeof p === 'string'));
        const livePieces = await collect(trainer.model.stream(o));
        assert.equal(livePieces.join(''), trainer.model.generate(o));
        assert.equal(livePieces.join(''), text);
      });
    }

    test('stop ends the text at the stop token', () => {
      const stop = tokenizer === 'word' ? '||Return||' : '\n';
      const t = model.generate({ prime, length: 400, seed: 3, stop, includePrime: false });
      assert.ok(t.endsWith('\n'), JSON.stringify(t));
      assert.equal(t.indexOf('\n'), t.length - 1);
    });

    test('an early break out of stream() is fine', async () => {
      let n = 0;
      for await (const p of model.stream({ prime, length: 1000, seed: 1 })) {
        void p;
        if (++n === 5) break;
      }
      assert.equal(n, 5);
      assert.equal(typeof model.generate({ length: 3 }), 'string');
    });

    test('interleaved streams are independent', async () => {
      const o1 = { prime, length: 40, seed: 1 };
      const o2 = { prime, length: 40, seed: 2 };
      const i1 = model.stream(o1)[Symbol.asyncIterator]();
      const i2 = trainer.model.stream(o2)[Symbol.asyncIterator]();
      let s1 = '', s2 = '';
      for (;;) {
        const [a, b] = [await i1.next(), await i2.next()];
        if (!a.done) s1 += a.value;
        if (!b.done) s2 += b.value;
        if (a.done && b.done) break;
      }
      assert.equal(s1, model.generate(o1));
      assert.equal(s2, model.generate(o2));
    });
  });
}

test('the word model writes words from its vocabulary with punctuation restored', async () => {
  const t = await createTrainer({ text: shakespeare(40000), ...SMALL, tokenizer: 'word', seqLength: 8 });
  await t.train({ steps: 30 });
  const out = t.model.generate({ prime: 'first citizen:', length: 60, seed: 1 });
  assert.ok(!out.includes('||'), `no raw punctuation tokens in ${JSON.stringify(out)}`);
  t.dispose();
});
