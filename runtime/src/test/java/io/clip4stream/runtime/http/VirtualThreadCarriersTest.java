package io.clip4stream.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The carrier count: at least four, one per core beyond that, and never over what the operator set. */
class VirtualThreadCarriersTest {
    private static final String PROPERTY = "jdk.virtualThreadScheduler.parallelism";

    @Test
    void shouldSetAtLeastFourCarriersUnlessTheOperatorChose() {
        String before = System.getProperty(PROPERTY);
        try {
            System.clearProperty(PROPERTY);
            VirtualThreadCarriers.configure();
            assertEquals(
                    Integer.toString(Math.max(
                            VirtualThreadCarriers.MINIMUM, Runtime.getRuntime().availableProcessors())),
                    System.getProperty(PROPERTY));

            System.setProperty(PROPERTY, "3");
            VirtualThreadCarriers.configure();
            assertEquals("3", System.getProperty(PROPERTY), "an explicit setting stays");
        } finally {
            if (before == null) {
                System.clearProperty(PROPERTY);
            } else {
                System.setProperty(PROPERTY, before);
            }
        }
    }
}
