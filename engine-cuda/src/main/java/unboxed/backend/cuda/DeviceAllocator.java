package unboxed.backend.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;

import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import unboxed.backend.MemoryStats;

/**
 * A caching allocator for device memory, in the manner of PyTorch's: {@code cuMemAlloc} is slow
 * and synchronises the device, so a freed block goes to a free list of its size class and the next
 * request of that class takes it back, with no driver call.
 *
 * <p>Frees are deterministic: {@link CudaStorage#close()} returns its block here at once. A storage
 * nobody closed is returned when the garbage collector finds it unreachable (a phantom reference,
 * drained on the allocating thread, so the free lists are only touched under this object's lock).
 * Device memory is invisible to the Java heap's sizing, and a training step's garbage is mostly
 * device memory, so the collector may not run for thousands of steps: when a request misses the
 * cache after {@code gcAfterBytes} of allocations since the last collection (a quarter of the
 * device, at most 8 GiB), the allocator asks for one and retries the cache before growing. A
 * training loop then reuses the same blocks, with one collection per that many bytes of churn.
 *
 * <p>Every kernel runs on the backend's one stream, so a block freed while a queued kernel still
 * reads it can be handed out again at once: whatever writes it next is queued behind that kernel.
 */
final class DeviceAllocator {
    /** Allocations since the last collection after which a cache miss asks for one. */
    private final long gcAfterBytes;

    DeviceAllocator(long deviceBytes) {
        this.gcAfterBytes = Math.max(64L << 20, Math.min(8L << 30, deviceBytes / 4));
    }

    /** One block of device memory of a size class. */
    static final class Block extends PhantomReference<CudaStorage> {
        final CUdeviceptr pointer;
        final long bytes;
        boolean released;

        Block(CudaStorage owner, CUdeviceptr pointer, long bytes, ReferenceQueue<CudaStorage> queue) {
            super(owner, queue);
            this.pointer = pointer;
            this.bytes = bytes;
        }
    }

    private final Map<Long, ArrayDeque<CUdeviceptr>> free = new TreeMap<>();
    private final Set<Block> live = new HashSet<>();
    private final ReferenceQueue<CudaStorage> unreachable = new ReferenceQueue<>();
    private long liveBytes;
    private long peakBytes;
    private long cachedBytes;
    private long sinceGc;

    /** Size classes: multiples of 512 bytes up to 1 MiB, then of 1 MiB (so a class wastes under 0.1% above 1 GiB). */
    static long sizeClass(long bytes) {
        long b = Math.max(bytes, 1);
        long unit = b < (1 << 20) ? 512 : (1 << 20);
        return (b + unit - 1) / unit * unit;
    }

    synchronized Block allocate(CudaStorage owner, long bytes) {
        drain();
        long size = sizeClass(bytes);
        sinceGc += size;
        CUdeviceptr p = takeCached(size);
        if (p == null) {
            if (sinceGc >= gcAfterBytes) {
                collect();
                p = takeCached(size);
            }
            if (p == null) {
                p = fresh(size);
            }
        }
        Block b = new Block(owner, p, size, unreachable);
        live.add(b);
        liveBytes += size;
        peakBytes = Math.max(peakBytes, liveBytes);
        return b;
    }

    /** Returns a block to its free list (a storage's close, or the collector found its owner unreachable). */
    synchronized void release(Block b) {
        if (b.released) {
            return;
        }
        b.released = true;
        live.remove(b);
        b.clear();
        liveBytes -= b.bytes;
        cachedBytes += b.bytes;
        free.computeIfAbsent(b.bytes, k -> new ArrayDeque<>()).push(b.pointer);
    }

    /** Gives every cached block back to the driver. */
    synchronized void emptyCache() {
        drain();
        for (ArrayDeque<CUdeviceptr> q : free.values()) {
            for (CUdeviceptr p : q) {
                cuMemFree(p);
            }
        }
        free.clear();
        cachedBytes = 0;
    }

    synchronized MemoryStats stats() {
        drain();
        return new MemoryStats(liveBytes, peakBytes, cachedBytes);
    }

    private CUdeviceptr takeCached(long size) {
        ArrayDeque<CUdeviceptr> q = free.get(size);
        if (q == null || q.isEmpty()) {
            return null;
        }
        cachedBytes -= size;
        return q.pop();
    }

    private CUdeviceptr fresh(long size) {
        CUdeviceptr p = new CUdeviceptr();
        int r = cuMemAlloc(p, size);
        if (r == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            // what the cache holds may be in the wrong size classes: give it all back and retry once
            collect();
            emptyCache();
            r = cuMemAlloc(p, size);
        }
        if (r == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            throw new CudaException("cuMemAlloc failed: out of device memory allocating " + size + " bytes, with "
                    + liveBytes + " bytes in use by live tensors (close tensors you no longer need, or use a"
                    + " smaller batch)", r);
        }
        Cuda.check("cuMemAlloc(" + size + " bytes)", r);
        return p;
    }

    /** Asks the collector for unreachable storages and takes their blocks back. */
    private void collect() {
        System.gc();
        try {
            Reference<? extends CudaStorage> r = unreachable.remove(20);
            if (r != null) {
                release((Block) r);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drain();
        sinceGc = 0;
    }

    private void drain() {
        Reference<? extends CudaStorage> r;
        while ((r = unreachable.poll()) != null) {
            release((Block) r);
        }
    }
}
