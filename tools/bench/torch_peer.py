#!/usr/bin/python3
"""The PyTorch peer of the JMH benchmarks: the same work, the same protocol, one thread.

    /usr/bin/python3 tools/bench/torch_peer.py --out peer.json [--quick]

    /usr/bin/python3 tools/bench/torch_peer.py --serve --out peer.json [--conv-spec ...]

Run by tools/bench/run.sh in the same invocation as JMH, never beside it: by default as a server
taking turns with a JMH fork (--serve: the fork's profiler unboxed.kit.bench.PeerTurns asks for
one iteration of a named workload before or after each of its own, and reads back its time; the
measured iterations make --out when stdin closes), or as a process of its own between forks
(run.sh --turns processes), measuring everything its arguments name. Uses Debian's python3-torch
(1.13.1), whose matmul goes to the system BLAS (OpenBLAS, pthread build). Measures:

  matmul_<n>   torch.matmul(a, b, out=c), float32, n x n x n, n in (256, 1024): JMH's
               AverageTime protocol (MatmulBench): warm-up iterations, then timed iterations of
               about `--time` seconds each, every iteration scoring the mean time per call; we
               report every iteration, their median, mean, min, max and standard deviation.
  cnn_epoch    (--cnn-epoch) one training epoch of post 02's CNN, SGD(lr=0.01, momentum=0.9), batch
               64, the same data and protocol as mlp_epoch (CnnEpochBench's work).
  mlp_epoch    one training epoch of the post's MLP, 784-256-ReLU-10, CrossEntropyLoss,
               torch.optim.SGD(lr=0.1), batch 64, 60,000 samples (MNIST's training set when
               data/datasets/mnist holds it, else random data of MNIST's shape), reshuffled every
               epoch, last batch of 32 kept: the forward, backward and step work of EpochBench,
               timed the way JMH's SingleShotTime does it (one epoch per iteration).

  autograd_*   post 04's graph costs (--autograd mlp,deep1,deep4,...), AverageTime like matmul:
               autograd_mlp_step: post 01's MLP on a batch of 64, zero_grad(set_to_none), forward,
               cross_entropy, backward (GraphBench.mlpAutogradStep's work); for deepL, the MLP of L
               Linear layers of width 128 (GraphBench's DeepMlp): autograd_deepL_fwd_nograd (forward
               and loss under no_grad), autograd_deepL_fwd_recorded (the same, recording the graph,
               then dropping it) and autograd_deepL_fwdbwd (forward, loss, backward).

Thread pinning: Debian's OpenBLAS reads OPENBLAS_NUM_THREADS when it is loaded and ignores
torch.set_num_threads, so the variables are set here, before `import torch`, and
torch.set_num_threads(1) pins torch's own intra-op pool. Every measurement records process CPU
time over wall time: about 1.0 proves that one core did the work; about 2.0 would mean the pin
failed. OpenBLAS's own thread count (openblas_get_num_threads) is recorded too.
"""
import os

import sys  # noqa: E402


def _threads_from_argv():
    """--threads N, read before torch is imported (OpenBLAS reads its thread count once, at load)."""
    for i, arg in enumerate(sys.argv):
        if arg == "--threads" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return "1"


THREADS = _threads_from_argv()
PINS = {"OMP_NUM_THREADS": THREADS, "MKL_NUM_THREADS": THREADS, "OPENBLAS_NUM_THREADS": THREADS}
os.environ.update(PINS)  # must precede `import torch`: OpenBLAS reads it once, at load time

import argparse  # noqa: E402
import ctypes  # noqa: E402
import gzip  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import struct  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402

torch.set_num_threads(int(THREADS))
try:
    torch.set_num_interop_threads(1)
except RuntimeError:  # already set (only possible before any parallel work)
    pass

ROOT = Path(__file__).resolve().parents[2]


def summary(scores, unit, cpu_over_wall, extra=None):
    """One measurement: every iteration's score and their statistics."""
    out = {
        "unit": unit,
        "iterations": scores,
        "median": statistics.median(scores),
        "mean": statistics.fmean(scores),
        "min": min(scores),
        "max": max(scores),
        "stdev": statistics.stdev(scores) if len(scores) > 1 else 0.0,
        "cpu_over_wall": cpu_over_wall,
    }
    if extra:
        out.update(extra)
    return out


