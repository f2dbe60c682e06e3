"""The road to PyTorch and back (python/rnn_wasm_torch.py), as a user takes it:

  rnn-wasm trains 20 steps (the CLI) → PyTorch continues 20 steps from that checkpoint (the module's
  command line, the one torchrun runs) → rnn-wasm loads the result: its loss on the corpus equals
  PyTorch's to 1e-4, it generates, it resumes the checkpoint PyTorch wrote, and the model file
  keeps the config and tokenizer. PyTorch's 20 steps also follow the loss curve rnn-wasm itself
  gives when it resumes the same checkpoint (the modules, optimizer, schedule, clipping, batches and
  carried state are the same).

Run by `npm test` after tests/python/pytorch_interop.py:  python3 tests/python/torch_roundtrip.py
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, HERE)

import rnn_wasm_torch as rwt  # noqa: E402
from pytorch_interop import SHAKESPEARE, brown_prose  # noqa: E402

CLI = [os.environ.get("NODE", "node"), os.path.join(ROOT, "wasm", "cli.js")]
TORCH = [sys.executable, os.path.join(ROOT, "python", "rnn_wasm_torch.py")]


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd[:3])} … exited {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def js_losses(checkpoint, corpus, steps):
    """rnn-wasm resuming the checkpoint: the loss of each step (the JS API, one step at a time)."""
    script = (
        "import { readFileSync } from 'node:fs';"
        f"import {{ createTrainer }} from {json.dumps(os.path.join(ROOT, 'wasm', 'index.js'))};"
        f"const t = await createTrainer({{ resumeFrom: readFileSync({json.dumps(checkpoint)}), text: readFileSync({json.dumps(corpus)}) }});"
        f"const out = []; for (let i = 0; i < {steps}; i++) out.push(t.step().loss);"
        "console.log(JSON.stringify(out)); t.dispose();"
    )
    return json.loads(run([CLI[0], "--input-type=module", "-e", script]))


def ptb_like(lines, seed):
    """A small pre-tokenized corpus in Penn Treebank's form: lower-case words, <unk>, N, a sentence a line."""
    import random
    rng = random.Random(seed)
    words = "the company said it expects <unk> N shares of mr. u.s. 's a year million $ in to and".split()
    return "".join(" " + " ".join(rng.choice(words) for _ in range(rng.randint(4, 14))) + " \n" for _ in range(lines))


