#!/usr/bin/env python3
"""The PyTorch peer of the GPU kit: cuBLAS, cuDNN and PyTorch's training loop on the same GPU as our kernels.

    python3 torch_gpu.py env    --out FILE
    python3 torch_gpu.py sgemm  --out FILE [--n 4096,8192]
    python3 torch_gpu.py conv   --out FILE [--shapes 64x3x32x64x3,...]
    python3 torch_gpu.py epoch  --out FILE --mnist DIR [--repeats 3]

Each subcommand writes one JSON file (atomically: a temporary file renamed into place) whose
`environment` says where it ran (GPU, driver, CUDA, cuDNN, torch, clocks, power limit, host, CPU,
the kit's VERSION) and whose `results` hold one entry per measurement; tools/gpu/README.md
describes the format. run.sh runs each subcommand just before GpuCheck's step of the same name,
which reads the file to put PyTorch's time beside ours.

Precision: float32 throughout with TF32 off (cuBLAS and cuDNN), as our kernels compute in
float32; sgemm also measures TF32 on, labelled as such, because that is what a PyTorch user
gets from `torch.backends.cuda.matmul.allow_tf32 = True`.

Timing (sgemm, conv): warm-up calls (they also cover cuDNN's algorithm search under
cudnn.benchmark = True), then samples timed with CUDA events on the current stream; a sample
times `calls` back-to-back calls and scores their mean, `calls` chosen after warm-up so that a
sample lasts about --sample-ms (1 for operations longer than that). Back-to-back calls keep the
GPU busy while Python dispatches the next call, so a sample measures the GPU, not the
interpreter. Every sample is reported, with the median and the minimum.

Only the standard library is imported at load time (torch inside the subcommands), so that the
argument parsing and the nvidia-smi parsing can be checked where torch is absent:

    python3 -m doctest -v tools/gpu/torch_gpu.py
"""
import argparse
import ctypes
import gzip
import json
import math
import os
import platform
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# the device every tensor goes to; a test may point it elsewhere
DEVICE = "cuda"

# post 02's reference shapes, named NxCxHWxKxR: (N, C, H = W, K, kernel R); padding 'same' (R // 2),
# stride 1, with bias (tools/bench/torch_peer.py measures the same shapes on the CPU)
CONV_SHAPES = {"64x3x32x64x3": (64, 3, 32, 64, 3), "64x64x32x64x3": (64, 64, 32, 64, 3),
               "64x128x16x128x3": (64, 128, 16, 128, 3), "128x1x28x32x5": (128, 1, 28, 32, 5),
               "64x16x14x32x5": (64, 16, 14, 32, 5)}

# nvidia-smi --query-gpu fields: the first ones exist in every driver of the last years; the
# others are asked for too and dropped (with a note) when this driver does not know one of them
SMI_FIELDS = ["name", "driver_version", "pci.bus_id", "memory.total", "clocks.sm", "clocks.max.sm",
              "clocks.mem", "clocks.max.mem", "power.limit"]
SMI_EXTRA = ["compute_cap", "power.max_limit", "power.draw", "pstate", "temperature.gpu", "persistence_mode",
             "clocks_event_reasons.active"]

EPOCH_PROTOCOL = (
    "MNIST's 60,000 training images as float32 x/255 (no other normalisation, as unboxed.data.Dataset), "
    "labels as int64. One permutation of the 60,000 samples, drawn once from a seeded generator, cut into "
    "batches of 64 (the last one 32, kept): 938 steps per epoch. The batches are assembled on the host "
    "before timing, as CPU tensors in pageable memory. Per step, inside the timed loop: upload the images and "
    "the labels to the GPU (.to('cuda')), forward, cross-entropy loss, optimizer.zero_grad(set_to_none=True), "
    "backward, optimizer step, loss.item() (a host sync per step, as our training loop reads the loss every "
    "step). One warm-up epoch untimed (it also covers cuDNN's algorithm search under cudnn.benchmark = True), "
    "then the timed epochs, each timed on the host clock between two torch.cuda.synchronize(); the model "
    "keeps training across epochs. TF32 off for cuBLAS and cuDNN.")

