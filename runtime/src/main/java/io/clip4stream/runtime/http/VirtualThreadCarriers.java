package io.clip4stream.runtime.http;

/**
 * Sizes the JVM's virtual-thread scheduler before its first virtual thread starts: at least {@value #MINIMUM}
 * carrier threads, or one per core when there are more.
 *
 * <p>Why: every HTTP request runs on a virtual thread, and a virtual thread that computes (a Lucene query, a JSON body)
 * keeps its carrier until it blocks; the JDK's default of one carrier per core let two such requests on a 2-core
 * machine hold {@code /health} for 2 s while a video was ingested ({@code bench load}: health slowest 2,066 ms with 2
 * carriers, 24 ms with 4). More carriers let the operating system share the cores between them instead. An explicit
 * {@code -Djdk.virtualThreadScheduler.parallelism} is left as given.
 */
public final class VirtualThreadCarriers {
    /** The fewest carrier threads. */
    public static final int MINIMUM = 4;

    private static final String PROPERTY = "jdk.virtualThreadScheduler.parallelism";

    private VirtualThreadCarriers() {}

    /** Sets the carrier count unless it was set; call first thing in {@code main}, before any virtual thread starts. */
    public static void configure() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(
                    PROPERTY,
                    Integer.toString(Math.max(MINIMUM, Runtime.getRuntime().availableProcessors())));
        }
    }
}
