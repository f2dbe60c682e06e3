// Model size and memory estimates shown live under the settings (pure functions, no wasm needed).

const GATES = { lstm: 4, gru: 3, rnn: 1 };

/** Trainable parameters: embedding, the recurrent stack (PyTorch layout: two bias vectors), the output layer. */
export function countParameters({ cell, layers, hidden: H, embedding: E }, V) {
  const g = GATES[cell] ?? 4;
  let total = V * E;
  for (let l = 0, I = E; l < layers; l++, I = H) total += g * H * (I + H) + 2 * g * H;
  return total + V * H + V;
}

/**
 * Bytes of memory a training run needs: weights, gradients and the optimizer's moments, plus the
 * activations kept for backpropagation through seqLength steps of batchSize sequences.
 */
export function estimateMemory(cfg, V) {
  const params = countParameters(cfg, V);
  const copies = 2 + ({ adam: 2, rmsprop: 1, sgd: 0 }[cfg.optimizer] ?? 2);
  const g = GATES[cfg.cell] ?? 4;
  const perToken = cfg.embedding + cfg.layers * cfg.hidden * (g + 3) + 2 * V; // inputs, gates, states, logits + softmax
  const activations = cfg.batchSize * cfg.seqLength * perToken * 4;
  return { params, bytes: params * 4 * copies + activations, weights: params * 4 * copies, activations };
}

export function formatBytes(n) {
  if (!Number.isFinite(n)) return '–';
  const u = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1000 && i < u.length - 1) { n /= 1000; i++; }
  return `${n < 10 && i ? n.toFixed(1) : Math.round(n)} ${u[i]}`;
}

export function formatCount(n) {
  if (!Number.isFinite(n)) return '–';
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 1 : 2)} M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(n >= 1e5 ? 0 : 1)} k`;
  return n.toLocaleString('en-US');
}