TIMED_PROTOCOL = (
    "warm-up calls, then each sample times `calls` back-to-back calls between two CUDA events on the current "
    "stream and scores their mean in ms; `calls` is chosen after warm-up so that a sample lasts about "
    "sample_ms (1 for longer operations). gflops = flops / median time.")


# ------------------------------------------------------------------------------------------ helpers

def conv_flops(n, c, hw, k, r):
    """Multiply-adds times two of one forward conv2d with 'same' padding; its backward is twice that.

    >>> conv_flops(*CONV_SHAPES["64x3x32x64x3"])
    226492416
    """
    return 2 * n * k * hw * hw * c * r * r


def parse_smi_value(header, value):
    """One nvidia-smi csv cell: a number when the header names a unit, None for N/A, else the text.

    >>> parse_smi_value("clocks.current.sm [MHz]", "1980 MHz")
    1980
    >>> parse_smi_value("power.limit [W]", "700.00 W")
    700.0
    >>> parse_smi_value("power.limit [W]", "[N/A]") is None
    True
    >>> parse_smi_value("driver_version", "580.65.06")
    '580.65.06'
    """
    value = value.strip()
    if value in ("[N/A]", "N/A", "[Not Supported]", "Not Supported", ""):
        return None
    if header.endswith("]"):
        number = value.split(" ", 1)[0]
        try:
            return int(number)
        except ValueError:
            try:
                return float(number)
            except ValueError:
                return value
    return value


def parse_nvidia_smi_csv(text):
    """`nvidia-smi --query-gpu=... --format=csv` as one dict per GPU, keyed by the csv header (units kept
    in the key, e.g. "clocks.max.sm [MHz]"), numbers parsed.

    >>> sample = '''name, driver_version, clocks.current.sm [MHz], clocks.max.sm [MHz], power.limit [W], compute_cap
    ... NVIDIA H200, 580.65.06, 345 MHz, 1980 MHz, 700.00 W, 9.0
    ... NVIDIA H200, 580.65.06, 1980 MHz, 1980 MHz, [N/A], 9.0
    ... '''
    >>> gpus = parse_nvidia_smi_csv(sample)
    >>> len(gpus), gpus[0]["name"], gpus[0]["clocks.max.sm [MHz]"], gpus[0]["power.limit [W]"]
    (2, 'NVIDIA H200', 1980, 700.0)
    >>> gpus[1]["power.limit [W]"] is None, gpus[1]["compute_cap"]
    (True, '9.0')
    """
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    header = [h.strip() for h in lines[0].split(",")]
    gpus = []
    for line in lines[1:]:
        cells = [c.strip() for c in line.split(",")]
        if len(cells) != len(header):
            raise ValueError(f"nvidia-smi csv row has {len(cells)} cells for {len(header)} columns: {line!r}")
        gpus.append({h: parse_smi_value(h, c) for h, c in zip(header, cells)})
    return gpus


def nvidia_smi():
    """The GPUs as nvidia-smi reports them (clocks now and at most, power limit, ...), or an error note."""
    def query(fields):
        return subprocess.run(["nvidia-smi", "--query-gpu=" + ",".join(fields), "--format=csv"],
                              capture_output=True, text=True, timeout=30)
    try:
        r = query(SMI_FIELDS + SMI_EXTRA)
        note = None
        if r.returncode != 0:
            note = "nvidia-smi refused a field of " + ",".join(SMI_EXTRA) + ": " + (r.stdout + r.stderr).strip()
            r = query(SMI_FIELDS)
        if r.returncode != 0:
            return {"error": f"nvidia-smi exited {r.returncode}: {(r.stdout + r.stderr).strip()}"}
        out = {"gpus": parse_nvidia_smi_csv(r.stdout)}
        if note:
            out["note"] = note
        return out
    except (OSError, subprocess.SubprocessError, ValueError) as e:
        return {"error": f"nvidia-smi failed: {e}"}


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def kit_version():
    """The kit's VERSION (the commit it was built from), when this script runs from a kit."""
    p = HERE / "VERSION"
    return p.read_text().strip() if p.is_file() else None


