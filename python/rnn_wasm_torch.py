"""rnn-wasm ⇄ PyTorch: continue a browser-trained model on GPUs, then bring it back.

An rnn-wasm model file or checkpoint (safetensors: weights named as PyTorch names them, the run's
config, the tokenizer) becomes the matching ``nn.Module`` — ``nn.Embedding`` → ``nn.LSTM`` /
``nn.GRU`` / ``nn.RNN`` (``bidirectional=True`` when the file has ``_reverse`` tensors) →
``nn.Linear`` — for a language model, a classifier or a tagger. A language model keeps training
here the way rnn-wasm trains it (the recipe's stream batches with the state carried from batch to
batch, the file's optimizer, learning-rate schedule and clipping, continuing from a checkpoint's
optimizer moments, carried state and data position), under ``torchrun`` with
DistributedDataParallel as well as in one process, and ``save()`` writes a file rnn-wasm loads
back: the same config and tokenizer, the new weights — and, for a checkpoint, the training state,
so ``rnn-wasm train --resume`` continues it.

Command line (the same command under ``torchrun --nproc-per-node N``)::

    python3 python/rnn_wasm_torch.py train model.safetensors corpus.txt --steps 1000 --out more.safetensors
    python3 python/rnn_wasm_torch.py eval more.safetensors test.txt

Needs only torch and numpy (the safetensors container is read and written here, a few lines).
"""
import argparse
import json
import math
import os
import struct
import sys
import zlib

import numpy as np
import torch
from torch import nn

FORMAT_VERSION = 1
CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}
MOMENTS = {"adam": ("exp_avg", "exp_avg_sq"), "adamw": ("exp_avg", "exp_avg_sq"), "rmsprop": (None, "square_avg"), "sgd": ("momentum_buffer", None)}


# ---------------------------------------------------------------------------------------------
# The file: safetensors with rnn-wasm's metadata

