package unboxed.basics.bench;

import java.lang.management.ManagementFactory;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A JMH secondary metric beside our own benchmarks, as the peers record theirs: process CPU time
 * over wall time since the iteration began (the JVM's own threads, JIT and GC, count too). About
 * 1.0 on one thread and about 2.0 on two says the work ran on the cores it was pinned to, and no
 * more; {@link #update()} runs after every call, so the value JMH reads at the end of an
 * iteration covers all of it.
 */
@AuxCounters(AuxCounters.Type.EVENTS)
@State(Scope.Thread)
public class CpuOverWall {
    public double cpuOverWall;
    private long cpu0;
    private long wall0;

    @Setup(Level.Iteration)
    public void start() {
        cpu0 = processCpuNanos();
        wall0 = System.nanoTime();
    }

    void update() {
        long wall = System.nanoTime() - wall0;
        cpuOverWall = wall > 0 ? (double) (processCpuNanos() - cpu0) / wall : 0;
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