def average_time(fn, warmup, iterations, seconds):
    """JMH's AverageTime: each iteration calls fn until `seconds` have passed and scores ms/call."""
    scores, ratios = [], []
    for i in range(warmup + iterations):
        calls = 0
        c0, t0 = time.process_time(), time.perf_counter()
        while True:
            fn()
            calls += 1
            t1 = time.perf_counter()
            if t1 - t0 >= seconds:
                break
        c1 = time.process_time()
        if i >= warmup:
            scores.append((t1 - t0) * 1e3 / calls)
            ratios.append(round((c1 - c0) / (t1 - t0), 3))
    return scores, ratios


def single_shot(fn, warmup, iterations, prepare=None):
    """JMH's SingleShotTime: each iteration is one call, in ms; `prepare` (untimed, like JMH's
    @Setup(Level.Iteration)) makes the call's input."""
    scores, ratios = [], []
    for i in range(warmup + iterations):
        arg = prepare() if prepare else None
        c0, t0 = time.process_time(), time.perf_counter()
        fn(arg) if prepare else fn()
        t1, c1 = time.perf_counter(), time.process_time()
        if i >= warmup:
            scores.append((t1 - t0) * 1e3)
            ratios.append(round((c1 - c0) / (t1 - t0), 3))
    return scores, ratios


class Workload:
    """One measurement's work: fn, timed per call (AverageTime) or once per iteration
    (SingleShotTime, with `prepare` making its input untimed), and what its summary says."""

    def __init__(self, fn, unit, extra, prepare=None, after=None):
        self.fn, self.unit, self.extra, self.prepare, self.after = fn, unit, extra, prepare, after

    def iteration(self, seconds, single):
        """One iteration: (ms per call, CPU time over wall time)."""
        if single:
            scores, ratios = single_shot(self.fn, 0, 1, self.prepare)
        else:
            scores, ratios = average_time(self.fn, 0, 1, seconds)
        return scores[0], ratios[0]

    def summary(self, scores, ratios):
        extra = dict(self.extra)
        if "flops" in extra:
            extra["gflops_median"] = extra["flops"] / (statistics.median(scores) * 1e6)
            extra["gflops_iterations"] = [extra["flops"] / (s * 1e6) for s in scores]
        if self.after:
            extra.update(self.after())
        return summary(scores, self.unit, ratios, extra)


def matmul_workload(n):
    """torch.matmul(a, b, out=c), float32, n x n x n (MatmulBench's and SgemmBench's work)."""
    g = torch.Generator().manual_seed(42)
    a = torch.rand(n, n, generator=g) * 2 - 1
    b = torch.rand(n, n, generator=g) * 2 - 1
    c = torch.empty(n, n)
    return Workload(lambda: torch.matmul(a, b, out=c), "ms/op", {
        "n": n, "flops": 2 * n ** 3, "call": "torch.matmul(a, b, out=c), float32, contiguous"})


