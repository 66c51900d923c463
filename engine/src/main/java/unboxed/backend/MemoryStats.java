package unboxed.backend;

/**
 * What a backend's allocator holds, in bytes: memory in use by live storages, the most ever in
 * use at once, and memory kept aside for reuse (a caching allocator's pool; 0 where there is none).
 */
public record MemoryStats(long liveBytes, long peakBytes, long cachedBytes) {
}
