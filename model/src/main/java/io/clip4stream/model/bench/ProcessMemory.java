package io.clip4stream.model.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This process's memory as Linux reports it in {@code /proc/self/status} ({@code VmRSS}, {@code VmHWM}), which counts
 * what the JVM heap cannot see: libtorch's native tensors.
 */
final class ProcessMemory {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private ProcessMemory() {}

    /** Returns the resident set size in bytes, or NaN where {@code /proc} is absent. */
    static double rssBytes() {
        return statusKilobytes("VmRSS:") * 1024;
    }

    /** Returns the resident set's high-water mark in bytes, or NaN where {@code /proc} is absent. */
    static double peakRssBytes() {
        return statusKilobytes("VmHWM:") * 1024;
    }

    /** Resets {@code VmHWM} to the current resident set size (Linux 4.0+); returns whether it could. */
    static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5", StandardCharsets.US_ASCII);
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    private static double statusKilobytes(String field) {
        try {
            for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
                if (line.startsWith(field)) {
                    // "VmRSS:	  123456 kB"
                    return Double.parseDouble(
                            line.substring(field.length()).strip().split("\\s+")[0]);
                }
            }
            return Double.NaN;
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
    }

    /**
     * Samples the resident set size and the JVM heap in use every {@value #PERIOD_MILLIS} ms on a daemon thread, keeping
     * the largest of each: the heap has no resettable process-wide peak, and VmRSS is the fallback where VmHWM cannot
     * be reset.
     */
    static final class Sampler implements AutoCloseable {

        private static final long PERIOD_MILLIS = 20;

        private final AtomicLong maxRss = new AtomicLong();
        private final AtomicLong maxHeap = new AtomicLong();
        private final Thread thread;

        private Sampler() {
            this.thread =
                    Thread.ofPlatform().daemon().name("bench-memory-sampler").unstarted(this::loop);
        }

        /** Starts sampling; the first sample is taken at once. */
        static Sampler start() {
            Sampler sampler = new Sampler();
            sampler.sample();
            sampler.thread.start();
            return sampler;
        }

        private void loop() {
            while (!Thread.currentThread().isInterrupted()) {
                sample();
                try {
                    Thread.sleep(PERIOD_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void sample() {
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            maxHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
            double rss = rssBytes();
            if (!Double.isNaN(rss)) {
                maxRss.accumulateAndGet((long) rss, Math::max);
            }
        }

        /** Returns the largest resident set size sampled so far, in bytes (NaN where {@code /proc} is absent). */
        double maxRssBytes() {
            sample();
            long value = maxRss.get();
            return value == 0 ? Double.NaN : value;
        }

        /** Returns the largest JVM heap use sampled so far, in bytes. */
        double maxHeapUsedBytes() {
            sample();
            return maxHeap.get();
        }

        @Override
        public void close() {
            thread.interrupt();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