def cuda_driver_version():
    """The CUDA version the driver supports (cuDriverGetVersion), e.g. "13.0"."""
    try:
        lib = ctypes.CDLL("libcuda.so.1")
        v = ctypes.c_int()
        if lib.cuDriverGetVersion(ctypes.byref(v)) != 0:
            return None
        return f"{v.value // 1000}.{v.value % 1000 // 10}"
    except (OSError, AttributeError):
        return None


def environment(torch):
    """Where the measurements ran. Each part is best effort: a failed probe leaves a null, not a crash."""
    env = {
        "hostname": socket.gethostname(),
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "kit_version": kit_version(),
        "torch_version": torch.__version__,
        "torch_cuda_version": torch.version.cuda,
        "cuda_driver_version": cuda_driver_version(),
        "cudnn_version": torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None,
        "cuda_available": torch.cuda.is_available(),
        "nvidia_smi": nvidia_smi(),
    }
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        env.update({
            "gpu_name": torch.cuda.get_device_name(0),
            "gpu_count": torch.cuda.device_count(),
            "gpu_capability": f"{props.major}.{props.minor}",
            "gpu_multiprocessors": props.multi_processor_count,
            "gpu_memory_bytes": props.total_memory,
        })
    gpus = env["nvidia_smi"].get("gpus") or [{}]
    env["driver_version"] = gpus[0].get("driver_version")
    return env


def describe(env):
    """The environment in a few human lines."""
    g = (env.get("nvidia_smi", {}).get("gpus") or [{}])[0]
    def clock(now, most):
        a, b = g.get(now), g.get(most)
        return f"{a if a is not None else '?'} / {b if b is not None else '?'} MHz"
    return "\n".join([
        f"GPU      {env.get('gpu_name', g.get('name'))} (capability {env.get('gpu_capability')}, "
        f"{env.get('gpu_multiprocessors')} SMs, {(env.get('gpu_memory_bytes') or 0) / 2**30:.0f} GiB), "
        f"{env.get('gpu_count', '?')} visible",
        f"driver   {env.get('driver_version')} (CUDA {env.get('cuda_driver_version')})",
        f"torch    {env.get('torch_version')}, CUDA {env.get('torch_cuda_version')}, cuDNN {env.get('cudnn_version')}",
        f"clocks   SM {clock('clocks.current.sm [MHz]', 'clocks.max.sm [MHz]')} (now / max), "
        f"memory {clock('clocks.current.memory [MHz]', 'clocks.max.memory [MHz]')}",
        f"power    limit {g.get('power.limit [W]')} W, draw {g.get('power.draw [W]')} W, "
        f"{g.get('temperature.gpu')} C, pstate {g.get('pstate')}",
        f"host     {env.get('hostname')}, {env.get('cpu_model')}, {env.get('cpu_count')} CPUs",
        f"kit      {env.get('kit_version')}",
    ] + ([f"note     {env['nvidia_smi']['error']}"] if "error" in env.get("nvidia_smi", {}) else []))


def write_json(path, obj):
    """Writes obj as JSON to path through a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(obj, f, indent=2)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def log(msg):
    print("torch_gpu: " + msg, file=sys.stderr, flush=True)


def need_cuda(torch):
    if DEVICE == "cuda" and not torch.cuda.is_available():
        raise SystemExit("torch_gpu: torch " + torch.__version__ + " sees no CUDA device: check nvidia-smi and that "
                         "this python's torch is a CUDA build (torch.version.cuda = " + str(torch.version.cuda) + ")")


def has_attr(obj, name):
    """hasattr for torch's backend flag objects, whose __getattr__ raises AssertionError (torch < 2.9)."""
    try:
        getattr(obj, name)
        return True
    except (AttributeError, AssertionError):
        return False


