"""Model files load into PyTorch: the weights of each cell type go into nn.Embedding + nn.LSTM /
nn.GRU / nn.RNN + nn.Linear with load_state_dict(strict=True), and PyTorch's logits equal ours.

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
TOOL = os.path.join(ROOT, "build", "native", "rnn_tool")
CORPUS = os.path.join(ROOT, "..", "shared", "data", "tinyshakespeare.txt")


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
    subprocess.run([TOOL, "train", CORPUS, json.dumps(options), "30", "--model-out", model_path],
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


def main():
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        cells = ("lstm", "gru", "rnn")
        for cell in cells:
            check(cell, tmp)
    print(f"pytorch interop: {len(cells)} passed, 0 failed")


if __name__ == "__main__":
    sys.exit(main())