def read_safetensors(path):
    """(metadata: {str: str}, tensors: {name: np.ndarray float32}) in the file's order."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: not a safetensors file (too short)")
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    body = data[8 + n :]
    tensors = {}
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} has dtype {info['dtype']}, rnn-wasm writes F32")
        begin, end = info["data_offsets"]
        tensors[name] = np.frombuffer(body[begin:end], dtype="<f4").reshape(info["shape"]).copy()
    return meta, tensors


def write_safetensors(path, tensors, meta):
    """Writes {name: array} in order with metadata (all strings) and rnn-wasm's CRC-32 checksum."""
    blobs = [np.ascontiguousarray(v, dtype="<f4").tobytes() for v in tensors.values()]
    crc = 0
    for b in blobs:
        crc = zlib.crc32(b, crc)
    meta = dict(sorted({**meta, "checksum": f"crc32:{crc & 0xFFFFFFFF:08x}"}.items()))
    header = {"__metadata__": meta}
    offset = 0
    for (name, value), b in zip(tensors.items(), blobs):
        header[name] = {"dtype": "F32", "shape": list(value.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)  # atomic, as the CLI saves


# ---------------------------------------------------------------------------------------------
# The tokenizers, as core/text/tokenizer.cpp defines them (ids must match for the loss to match)

_SPACE = set("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | {chr(c) for c in range(0x2000, 0x200B)}


def _is_space(c):  # the core's whitespace: the set of Python's str.split()
    return c in _SPACE


def _to_lower(c):  # the core's one-to-one lower-casing of the common alphabets, nothing more
    o = ord(c)
    if o < 0x80:
        return chr(o + 32) if "A" <= c <= "Z" else c
    if 0xC0 <= o <= 0xDE and o != 0xD7:
        return chr(o + 32)
    if 0x391 <= o <= 0x3A9 and o != 0x3A2:
        return chr(o + 32)
    if 0x410 <= o <= 0x42F:
        return chr(o + 32)
    if 0x400 <= o <= 0x40F:
        return chr(o + 80)
    return c


PUNCTUATION = {".": "||Period||", ",": "||Comma||", '"': "||QuotationMark||", ";": "||Semicolon||",
               "!": "||Exclamationmark||", "?": "||Questionmark||", "(": "||LeftParentheses||",
               ")": "||RightParentheses||", "\n": "||Return||"}


class Tokenizer:
    """The file's tokenizer: kind char | word | whitespace, its vocabulary and options."""

    def __init__(self, spec):
        self.spec = spec
        self.kind = spec["kind"]
        self.lowercase = spec.get("lowercase", True)
        self.eos = spec.get("eos", "")
        self.vocab = spec["vocab"]
        self.ids = {t: i for i, t in enumerate(self.vocab)}
        self.unk = self.ids.get("<unk>", -1)

    def split(self, text):
        if self.kind == "char":
            return list(text)
        out, word = [], []

        def flush():
            if word:
                out.append("".join(word))
                word.clear()

        i = 0
        while i < len(text):
            c = text[i]
            if self.kind == "word":
                token = PUNCTUATION.get(c)
                if token is None and c == "-" and i + 1 < len(text) and text[i + 1] == "-":
                    token, i = "||Dash||", i + 1
                if token is not None:
                    flush()
                    out.append(token)
                    i += 1
                    continue
            if _is_space(c):
                flush()
                if c == "\n" and self.kind == "whitespace" and self.eos:
                    out.append(self.eos)
            else:
                word.append(_to_lower(c) if self.lowercase else c)
            i += 1
        flush()
        return out

    def encode(self, text):
        """(ids, unknown): tokens outside the vocabulary become <unk>, or are left out without one."""
        ids, unknown = [], 0
        for t in self.split(text):
            k = self.ids.get(t, -1)
            if k < 0:
                unknown += 1
                k = self.unk
            if k >= 0:
                ids.append(k)
        return ids, unknown


def read_text(path):
    """A corpus as the core reads it: UTF-8 (invalid bytes replaced, as with replaceInvalid)."""
    with open(path, "rb") as f:
        raw = f.read()
    return raw, raw.decode("utf-8", errors="replace")


# ---------------------------------------------------------------------------------------------
# The modules

class Network(nn.Module):
    """Embedding → (bi)directional LSTM / GRU / RNN stack → Linear, named as rnn-wasm names its tensors."""

    def __init__(self, cell, vocab, embedding, hidden, layers, outputs, bidirectional=False, dropout=0.0,
                 task="lm", pooling="final", tie=False, adaptive=None):
        super().__init__()
        self.task, self.pooling, self.hidden = task, pooling, hidden
        self.embedding = nn.Embedding(vocab, embedding)
        self.rnn = CELLS[cell](embedding, hidden, num_layers=layers, batch_first=True,
                               bidirectional=bidirectional, dropout=dropout if layers > 1 else 0.0)
        if adaptive:  # adaptiveSoftmax: the model metadata's adaptive_softmax, PyTorch's own module
            self.adaptive = nn.AdaptiveLogSoftmaxWithLoss(hidden, outputs, adaptive["cutoffs"],
                                                          div_value=float(adaptive["div_value"]),
                                                          head_bias=bool(adaptive["head_bias"]))
        else:
            self.fc = nn.Linear(hidden * (2 if bidirectional else 1), outputs)
        if tie:  # tieWeights: one Parameter for the lookup table and the output weight (Press & Wolf)
            self.fc.weight = self.embedding.weight

    def forward(self, ids, state=None):
        """Language model / tagger: logits per step (B × T × outputs) and the final state. With the
        adaptive softmax the logits are the full log-probabilities (cross-entropy of them is −log p)."""
        out, state = self.rnn(self.embedding(ids), state)
        if hasattr(self, "adaptive"):
            B, T, H = out.shape
            return self.adaptive.log_prob(out.reshape(B * T, H)).reshape(B, T, -1), state
        return self.fc(out), state

    def classify(self, ids):
        """Classifier: log-probabilities of the labels, one row per sequence (rows of equal length)."""
        out, _ = self.rnn(self.embedding(ids))
        if self.pooling == "final":
            H = self.hidden
            pooled = torch.cat([out[:, -1, :H], out[:, 0, H:]], dim=1) if out.shape[2] == 2 * H else out[:, -1]
        elif self.pooling == "mean":
            pooled = out.mean(dim=1)
        else:
            pooled = out.max(dim=1).values
        return torch.log_softmax(self.fc(pooled), dim=1)


class RnnWasmFile:
    """A model file or checkpoint loaded into PyTorch: ``.net`` (the nn.Module), ``.tokenizer``,
    ``.config`` (the run options), and for a checkpoint ``.training`` (step, epoch, position, …),
    ``.moments`` (optimizer buffers by PyTorch state name) and ``.state`` (the carried h, c)."""

    def __init__(self, path):
        meta, tensors = read_safetensors(path)
        if meta.get("format") != "rnn-wasm":
            raise ValueError(f"{path}: not an rnn-wasm model file (metadata 'format' is {meta.get('format')!r})")
        if int(meta.get("format_version", "0")) > FORMAT_VERSION:
            raise ValueError(f"{path}: format_version {meta['format_version']} is newer than this module reads ({FORMAT_VERSION})")
        self.meta = meta
        self.config = json.loads(meta["config"])
        self.model = json.loads(meta["model"])
        self.tokenizer = Tokenizer(json.loads(meta["tokenizer"]))
        self.labels = json.loads(meta["labels"]) if "labels" in meta else []
        self.task = self.model.get("task", "lm")
        if self.task not in ("lm", "classify", "tag"):
            raise ValueError(f"{path}: task '{self.task}' has no PyTorch module here")
        if "category_embedding.weight" in tensors:
            raise ValueError(f"{path}: a language model by category (category_embedding) has no PyTorch module here")
        self.training = json.loads(meta["training"]) if "training" in meta else None
        weights = {k: v for k, v in tensors.items() if not k.startswith(("optimizer.", "state.", "best."))}  # best.*: keep-best weights
        self.names = list(weights)  # the file's tensor order, kept when saving
        self.moments = {k[len("optimizer."):]: v for k, v in tensors.items() if k.startswith("optimizer.")}
        self.state = {k[len("state."):]: v for k, v in tensors.items() if k.startswith("state.")}
        self.best = {k: v for k, v in tensors.items() if k.startswith("best.")}  # keep-best weights, carried as read
        m = self.model
        outputs = m["vocab_size"] if self.task == "lm" else len(self.labels)
        self.net = Network(m["cell"], m["vocab_size"], m["embedding_size"], m["hidden_size"], m["layers"], outputs,
                           bidirectional=bool(m.get("bidirectional", False)), dropout=float(self.config.get("dropout", 0)),
                           task=self.task, pooling=self.config.get("pooling", "final"),
                           tie=bool(self.config.get("tieWeights", False)), adaptive=m.get("adaptive_softmax"))
        state = {k: torch.from_numpy(v) for k, v in weights.items()}
        if self.config.get("tieWeights") and "fc.weight" not in state:  # the file holds the shared tensor once
            state["fc.weight"] = state["embedding.weight"]
        self.net.load_state_dict(state, strict=True)

    def save(self, path, net=None, training=None):
        """Writes a file rnn-wasm loads: this file's config, model and tokenizer metadata with the
        weights of ``net`` (default: ``self.net``); with ``training`` (from ``train_language_model``)
        a checkpoint that ``rnn-wasm train --resume`` continues."""
        net = net or self.net
        sd = {k: v.detach().cpu().numpy() for k, v in _unwrap(net).state_dict().items()}
        tensors = {k: sd[k] for k in self.names}
        meta = {k: v for k, v in self.meta.items() if k in ("format", "format_version", "config", "model", "tokenizer", "labels")}
        if training is not None:
            opt = self.config.get("optimizer", "adam")
            for buf in MOMENTS[opt]:
                if buf and buf in training["moments"]:
                    for k in self.names:
                        tensors[f"optimizer.{buf}.{k}"] = training["moments"][buf][k]
            for k, v in training["state"].items():
                tensors[f"state.{k}"] = v
            if training["meta"].get("has_best"):
                tensors.update(self.best)
            meta["training"] = json.dumps(training["meta"], separators=(",", ":"))
        write_safetensors(path, tensors, meta)


def _unwrap(net):
    return net.module if hasattr(net, "module") else net


def load(path):
    """An rnn-wasm model file or checkpoint as an ``RnnWasmFile`` (``.net`` is the nn.Module)."""
    return RnnWasmFile(path)


# ---------------------------------------------------------------------------------------------
# Data, the way rnn-wasm cuts it (core/train/batching.cpp)

def split_validation(ids, fraction):
    """The last floor(len × fraction) tokens are the validation split."""
    n_val = int(math.floor(len(ids) * fraction))
    return ids[: len(ids) - n_val], ids[len(ids) - n_val :]


def stream_batches(ids, batch_size, seq_length):
    """The recipe's batches: (n_batches, B, T) inputs and targets; row r of batch k+1 continues row
    r of batch k; targets are the next token, cyclically over the kept tokens; the tail is dropped."""
    per_batch = batch_size * seq_length
    n = len(ids) // per_batch
    if n < 1:
        raise ValueError(f"text too short: {len(ids)} training tokens, need at least {per_batch} for batchSize "
                         f"{batch_size} × seqLength {seq_length}")
    kept = np.asarray(ids[: n * per_batch], dtype=np.int64)
    targets = np.roll(kept, -1)
    x = kept.reshape(batch_size, n, seq_length).transpose(1, 0, 2)
    y = targets.reshape(batch_size, n, seq_length).transpose(1, 0, 2)
    return torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(np.ascontiguousarray(y))


def learning_rate_at(schedule, lr, step):
    """core/train/schedule.cpp: constant, step or cosine, with linear warm-up."""
    kind = schedule.get("type", "constant")
    r = lr
    if kind == "step":
        r = lr * schedule.get("gamma", 0.5) ** (step // schedule.get("stepSize", 1000))
    elif kind == "cosine":
        total = schedule.get("totalSteps", 10000)
        lo = schedule.get("minLearningRate", 0.0)
        r = lo + 0.5 * (lr - lo) * (1.0 + math.cos(math.pi * min(step, total) / total))
    elif kind == "linear":
        total = schedule.get("totalSteps", 10000)
        lo = schedule.get("minLearningRate", 0.0)
        r = lo + (lr - lo) * (1.0 - min(step, total) / total)
    warmup = schedule.get("warmup", 0)
    if warmup > 0 and step < warmup:
        r *= (step + 1) / warmup
    return r


def make_optimizer(config, params):
    """The run's optimizer with PyTorch's formulas (rnn-wasm uses the same ones)."""
    kind = config.get("optimizer", "adam")
    lr, wd = config.get("learningRate", 2e-3), config.get("weightDecay", 0.0)
    if kind == "adamw":  # decoupled decay of the matrices and embeddings only, as core/train/optimizer.cpp
        groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": wd},
                  {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
        return torch.optim.AdamW(groups, lr=lr, betas=(config.get("beta1", 0.9), config.get("beta2", 0.999)),
                                 eps=config.get("eps", 1e-8))
    if kind == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(config.get("beta1", 0.9), config.get("beta2", 0.999)),
                                eps=config.get("eps", 1e-8), weight_decay=wd)
    if kind == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=config.get("alpha", 0.99), eps=config.get("eps", 1e-8), weight_decay=wd)
    return torch.optim.SGD(params, lr=lr, momentum=config.get("momentum", 0.0), weight_decay=wd)


def _state_tuple(cell, state, rows, device):
    """rnn-wasm's state.h_l{k} / state.c_l{k} ([B, H] each) → PyTorch's (h, c) of [layers, B, H]."""
    layers = len([k for k in state if k.startswith("h_l")])
    h = torch.stack([torch.from_numpy(state[f"h_l{k}"][rows]) for k in range(layers)]).to(device)
    if cell != "lstm":
        return h
    c = torch.stack([torch.from_numpy(state[f"c_l{k}"][rows]) for k in range(layers)]).to(device)
    return (h, c)


def _state_dict(cell, state):
    """PyTorch's state → rnn-wasm's state.* tensors."""
    h, c = (state if cell == "lstm" else (state, None))
    out = {}
    for k in range(h.shape[0]):
        out[f"h_l{k}"] = h[k].detach().cpu().numpy()
        if c is not None:
            out[f"c_l{k}"] = c[k].detach().cpu().numpy()
    return out


def _zero_state(cell, layers, rows, hidden, device):
    h = torch.zeros(layers, rows, hidden, device=device)
    return (h, torch.zeros_like(h)) if cell == "lstm" else h


def train_language_model(f, text, steps, device="cpu", on_step=None):
    # text: a str, or the file's bytes (then the checkpoint's corpus fingerprint is of exactly them).
    """Continues training ``f.net`` (a language model) on ``text`` for ``steps`` updates, as rnn-wasm
    would: the file's validation split and batch layout, the state carried between batches (reset
    each epoch), its optimizer, schedule and clipping; from a checkpoint, its optimizer moments,
    step, data position and carried state. Under torchrun each process takes batchSize / world
    rows of every batch and DistributedDataParallel averages the gradients, so the update is the
    single-process one. Returns {losses, meta, moments, state}: ``f.save(path, training=…)``
    writes it as a checkpoint."""
    if f.task != "lm":
        raise ValueError(f"training here is for language models; this file is for task '{f.task}'")
    cfg, m = f.config, f.model
    # Dropout sites this module's Network does not have: training here would not be rnn-wasm's run.
    for opt in ("embeddingDropout", "outputDropout", "weightDrop"):
        if cfg.get(opt, 0):
            raise ValueError(f"training here has no '{opt}' (the file's run uses {cfg[opt]}): continue it in rnn-wasm")
    if cfg.get("lockedDropout") and cfg.get("dropout", 0) and m["layers"] > 1:
        raise ValueError("training here has no locked dropout between layers (PyTorch's LSTM draws a mask per step): continue it in rnn-wasm")
    B, T, cell, layers, H = cfg["batchSize"], cfg["seqLength"], m["cell"], m["layers"], m["hidden_size"]
    distributed = torch.distributed.is_available() and torch.distributed.is_initialized()
    world = torch.distributed.get_world_size() if distributed else 1
    rank = torch.distributed.get_rank() if distributed else 0
    if B % world:
        raise ValueError(f"batchSize {B} does not split evenly over {world} processes")
    rows = slice(rank * B // world, (rank + 1) * B // world)

    raw = text if isinstance(text, bytes) else text.encode("utf-8")
    text = raw.decode("utf-8", errors="replace")
    ids, _ = f.tokenizer.encode(text)
    train_ids, _ = split_validation(ids, cfg.get("validationFraction", 0.05))
    x_all, y_all = stream_batches(train_ids, B, T)
    n_batches = x_all.shape[0]

    net = f.net.to(device)
    net.train()
    model = net
    if distributed:
        model = torch.nn.parallel.DistributedDataParallel(net, device_ids=[device.index] if getattr(device, "type", "cpu") == "cuda" else None)
    params = list(net.parameters())
    names = [n for n, _ in net.named_parameters()]
    optimizer = make_optimizer(cfg, params)
    tr = f.training or {}
    step = int(tr.get("step", 0))
    opt_step = int(tr.get("optimizer_step", 0))
    epoch, position = int(tr.get("epoch", 0)), int(tr.get("position", 0))
    if position >= n_batches:
        raise ValueError("the checkpoint's data position is beyond this text: train on the text it was trained on")
    kind = cfg.get("optimizer", "adam")
    # The optimizer's buffers, as rnn-wasm kept them (PyTorch's names and formulas).
    if opt_step > 0:
        for p, name in zip(params, names):
            st = optimizer.state[p]
            for buf in MOMENTS[kind]:
                if buf and f"{buf}.{name}" in f.moments:
                    st[buf] = torch.from_numpy(f.moments[f"{buf}.{name}"]).to(device)
            if kind in ("adam", "adamw"):
                st["step"] = torch.tensor(float(opt_step))
            elif kind == "rmsprop":
                st["step"] = opt_step
    state = (_state_tuple(cell, f.state, rows, device) if f.state
             else _zero_state(cell, layers, rows.stop - rows.start, H, device))
    clip = cfg.get("clip") or {}
    schedule = dict(cfg.get("schedule", {"type": "constant"}))
    lr_scale = float(tr.get("guard_lr_scale", 1.0))  # rnn-wasm's divergence guard lowered the rate (no guard here)
    if schedule.get("fitTime") and "planned_steps" in tr:  # the length the time-fitted run had planned
        schedule["totalSteps"] = int(tr["planned_steps"])
    base_lr = cfg.get("learningRate", 2e-3)
    losses = []
    for _ in range(steps):
        x = x_all[position][rows].to(device)
        y = y_all[position][rows].to(device)
        lr = learning_rate_at(schedule, base_lr, step) * lr_scale
        for g in optimizer.param_groups:
            g["lr"] = lr
        optimizer.zero_grad(set_to_none=False)
        logits, new_state = model(x, state)
        loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        loss.backward()
        if "value" in clip:
            torch.nn.utils.clip_grad_value_(params, clip["value"])
        if "norm" in clip:
            torch.nn.utils.clip_grad_norm_(params, clip["norm"])
        optimizer.step()
        mean_loss = loss.detach()
        if distributed:  # the loss of the whole batch, as one process would report it
            torch.distributed.all_reduce(mean_loss)
            mean_loss /= world
        losses.append(float(mean_loss))
        if on_step:
            on_step(step + 1, losses[-1], lr)
        step += 1
        opt_step += 1
        position += 1
        state = tuple(s.detach() for s in new_state) if cell == "lstm" else new_state.detach()
        if position == n_batches:  # a new epoch starts from a zero state, as rnn-wasm does
            position, epoch = 0, epoch + 1
            state = _zero_state(cell, layers, rows.stop - rows.start, H, device)

    # Everything a checkpoint holds: the full batch's carried state gathered from every process.
    full_state = state
    if distributed:
        parts = [state] if cell != "lstm" else list(state)
        gathered = []
        for s in parts:
            buf = [torch.zeros_like(s) for _ in range(world)]
            torch.distributed.all_gather(buf, s.contiguous())
            gathered.append(torch.cat(buf, dim=1))
        full_state = tuple(gathered) if cell == "lstm" else gathered[0]
    moments = {}
    for buf in MOMENTS[kind]:
        if buf:
            moments[buf] = {n: optimizer.state[p][buf].detach().cpu().numpy() for p, n in zip(params, names)
                            if buf in optimizer.state[p]}
    meta = dict(tr) if tr else {"rng_state": "0", "rng_inc": "1", "corpus_crc32": "0", "corpus_bytes": "0"}
    m_name, v_name = MOMENTS[kind]
    meta.update(step=step, epoch=epoch, position=position, optimizer_step=opt_step,
                has_m=bool(m_name and moments.get(m_name)), has_v=bool(v_name and moments.get(v_name)))
    meta["corpus_crc32"] = str(zlib.crc32(raw) & 0xFFFFFFFF)  # the run's text, as rnn-wasm fingerprints it
    meta["corpus_bytes"] = str(len(raw))
    return {"losses": losses, "meta": meta, "moments": moments, "state": _state_dict(cell, full_state)}


@torch.no_grad()
def evaluate_text(f, text, net=None, device="cpu"):
    """A language model's loss on a text exactly as ``rnn-wasm eval --file`` scores it: every token
    after the first predicted once, the N − 1 predictions cut into R = clamp((N − 1) / seqLength,
    1, batchSize) contiguous rows, each from a zero state. Returns {loss, perplexity,
    bitsPerToken, tokens, unknownTokens}."""
    net = _unwrap(net or f.net).to(device)
    was_training = net.training
    net.eval()
    ids, unknown = f.tokenizer.encode(text)
    P = len(ids) - 1
    if P < 1:
        raise ValueError(f"the text is too short to score: it has {len(ids)} token(s) the model knows, need at least 2")
    T, B = f.config["seqLength"], f.config["batchSize"]
    R = min(max(P // T, 1), B)
    ids_t = torch.tensor(ids, dtype=torch.int64, device=device)
    total = 0.0
    for r in range(R):
        a, b = P * r // R, P * (r + 1) // R
        logits, _ = net(ids_t[a:b].unsqueeze(0))
        total += float(nn.functional.cross_entropy(logits[0].double(), ids_t[a + 1 : b + 1], reduction="sum"))
    net.train(was_training)
    loss = total / P
    return {"loss": loss, "perplexity": math.exp(loss), "bitsPerToken": loss / math.log(2), "tokens": P, "unknownTokens": unknown}


# ---------------------------------------------------------------------------------------------
# Command line: the same under torchrun

def _setup_distributed():
    """torchrun sets WORLD_SIZE: join the group (NCCL on GPUs, Gloo on CPUs); else one process."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu"), False
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    torch.distributed.init_process_group(backend)
    if torch.cuda.is_available():
        local = int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(local)
        return torch.device("cuda", local), True
    return torch.device("cpu"), True


def main(argv=None):
    ap = argparse.ArgumentParser(prog="rnn_wasm_torch", description="Continue an rnn-wasm model in PyTorch and bring it back.")
    sub = ap.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="continue training a language model (works under torchrun)")
    t.add_argument("model", help="rnn-wasm model file or checkpoint")
    t.add_argument("corpus", help="the text (a checkpoint continues exactly on the text it was trained on)")
    t.add_argument("--steps", type=int, required=True)
    t.add_argument("--out", required=True, help="the file to write (a checkpoint: rnn-wasm train --resume continues it)")
    t.add_argument("--model-out", help="also write a weights-only model file")
    t.add_argument("--json", action="store_true", help="progress as JSON lines")
    e = sub.add_parser("eval", help="loss, perplexity and bits per token of a language model on a text")
    e.add_argument("model")
    e.add_argument("file")
    args = ap.parse_args(argv)

    device, distributed = _setup_distributed()
    f = load(args.model)
    raw, text = read_text(args.corpus if args.command == "train" else args.file)
    rank0 = not distributed or torch.distributed.get_rank() == 0
    if args.command == "eval":
        if rank0:
            print(json.dumps(evaluate_text(f, text, device=device)))
        return 0

    def progress(step, loss, lr):
        if rank0:
            print(json.dumps({"step": step, "loss": loss, "learningRate": lr}) if args.json else f"step {step}  loss {loss:.4f}  lr {lr:.3g}",
                  flush=True)

    result = train_language_model(f, raw, args.steps, device=device, on_step=progress)
    if rank0:
        f.save(args.out, training=result)
        if args.model_out:
            f.save(args.model_out)
    if distributed:
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