def read_idx(path):
    """An IDX file (raw or gzipped, like unboxed.data.Idx) as (dims, bytes)."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return dims, data[4 + 4 * ndim:]


def find(folder, name):
    for candidate in (folder / name, folder / (name + ".gz")):
        if candidate.is_file():
            return candidate
    return None


def training_data(samples):
    """MNIST's training set as [60000, 784] floats in [0, 1] (x / 255, as the engine and
    torchvision do), or random data of that shape when `make data` has not run."""
    folder = ROOT / "data" / "datasets" / "mnist"
    images = find(folder, "train-images-idx3-ubyte")
    labels = find(folder, "train-labels-idx1-ubyte")
    if images and labels:
        dims, pix = read_idx(images)
        _, lab = read_idx(labels)
        x = torch.frombuffer(bytearray(pix), dtype=torch.uint8).reshape(dims[0], dims[1] * dims[2])
        y = torch.frombuffer(bytearray(lab), dtype=torch.uint8).to(torch.int64)
        return x.to(torch.float32) / 255.0, y, "mnist (" + str(images.relative_to(ROOT)) + ")"
    g = torch.Generator().manual_seed(1)
    x = torch.rand(samples, 784, generator=g)
    y = torch.randint(0, 10, (samples,), generator=g)
    return x, y, "random, MNIST-shaped (data/datasets/mnist absent)"


def epoch_workload(model, opt, x, y, batch, about):
    """One training epoch of `model` on (x, y), timed as JMH's SingleShotTime times EpochBench and
    CnnEpochBench: the epoch's shuffled batches assembled before the clock starts (as on every
    side), then forward, cross-entropy, zero_grad(set_to_none=True), backward, the optimizer's step
    and loss.item() per batch. `about` goes into the summary with what this function adds."""
    n = x.shape[0]
    loss_fn = nn.CrossEntropyLoss()
    shuffle = torch.Generator().manual_seed(2)
    last = {}

    def prepare():
        perm = torch.randperm(n, generator=shuffle)
        return [(x[perm[s:s + batch]], y[perm[s:s + batch]]) for s in range(0, n, batch)]

    def epoch(batches):
        for xb, yb in batches:
            loss = loss_fn(model(xb), yb)
            # set_to_none: the gradient is dropped, as the engine's zeroGrad does; torch 1.13's
            # default (False) would zero it in place, a pass over every weight the engine skips
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            last["loss"] = loss.item()

    return Workload(epoch, "ms/epoch", {**about, "samples": n, "batch_size": batch, "batches": (n + batch - 1) // batch},
                    prepare=prepare, after=lambda: {"last_loss": last.get("loss")})


def time_epochs(w, warmup, iterations):
    scores, ratios = single_shot(w.fn, warmup, iterations, w.prepare)
    return w.summary(scores, ratios)


def mlp_epoch_workload(batch=64, lr=0.1):
    """Post 01's MLP, one MNIST epoch (EpochBench's work)."""
    x, y, source = training_data(60000)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    return epoch_workload(model, opt, x, y, batch, {
        "data": source, "lr": lr,
        "model": "Linear(784,256) ReLU Linear(256,10); CrossEntropyLoss; SGD(lr=0.1); shuffled, last batch kept",
        "step": "batches assembled before timing; forward, loss, zero_grad(set_to_none=True), backward, "
                "SGD step (param.add_(grad, alpha=-lr), in place), loss.item()",
    })


def cnn_epoch_workload(batch=64, lr=0.01, momentum=0.9):
    """Post 02's CNN, one MNIST epoch (CnnEpochBench's work), batches [B, 1, 28, 28]."""
    x, y, source = training_data(60000)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    return epoch_workload(model, opt, x.reshape(-1, 1, 28, 28), y, batch, {
        "data": source, "lr": lr, "momentum": momentum,
        "model": "Conv2d(1,16,5,pad 2) ReLU MaxPool2d(2) Conv2d(16,32,5,pad 2) ReLU MaxPool2d(2) Flatten "
                 "Linear(1568,128) ReLU Linear(128,10); CrossEntropyLoss; SGD(lr=0.01, momentum=0.9)",
        "step": "batches assembled before timing; forward, loss, zero_grad(set_to_none=True), backward, "
                "SGD step with momentum (in place), loss.item()",
    })


# post 02's reference shapes: (N, C, H=W, K, kernel), padding "same" (kernel // 2), stride 1; the last is
# the MNIST CNN's second convolution at batch 64
CONV_SHAPES = {"64x3x32x64x3": (64, 3, 32, 64, 3), "64x64x32x64x3": (64, 64, 32, 64, 3),
               "64x128x16x128x3": (64, 128, 16, 128, 3), "128x1x28x32x5": (128, 1, 28, 32, 5),
               "64x16x14x32x5": (64, 16, 14, 32, 5)}


def conv_flops(n, c, hw, k, r):
    """Multiply-adds times two of one forward conv2d with 'same' padding (its backward is twice that)."""
    return 2 * n * k * hw * hw * c * r * r


def conv_workloads(name):
    """F.conv2d on one reference shape, forward and forward+backward (grads of input, weight, bias),
    torch's own dispatch (oneDNN where it takes the shape): conv_NAME_fwd and conv_NAME_fwdbwd."""
    n, c, hw, k, r = CONV_SHAPES[name]
    g = torch.Generator().manual_seed(42)
    x = (torch.rand(n, c, hw, hw, generator=g) * 2 - 1).requires_grad_(True)
    w = (torch.rand(k, c, r, r, generator=g) * 2 - 1).requires_grad_(True)
    b = (torch.rand(k, generator=g) * 2 - 1).requires_grad_(True)
    gy = torch.rand(n, k, hw, hw, generator=g)
    pad = r // 2

    def forward():
        with torch.no_grad():
            torch.nn.functional.conv2d(x, w, b, padding=pad)

    def forward_backward():
        y = torch.nn.functional.conv2d(x, w, b, padding=pad)
        # set_to_none, as the engine's gradients are new tensors each call
        x.grad = w.grad = b.grad = None
        y.backward(gy)

    flops = conv_flops(n, c, hw, k, r)
    out = {}
    for mode, fn, f in (("fwd", forward, flops), ("fwdbwd", forward_backward, 3 * flops)):
        out[f"conv_{name}_{mode}"] = Workload(fn, "ms/op", {
            "shape": {"N": n, "C": c, "H": hw, "W": hw, "K": k, "kernel": r, "padding": pad},
            "flops": f,
            "call": "F.conv2d(x, w, b, padding=" + str(pad) + ")" + (" under no_grad" if mode == "fwd"
                    else " then backward(grad_out) for input, weight and bias"),
            "mkldnn_enabled": torch.backends.mkldnn.enabled,
        })
    return out