def set_tf32(torch, matmul=None, cudnn=None):
    """Switches TF32 for cuBLAS matmul and cuDNN convolutions and returns the settings read back.

    torch >= 2.9 has per-backend fp32_precision ("ieee" or "tf32") and deprecates allow_tf32, and it
    refuses to read a flag through one API after it was set through the other; so one API is used
    throughout: the new one where it exists, allow_tf32 before it.
    """
    m = torch.backends.cuda.matmul
    conv = getattr(torch.backends.cudnn, "conv", None)
    if has_attr(m, "fp32_precision") and conv is not None and has_attr(conv, "fp32_precision"):
        if matmul is not None:
            m.fp32_precision = "tf32" if matmul else "ieee"
        if cudnn is not None:
            conv.fp32_precision = "tf32" if cudnn else "ieee"
        return {"api": "fp32_precision", "matmul_fp32_precision": m.fp32_precision,
                "cudnn_conv_fp32_precision": conv.fp32_precision,
                "matmul_tf32": m.fp32_precision == "tf32", "cudnn_tf32": conv.fp32_precision == "tf32"}
    if matmul is not None:
        m.allow_tf32 = bool(matmul)
    if cudnn is not None:
        torch.backends.cudnn.allow_tf32 = bool(cudnn)
    return {"api": "allow_tf32", "matmul_tf32": m.allow_tf32, "cudnn_tf32": torch.backends.cudnn.allow_tf32}


class Events:
    """A pair of CUDA events: elapsed GPU time between two points of the current stream."""

    def __init__(self, torch):
        self.torch = torch
        self.start = torch.cuda.Event(enable_timing=True)
        self.end = torch.cuda.Event(enable_timing=True)

    def time_ms(self, fn, calls):
        self.start.record()
        for _ in range(calls):
            fn()
        self.end.record()
        self.end.synchronize()
        return self.start.elapsed_time(self.end)


