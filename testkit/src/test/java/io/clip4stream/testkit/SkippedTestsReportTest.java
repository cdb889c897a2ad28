package io.clip4stream.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.support.descriptor.AbstractTestDescriptor;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestIdentifier;
import org.opentest4j.TestAbortedException;

class SkippedTestsReportTest {
    @Test
    void namesEverySkippedAndAbortedTestAndTellsDockerSkipsApart() {
        SkippedTestsReport report = new SkippedTestsReport(Map.of("CLIP4S_REQUIRE_TOOLS", "1"));
        assertTrue(report.summary().isEmpty(), "nothing skipped, nothing printed");

        report.executionSkipped(
                identifier("a", ClassSource.from("io.example.ContainerIT")),
                "Disabled because Docker is not available");
        report.executionFinished(
                identifier("b", MethodSource.from("io.example.BrowserIT", "plays")),
                TestExecutionResult.aborted(new TestAbortedException("missing Chromium")));
        report.executionFinished(
                identifier("c", MethodSource.from("io.example.FineTest", "works")), TestExecutionResult.successful());

        assertEquals(2, report.skips().size());
        String summary = report.summary().orElseThrow();
        assertTrue(summary.startsWith("[skipped] 2 test(s) did not run (1 for want of Docker"), summary);
        assertTrue(summary.contains("should have failed under CLIP4S_REQUIRE_TOOLS"), summary);
        assertTrue(summary.contains("io.example.ContainerIT: Disabled because Docker is not available"), summary);
        assertTrue(summary.contains("io.example.BrowserIT#plays: missing Chromium"), summary);
        assertFalse(summary.contains("FineTest"), summary);
    }

    private static TestIdentifier identifier(String id, org.junit.platform.engine.TestSource source) {
        UniqueId uniqueId = UniqueId.forEngine("test").append("test", id);
        return TestIdentifier.from(new AbstractTestDescriptor(uniqueId, id, source) {
            @Override
            public Type getType() {
                return Type.TEST;
            }
        });
    }
}