def two_processes(tmp, name, js20, corpus, torch_curve, loss):
    """The same 20 steps in two processes started as torchrun starts them (its environment variables;
    Debian's torchrun launcher itself fails under Python 3.11): DistributedDataParallel over Gloo gives
    the one-process curve, and the checkpoint rank 0 writes (the carried state gathered) scores the same."""
    out = os.path.join(tmp, f"{name}.ddp.safetensors")
    env = dict(os.environ, WORLD_SIZE="2", LOCAL_WORLD_SIZE="2", MASTER_ADDR="127.0.0.1", MASTER_PORT=str(29500 + os.getpid() % 400))
    procs = [subprocess.Popen(TORCH + ["train", js20, corpus, "--steps", "20", "--json", "--out", out],
                              env=dict(env, RANK=str(r), LOCAL_RANK=str(r)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for r in range(2)]
    outputs = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, outputs):
        assert p.returncode == 0, f"a torchrun-style process exited {p.returncode}: {err.strip()[-500:]}"
    curve = [json.loads(line)["loss"] for line in outputs[0][0].strip().split("\n")]
    assert outputs[1][0].strip() == "", "only rank 0 prints"
    worst = max(abs(a - b) / abs(b) for a, b in zip(curve, torch_curve))
    assert worst < 1e-5, f"two processes leave the one-process curve (worst relative difference {worst:.2e})"
    ddp_loss = json.loads(run(CLI + ["eval", out, "--file", corpus, "--json"]))["loss"]
    assert abs(ddp_loss - loss) < 1e-5, (ddp_loss, loss)
    print(f"{name}: two processes (DistributedDataParallel, Gloo) follow the one-process curve (worst relative difference {worst:.1e})")


def roundtrip(tmp, name, text, flags, distributed=False):
    corpus = os.path.join(tmp, f"{name}.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        f.write(text)
    js20, pt40, pt40_model = (os.path.join(tmp, f"{name}.{x}.safetensors") for x in ("js20", "pt40", "pt40-model"))

    # 1. rnn-wasm trains 20 steps.
    run(CLI + ["train", corpus, *flags, "--steps", "20", "--eval-every", "0", "-q", "--out", js20])
    # 2. PyTorch continues 20 steps from the checkpoint (the command torchrun runs).
    lines = run(TORCH + ["train", js20, corpus, "--steps", "20", "--json", "--out", pt40, "--model-out", pt40_model])
    torch_curve = [json.loads(line)["loss"] for line in lines.strip().split("\n")]
    assert len(torch_curve) == 20
    # ...on the loss curve rnn-wasm itself follows from the same checkpoint.
    js_curve = js_losses(js20, corpus, 20)
    worst = max(abs(a - b) / abs(b) for a, b in zip(torch_curve, js_curve))
    assert worst < 1e-3, f"{name}: PyTorch's steps 21-40 leave rnn-wasm's curve (worst relative difference {worst:.2e})"

    # 3. rnn-wasm loads what PyTorch wrote: the same loss on the corpus as PyTorch computes.
    ours = json.loads(run(CLI + ["eval", pt40, "--file", corpus, "--json"]))
    theirs = rwt.evaluate_text(rwt.load(pt40), text)
    diff = abs(ours["loss"] - theirs["loss"])
    assert ours["tokens"] == theirs["tokens"], (ours["tokens"], theirs["tokens"])
    assert diff < 1e-4, f"{name}: rnn-wasm's loss {ours['loss']} vs PyTorch's {theirs['loss']}"
    # ...it generates, from the checkpoint and from the weights-only file,
    for path in (pt40, pt40_model):
        sample = run(CLI + ["generate", path, "--length", "40", "--seed", "1"])
        assert len(sample.strip()) > 0, f"{path}: generated nothing"
    # ...the config and tokenizer are the ones rnn-wasm wrote,
    before, after = rwt.read_safetensors(js20)[0], rwt.read_safetensors(pt40_model)[0]
    for key in ("config", "model", "tokenizer"):
        assert json.loads(before[key]) == json.loads(after[key]), f"{name}: metadata '{key}' changed"
    assert "training" not in after
    # ...and rnn-wasm resumes PyTorch's checkpoint at step 40.
    progress = run(CLI + ["train", corpus, "--resume", pt40, "--steps", "5", "--json", "--eval-every", "0",
                          "--out", os.path.join(tmp, f"{name}.js45.safetensors")])
    final = json.loads(progress.strip().split("\n")[-1])
    assert final["step"] == 45, final
    if distributed:
        two_processes(tmp, name, js20, corpus, torch_curve, ours["loss"])
    print(f"{name}: rnn-wasm 20 steps → PyTorch 20 steps (worst relative loss difference to rnn-wasm's own "
          f"steps 21-40: {worst:.1e}) → rnn-wasm: loss on the corpus {ours['loss']:.6f} vs PyTorch "
          f"{theirs['loss']:.6f} (|Δ| {diff:.1e}, {ours['tokens']} tokens); generates; resumes to step 45")


def main():
    passed = 0
    with tempfile.TemporaryDirectory() as tmp:
        if os.path.exists(SHAKESPEARE):
            with open(SHAKESPEARE, encoding="utf-8") as f:
                chars = f.read(30000)
        else:
            print(f"{SHAKESPEARE} not found (set RNN_DATA_DIR to the shared corpora): the character model trains on Brown prose")
            chars = brown_prose(30000)
        roundtrip(tmp, "char-lstm", chars, ["--tokenizer", "char", "--cell", "lstm", "--layers", "2", "--hidden", "32",
                                            "--embedding", "16", "--seq-length", "16", "--batch-size", "8",
                                            "--learning-rate", "0.01", "--seed", "3"], distributed=True)
        passed += 1
        roundtrip(tmp, "whitespace-gru", ptb_like(600, 4), ["--tokenizer", "whitespace", "--cell", "gru", "--layers", "1",
                                                            "--hidden", "24", "--embedding", "12", "--seq-length", "12",
                                                            "--batch-size", "4", "--optimizer", "rmsprop", "--learning-rate",
                                                            "0.005", "--schedule", "cosine", "--total-steps", "60",
                                                            "--clip-value", "1", "--seed", "5"])
        passed += 1
        # Issue 14's options PyTorch has too: tied weights (one Parameter), AdamW's decoupled decay of
        # the matrices only, a linear decay; checkpoints carry keep-best weights (best.*) through.
        roundtrip(tmp, "word-tied-adamw", ptb_like(600, 6), ["--tokenizer", "whitespace", "--cell", "lstm", "--layers", "2",
                                                              "--hidden", "16", "--embedding", "16", "--tie-weights",
                                                              "--seq-length", "12", "--batch-size", "4", "--optimizer", "adamw",
                                                              "--weight-decay", "0.1", "--learning-rate", "0.01",
                                                              "--schedule", "linear", "--total-steps", "80", "--seed", "7"])
        passed += 1
    print(f"pytorch round trip: {passed} passed, 0 failed")


if __name__ == "__main__":
    sys.exit(main())