def timed(torch, fn, warmup, samples, sample_ms, calls=0):
    """Per-call times in ms (one per sample) and the calls per sample: see TIMED_PROTOCOL."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    ev = Events(torch)
    if calls <= 0:
        probe = ev.time_ms(fn, 3) / 3
        calls = max(1, min(1000, math.ceil(sample_ms / max(probe, 1e-6))))
    return [ev.time_ms(fn, calls) / calls for _ in range(samples)], calls


def summary(times_ms, flops, calls, extra=None):
    med = statistics.median(times_ms)
    out = {
        "median_ms": med,
        "min_ms": min(times_ms),
        "max_ms": max(times_ms),
        "samples_ms": times_ms,
        "calls_per_sample": calls,
        "flops": flops,
        "gflops": flops / (med * 1e6),
        "gflops_best": flops / (min(times_ms) * 1e6),
    }
    out.update(extra or {})
    return out


def document(torch, step, args, results, settings, protocol, started):
    return {
        "peer": "pytorch-gpu",
        "step": step,
        "command": [sys.executable] + sys.argv,
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "wall_seconds": round(time.time() - started, 3),
        "environment": args.environment,
        "nvidia_smi_after": nvidia_smi() if step != "env" else None,
        "settings": settings,
        "protocol": protocol,
        "results": results,
    }


# ------------------------------------------------------------------------------------------ steps

def cmd_env(torch, args):
    print(describe(args.environment))
    return {}, {}, None


def cmd_sgemm(torch, args):
    need_cuda(torch)
    results = {}
    settings = {}
    for n in args.n:
        g = torch.Generator(device=DEVICE).manual_seed(42)
        a = torch.randn(n, n, device=DEVICE, generator=g)
        b = torch.randn(n, n, device=DEVICE, generator=g)
        c = torch.empty(n, n, device=DEVICE)
        # the error of each mode against a float64 product: TF32's 10-bit mantissa shows as ~1e-3,
        # float32 as ~1e-6; proof that the switch took effect, beside the speed
        ref = a.double() @ b.double()
        for tf32 in (False, True):
            key = f"sgemm_{n}_tf32_{'on' if tf32 else 'off'}"
            settings[key] = set_tf32(torch, matmul=tf32)
            log(f"{key} ...")
            times, calls = timed(torch, lambda: torch.mm(a, b, out=c), args.warmup, args.samples, args.sample_ms,
                                 args.calls)
            torch.mm(a, b, out=c)
            err = ((c.double() - ref).norm() / ref.norm()).item()
            results[key] = summary(times, 2 * n ** 3, calls, {
                "n": n, "tf32": tf32, "rel_error_vs_fp64": err,
                "call": "torch.mm(a, b, out=c), float32, n x n, a and b seeded randn (cuda generator, seed 42)",
            })
            log(f"{key}: median {results[key]['median_ms']:.3f} ms, {results[key]['gflops']:.0f} GFLOP/s, "
                f"relative error {err:.1e}")
        del a, b, c, ref
    set_tf32(torch, matmul=False)
    return results, settings, TIMED_PROTOCOL


def cmd_conv(torch, args):
    need_cuda(torch)
    import torch.nn.functional as F
    torch.backends.cudnn.benchmark = True
    settings = set_tf32(torch, matmul=False, cudnn=False)
    settings.update({"cudnn_enabled": torch.backends.cudnn.enabled, "cudnn_benchmark": torch.backends.cudnn.benchmark,
                     "cudnn_deterministic": torch.backends.cudnn.deterministic,
                     "cudnn_version": torch.backends.cudnn.version()})
    results = {}
    for name in args.shapes:
        n, c, hw, k, r = CONV_SHAPES[name]
        pad = r // 2
        g = torch.Generator(device=DEVICE).manual_seed(42)
        x = torch.randn(n, c, hw, hw, device=DEVICE, generator=g).requires_grad_(True)
        w = torch.randn(k, c, r, r, device=DEVICE, generator=g).requires_grad_(True)
        b = torch.randn(k, device=DEVICE, generator=g).requires_grad_(True)
        gy = torch.randn(n, k, hw, hw, device=DEVICE, generator=g)

        def forward():
            with torch.no_grad():
                F.conv2d(x, w, b, padding=pad)

        def forward_backward():
            y = F.conv2d(x, w, b, padding=pad)
            # set_to_none, as our gradients are new tensors each call: no accumulation pass
            x.grad = w.grad = b.grad = None
            y.backward(gy)

        flops = conv_flops(n, c, hw, k, r)
        shape = {"N": n, "C": c, "H": hw, "W": hw, "K": k, "kernel": r, "padding": pad, "stride": 1}
        for mode, fn, f, call in (
                ("fwd", forward, flops, f"F.conv2d(x, w, b, padding={pad}) under no_grad"),
                ("fwdbwd", forward_backward, 3 * flops,
                 f"F.conv2d(x, w, b, padding={pad}), grads set to None, y.backward(grad_out): grads of x, w and b")):
            key = f"conv_{name}_{mode}"
            log(f"{key} ...")
            times, calls = timed(torch, fn, args.warmup, args.samples, args.sample_ms, args.calls)
            results[key] = summary(times, f, calls, {"shape": shape, "call": call,
                                                     "cudnn_version": torch.backends.cudnn.version()})
            log(f"{key}: median {results[key]['median_ms']:.4f} ms, {results[key]['gflops']:.0f} GFLOP/s "
                f"({calls} calls per sample)")
        del x, w, b, gy
    return results, settings, TIMED_PROTOCOL


def read_idx(path):
    """An IDX file (raw or gzipped) as (dims, payload bytes)."""
    data = Path(path).read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    magic, = struct.unpack(">I", data[:4])
    if magic >> 8 != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {magic:#010x})")
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    payload = data[4 + 4 * ndim:]
    if len(payload) != math.prod(dims):
        raise ValueError(f"{path}: {len(payload)} bytes for dimensions {dims}")
    return dims, payload


def find_idx(folder, name):
    for candidate in (Path(folder) / name, Path(folder) / (name + ".gz")):
        if candidate.is_file():
            return candidate
    raise SystemExit(f"torch_gpu: {Path(folder) / name} not found (nor .gz): pass --mnist the folder that holds "
                     "MNIST's raw IDX files (run.sh unpacks the kit's data/mnist/*.xz into one)")


def mnist_train(torch, folder):
    """[60000, 784] float32 in [0, 1] (x / 255: division, as Dataset.toUnitFloats) and int64 labels."""
    dims, pix = read_idx(find_idx(folder, "train-images-idx3-ubyte"))
    ldims, lab = read_idx(find_idx(folder, "train-labels-idx1-ubyte"))
    if dims[0] != ldims[0]:
        raise SystemExit(f"torch_gpu: {dims[0]} MNIST images but {ldims[0]} labels in {folder}")
    x = torch.frombuffer(bytearray(pix), dtype=torch.uint8).reshape(dims[0], dims[1] * dims[2])
    y = torch.frombuffer(bytearray(lab), dtype=torch.uint8).to(torch.int64)
    return x.to(torch.float32) / 255.0, y


def models(torch):
    """Post 01's MLP and post 02's CNN, as their Java twins (Mlp.java, Cnn.java)."""
    from torch import nn

    class Cnn(nn.Module):
        """conv5(1->16, pad 2), ReLU, max-pool 2, conv5(16->32, pad 2), ReLU, max-pool 2, Linear(1568->128),
        ReLU, Linear(128->10); input flat 784-pixel images viewed as [N, 1, 28, 28]."""

        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 16, 5, padding=2)
            self.conv2 = nn.Conv2d(16, 32, 5, padding=2)
            self.pool = nn.MaxPool2d(2)
            self.fc1 = nn.Linear(32 * 7 * 7, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, images):
            n = images.shape[0]
            x = images.reshape(n, 1, 28, 28)
            x = self.pool(torch.relu(self.conv1(x)))
            x = self.pool(torch.relu(self.conv2(x)))
            return self.fc2(torch.relu(self.fc1(x.reshape(n, 32 * 7 * 7))))

    return {
        "mlp_epoch": dict(
            make=lambda: nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)),
            optimizer=lambda p: torch.optim.SGD(p, lr=0.1),
            model="post 01's MLP: Linear(784,256) ReLU Linear(256,10); CrossEntropyLoss",
            optim="SGD(lr=0.1), no momentum", batch_size=64),
        "cnn_epoch": dict(
            make=Cnn,
            optimizer=lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9),
            model="post 02's CNN: conv5(1->16, pad 2) ReLU maxpool2 conv5(16->32, pad 2) ReLU maxpool2 "
                  "Linear(1568,128) ReLU Linear(128,10); CrossEntropyLoss; input [N,784] reshaped to [N,1,28,28]",
            optim="SGD(lr=0.01, momentum=0.9)", batch_size=64),
    }


def cmd_epoch(torch, args):
    need_cuda(torch)
    from torch import nn
    torch.backends.cudnn.benchmark = True
    settings = set_tf32(torch, matmul=False, cudnn=False)
    settings.update({"cudnn_benchmark": True, "init_seed": 0, "permutation_seed": 2})
    log(f"reading MNIST from {args.mnist}")
    x, y = mnist_train(torch, args.mnist)
    results = {}
    for key, spec in models(torch).items():
        if args.models and key.split("_")[0] not in args.models:
            continue
        bs = spec["batch_size"]
        perm = torch.randperm(x.shape[0], generator=torch.Generator().manual_seed(2))
        batches = [(x[perm[s:s + bs]].contiguous(), y[perm[s:s + bs]].contiguous()) for s in range(0, x.shape[0], bs)]
        torch.manual_seed(0)
        model = spec["make"]().to(DEVICE)
        opt = spec["optimizer"](model.parameters())
        loss_fn = nn.CrossEntropyLoss()

        def epoch():
            """One epoch; returns (last step's loss, mean loss over the epoch's steps)."""
            total = 0.0
            for xb, yb in batches:
                xd = xb.to(DEVICE)
                yd = yb.to(DEVICE)
                loss = loss_fn(model(xd), yd)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                last = loss.item()
                total += last
            return last, total / len(batches)

        if DEVICE == "cuda":
            torch.cuda.reset_peak_memory_stats()
        log(f"{key}: warm-up epoch ...")
        warm_loss, _ = epoch()
        samples, losses, means = [], [], []
        for i in range(args.repeats):
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            last, mean = epoch()
            torch.cuda.synchronize()
            samples.append(time.perf_counter() - t0)
            losses.append(last)
            means.append(mean)
            log(f"{key}: epoch {i + 1}/{args.repeats}: {samples[-1]:.3f} s, mean loss {mean:.4f}")
        med = statistics.median(samples)
        results[key] = {
            "median_s": med,
            "min_s": min(samples),
            "samples_s": samples,
            "steps": len(batches),
            "steps_per_s": len(batches) / med,
            "samples_per_epoch": int(x.shape[0]),
            "batch_size": bs,
            "final_loss": losses[-1],
            "last_loss_per_epoch": losses,
            "mean_loss_per_epoch": means,
            "warmup_last_loss": warm_loss,
            "repeats": args.repeats,
            "model": spec["model"],
            "optimizer": spec["optim"],
            "max_memory_allocated_bytes": torch.cuda.max_memory_allocated() if DEVICE == "cuda" else None,
        }
        del model, opt, batches
    return results, settings, EPOCH_PROTOCOL


# ------------------------------------------------------------------------------------------ main

def csv_list(convert):
    def parse(text):
        items = [s.strip() for s in text.split(",") if s.strip()]
        if not items:
            raise argparse.ArgumentTypeError("expected a comma-separated list")
        return [convert(s) for s in items]
    return parse


def conv_shape(name):
    if name not in CONV_SHAPES:
        raise argparse.ArgumentTypeError(f"unknown shape {name!r}: expected one of {', '.join(CONV_SHAPES)}")
    return name


def model_name(name):
    if name not in ("mlp", "cnn"):
        raise argparse.ArgumentTypeError(f"unknown model {name!r}: expected mlp or cnn")
    return name


def positive(text):
    v = int(text)
    if v <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive integer")
    return v


def build_parser():
    """The command line.

    >>> a = build_parser().parse_args(["sgemm", "--out", "x.json", "--n", "4096,8192"])
    >>> a.step, a.n, a.warmup, a.samples
    ('sgemm', [4096, 8192], 10, 30)
    >>> build_parser().parse_args(["conv", "--out", "c.json"]).shapes == list(CONV_SHAPES)
    True
    >>> a = build_parser().parse_args(["epoch", "--out", "e.json", "--mnist", "/data", "--repeats", "5"])
    >>> a.mnist, a.repeats, a.models
    ('/data', 5, ['mlp', 'cnn'])
    >>> build_parser().parse_args(["env", "--out", "env.json"]).step
    'env'
    """
    p = argparse.ArgumentParser(prog="torch_gpu.py", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="step", required=True, metavar="{env,sgemm,conv,epoch}")

    def common(name, help_):
        s = sub.add_parser(name, help=help_, description=help_)
        s.add_argument("--out", required=True, help="the JSON file to write (atomically)")
        return s

    common("env", "the environment only (also printed)")
    for name, help_ in (("sgemm", "torch.mm of n x n float32 matrices, TF32 off and on"),
                        ("conv", "F.conv2d with cuDNN on post 02's shapes, forward and forward+backward")):
        s = common(name, help_)
        s.add_argument("--warmup", type=positive, default=10, help="untimed calls first (default 10)")
        s.add_argument("--samples", type=positive, default=30, help="timed samples (default 30)")
        s.add_argument("--sample-ms", type=float, default=2.0,
                       help="about how long one sample lasts, to choose calls per sample (default 2)")
        s.add_argument("--calls", type=int, default=0, help="calls per sample; 0 (default) chooses from --sample-ms")
        if name == "sgemm":
            s.add_argument("--n", type=csv_list(positive), default=[4096],
                           help="matrix sizes, comma-separated (default 4096)")
        else:
            s.add_argument("--shapes", type=csv_list(conv_shape), default=list(CONV_SHAPES),
                           help="shapes NxCxHWxKxR, comma-separated (default: all five)")
    s = common("epoch", "one MNIST training epoch of post 01's MLP and post 02's CNN")
    s.add_argument("--mnist", required=True, help="folder of MNIST's raw IDX files (train-images-idx3-ubyte, ...)")
    s.add_argument("--repeats", type=positive, default=3, help="timed epochs per model, after one warm-up (default 3)")
    s.add_argument("--models", type=csv_list(model_name), default=["mlp", "cnn"], help="mlp, cnn or both (default)")
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    started = time.time()
    import torch
    args.environment = environment(torch)
    step = {"env": cmd_env, "sgemm": cmd_sgemm, "conv": cmd_conv, "epoch": cmd_epoch}[args.step]
    results, settings, protocol = step(torch, args)
    write_json(args.out, document(torch, args.step, args, results, settings, protocol, started))
    log(f"wrote {args.out}")
    if args.step == "env" and not args.environment["cuda_available"]:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