def run_all(workloads, warmup, iterations, seconds):
    """Each workload in turn with JMH's AverageTime protocol."""
    out = {}
    for name, w in workloads.items():
        scores, ratios = average_time(w.fn, warmup, iterations, seconds)
        out[name] = w.summary(scores, ratios)
    return out


def parse_conv_spec(spec):
    """Post 03's general shapes: NAME=kind:N:C:HW:K:R:stride:pad:dilation:groups, kind conv or convT
    (for convT, HW is the input size and K the output channels; output_padding 0)."""
    name, fields = spec.split("=", 1)
    kind, *nums = fields.split(":")
    if kind not in ("conv", "convT") or len(nums) != 9:
        raise SystemExit(f"--conv-spec {spec!r}: expected NAME=conv|convT:N:C:HW:K:R:stride:pad:dilation:groups")
    return name, kind, [int(v) for v in nums]


def conv_spec_workloads(spec):
    """One general conv2d or conv_transpose2d shape, forward and forward+backward, as conv_workloads."""
    name, kind, (n, c, hw, k, r, stride, pad, dil, groups) = parse_conv_spec(spec)
    g = torch.Generator().manual_seed(42)
    x = (torch.rand(n, c, hw, hw, generator=g) * 2 - 1).requires_grad_(True)
    if kind == "conv":
        w = (torch.rand(k, c // groups, r, r, generator=g) * 2 - 1).requires_grad_(True)
        fn = lambda: torch.nn.functional.conv2d(x, w, b, stride=stride, padding=pad, dilation=dil, groups=groups)
        call = f"F.conv2d(x, w, b, stride={stride}, padding={pad}, dilation={dil}, groups={groups})"
    else:
        w = (torch.rand(c, k // groups, r, r, generator=g) * 2 - 1).requires_grad_(True)
        fn = lambda: torch.nn.functional.conv_transpose2d(x, w, b, stride=stride, padding=pad, groups=groups,
                                                         dilation=dil)
        call = f"F.conv_transpose2d(x, w, b, stride={stride}, padding={pad}, groups={groups}, dilation={dil})"
    b = (torch.rand(k, generator=g) * 2 - 1).requires_grad_(True)
    with torch.no_grad():
        y0 = fn()
    gy = torch.rand(y0.shape, generator=g)
    # multiply-adds times two: each output (conv) or each input (convT) meets C/groups * R * R weights per output channel
    per = (c // groups) * r * r if kind == "conv" else (k // groups) * r * r
    flops = 2 * (y0.numel() * per if kind == "conv" else x.numel() * per)

    def forward():
        with torch.no_grad():
            fn()

    def forward_backward():
        y = fn()
        x.grad = w.grad = b.grad = None
        y.backward(gy)

    out = {}
    for mode, f, fl in (("fwd", forward, flops), ("fwdbwd", forward_backward, 3 * flops)):
        out[f"conv_{name}_{mode}"] = Workload(f, "ms/op", {
            "spec": spec, "flops": fl,
            "call": call + (" under no_grad" if mode == "fwd" else " then backward(grad_out) for input, weight and bias"),
            "mkldnn_enabled": torch.backends.mkldnn.enabled,
        })
    return out


def deep_mlp(layers, width=128):
    """GraphBench's DeepMlp: Linear(784, W), (L - 2) x [ReLU, Linear(W, W)], ReLU, Linear(W, 10)."""
    if layers == 1:
        return nn.Sequential(nn.Linear(784, 10))
    mods = [nn.Linear(784, width)]
    for _ in range(layers - 2):
        mods += [nn.ReLU(), nn.Linear(width, width)]
    mods += [nn.ReLU(), nn.Linear(width, 10)]
    return nn.Sequential(*mods)


def autograd_workloads(name):
    """Post 04: what recording and running the graph cost on MNIST-shaped batches of 64."""
    torch.manual_seed(0)
    x = torch.rand(64, 784)
    y = torch.randint(0, 10, (64,))
    loss_fn = torch.nn.functional.cross_entropy
    if name == "mlp":
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))

        def step():
            model.zero_grad(set_to_none=True)
            loss_fn(model(x), y).backward()

        return {"autograd_mlp_step": Workload(step, "ms/op", {
            "call": "zero_grad(set_to_none=True); cross_entropy(model(x), y).backward(); 784-256-10, batch 64"})}
    if not name.startswith("deep"):
        raise SystemExit(f"--autograd {name!r}: expected mlp or deepL (L layers)")
    layers = int(name[4:])
    model = deep_mlp(layers)

    def nograd():
        with torch.no_grad():
            loss_fn(model(x), y)

    def recorded():
        loss_fn(model(x), y)

    def fwdbwd():
        model.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()

    return {f"autograd_{name}_{mode}": Workload(f, "ms/op", {"layers": layers, "width": 128})
            for mode, f in (("fwd_nograd", nograd), ("fwd_recorded", recorded), ("fwdbwd", fwdbwd))}


def openblas_info():
    """Which BLAS library this process mapped, and what OpenBLAS says about itself."""
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            if "blas" in path.lower() or "lapack" in path.lower():
                libs.add(os.path.realpath(path))
    info = {"mapped_libraries": sorted(libs)}
    for lib in sorted(libs):
        try:
            handle = ctypes.CDLL(lib)
            get_config = handle.openblas_get_config
        except (OSError, AttributeError):
            continue
        get_config.restype = ctypes.c_char_p
        info["openblas_config"] = get_config().decode()
        try:
            info["openblas_num_threads"] = handle.openblas_get_num_threads()
            handle.openblas_get_corename.restype = ctypes.c_char_p
            info["openblas_corename"] = handle.openblas_get_corename().decode()
        except AttributeError:
            pass
        break
    return info


def debian_package(name):
    """The Debian version of a package (torch.__version__ says 1.13.0a0 for Debian's 1.13.1)."""
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Version}", name],
                              capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


def measure_all(args, mm, ep, cnn):
    """Every workload the arguments name, one after the other, each with its protocol."""
    results = {}
    for n in ([] if args.skip_matmul else [int(s) for s in args.sizes.split(",") if s]):
        print(f"torch peer: matmul {n}^3 ...", file=sys.stderr, flush=True)
        results.update(run_all({f"matmul_{n}": matmul_workload(n)}, **mm))
    for name in (s for s in args.conv.split(",") if s):
        print(f"torch peer: conv2d {name} ...", file=sys.stderr, flush=True)
        results.update(run_all(conv_workloads(name), **mm))
    for spec in (s for s in args.conv_spec.split(";") if s):
        print(f"torch peer: {spec} ...", file=sys.stderr, flush=True)
        results.update(run_all(conv_spec_workloads(spec), **mm))
    for name in (s for s in args.autograd.split(",") if s):
        print(f"torch peer: autograd {name} ...", file=sys.stderr, flush=True)
        results.update(run_all(autograd_workloads(name), **mm))
    if not args.skip_epoch:
        print("torch peer: MLP epoch ...", file=sys.stderr, flush=True)
        results["mlp_epoch"] = time_epochs(mlp_epoch_workload(), **ep)
    if args.cnn_epoch:
        print("torch peer: CNN epoch ...", file=sys.stderr, flush=True)
        results["cnn_epoch"] = time_epochs(cnn_epoch_workload(), **cnn)
    return results


def workload_named(name, args):
    """The workloads one result name belongs to (built on first use), as {name: Workload}."""
    m = re.fullmatch(r"matmul_(\d+)", name)
    if m:
        return {name: matmul_workload(int(m.group(1)))}
    if name == "mlp_epoch":
        return {name: mlp_epoch_workload()}
    if name == "cnn_epoch":
        return {name: cnn_epoch_workload()}
    m = re.fullmatch(r"conv_(.+)_(fwd|fwdbwd)", name)
    if m and m.group(1) in CONV_SHAPES:
        return conv_workloads(m.group(1))
    if m:
        for spec in (s for s in args.conv_spec.split(";") if s):
            if parse_conv_spec(spec)[0] == m.group(1):
                return conv_spec_workloads(spec)
    m = re.fullmatch(r"autograd_(mlp|deep\d+)_.+", name)
    if m:
        return autograd_workloads(m.group(1))
    raise ValueError(f"no workload named {name!r} (a general conv shape must be given with --conv-spec)")


def serve(args):
    """Take turns with a JMH fork (unboxed.kit.bench.PeerTurns): each stdin line asks for one
    iteration, {"name", "seconds", "single_shot", "measured"}, and gets one line back, {"ms",
    "cpu_over_wall"} or {"error"}; the measured iterations make the results when stdin closes."""
    built, scores, ratios = {}, {}, {}
    counts = {"warmup": 0, "measured": 0}
    seconds = set()
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            name = req["name"]
            if name not in built:
                print(f"torch peer: {name} (taking turns) ...", file=sys.stderr, flush=True)
                built.update(workload_named(name, args))
            ms, cpu = built[name].iteration(float(req.get("seconds", 1.0)), bool(req.get("single_shot")))
        except Exception as e:  # noqa: BLE001 - the JVM side reports it and stops the benchmark
            print(json.dumps({"error": f"{type(e).__name__}: {e}"}), flush=True)
            continue
        measured = bool(req.get("measured"))
        counts["measured" if measured else "warmup"] += 1
        if not req.get("single_shot"):
            seconds.add(float(req.get("seconds", 1.0)))
        if measured:
            scores.setdefault(name, []).append(ms)
            ratios.setdefault(name, []).append(cpu)
        print(json.dumps({"ms": ms, "cpu_over_wall": cpu}), flush=True)
    results = {name: built[name].summary(s, ratios[name]) for name, s in scores.items()}
    protocol = {"turns": "one iteration per request of a JMH fork, alternately just before and just after "
                         "each of its iterations (unboxed.kit.bench.PeerTurns)",
                "warmup_iterations": counts["warmup"], "measured_iterations": counts["measured"],
                "iteration_seconds": sorted(seconds)}
    return results, protocol


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True, help="where to write the JSON results")
    p.add_argument("--quick", action="store_true", help="fewer iterations (a smoke test)")
    p.add_argument("--sizes", default="256,1024", help="matmul sizes n (n x n x n)")
    p.add_argument("--skip-epoch", action="store_true", help="no MLP epoch")
    p.add_argument("--cnn-epoch", action="store_true", help="post 02's CNN epoch (CnnEpochBench)")
    p.add_argument("--skip-matmul", action="store_true", help="no matrix products")
    p.add_argument("--conv", default="", help="conv2d reference shapes to time (comma-separated names of CONV_SHAPES)")
    p.add_argument("--conv-spec", default="", help="general conv2d / conv_transpose2d shapes, semicolon-separated"
                   " NAME=conv|convT:N:C:HW:K:R:stride:pad:dilation:groups (post 03)")
    p.add_argument("--autograd", default="", help="post 04's graph costs: comma-separated mlp, deep1, deep4, ...")
    p.add_argument("--threads", default="1", help="threads for torch and OpenBLAS (read before torch loads)")
    p.add_argument("--serve", action="store_true", help="take turns with a JMH fork: run one iteration per request"
                   " read from stdin, answer on stdout, write --out when stdin closes (unboxed.kit.bench.PeerTurns)")
    p.add_argument("--protocol", help="JSON {matmul: {warmup, iterations, seconds}, mlp_epoch: {warmup, "
                   "iterations}}: run.sh passes the protocol JMH actually ran, so that both sides match")
    args = p.parse_args()

    # defaults: the JMH annotations (MatmulBench: 3 + 5 iterations of 1 s; EpochBench: 10 + 5
    # single shots), or run.sh's --quick options (-wi 1 -i 2 -w 1s -r 1s); --protocol overrides
    mm = dict(warmup=1, iterations=2, seconds=1.0) if args.quick else dict(warmup=3, iterations=5, seconds=1.0)
    ep = dict(warmup=1, iterations=2) if args.quick else dict(warmup=10, iterations=5)
    cnn = dict(warmup=1, iterations=1) if args.quick else dict(warmup=2, iterations=3)
    if args.protocol:
        given = json.loads(args.protocol)
        mm.update(given.get("matmul", {}))
        ep.update(given.get("mlp_epoch", {}))
        cnn.update(given.get("cnn_epoch", {}))

    started = time.time()
    if args.serve:
        results, protocol = serve(args)
    else:
        results = measure_all(args, mm, ep, cnn)
        protocol = {"matmul": dict(mode="AverageTime", **mm), "mlp_epoch": dict(mode="SingleShotTime", **ep),
                    "cnn_epoch": dict(mode="SingleShotTime", **cnn)}

    config = [line.strip() for line in torch.__config__.show().strip().splitlines()]
    settings = next((line for line in config if line.startswith("- Build settings:")), "")
    build = dict(kv.strip().split("=", 1) for kv in settings[len("- Build settings:"):].split(", ") if "=" in kv)
    out = {
        "peer": "pytorch",
        "torch_version": torch.__version__,
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "torch_package": debian_package("python3-torch"),
        "torch_config_head": [line for line in config[:8] if not line.startswith("- Build settings:")],
        "torch_build_settings": {k: build[k] for k in ("BLAS_INFO", "LAPACK_INFO", "TORCH_VERSION", "USE_OPENMP",
                                                       "USE_MKLDNN", "PERF_WITH_AVX512") if k in build},
        "blas": openblas_info(),
        "threads": {
            "env": {k: os.environ.get(k) for k in PINS},
            "torch_num_threads": torch.get_num_threads(),
            "torch_num_interop_threads": torch.get_num_interop_threads(),
        },
        "protocol": protocol,
        "results": results,
        "wall_seconds": round(time.time() - started, 3),
    }
    tmp = Path(args.out + ".tmp")
    tmp.write_text(json.dumps(out, indent=2) + "\n")
    tmp.replace(args.out)
    for name, r in results.items():
        extra = f", {r['gflops_median']:.1f} GFLOP/s" if "gflops_median" in r else ""
        print(f"torch peer: {name}: median {r['median']:.3f} {r['unit']}{extra}, cpu/wall {r['cpu_over_wall']}",
              file=sys.stderr)


if __name__ == "__main__":
    main()
