package io.clip4stream.testkit;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Prints one summary line per test run of every skipped or aborted test with its reason, so that no test skips
 * silently: Docker-only tests ({@code @Testcontainers(disabledWithoutDocker = true)}) may skip, and are named here.
 * Registered for every module that has the testkit on its test class path through {@code META-INF/services}.
 */
public final class SkippedTestsReport implements TestExecutionListener {
    private final ConcurrentLinkedQueue<Skip> skips = new ConcurrentLinkedQueue<>();
    private final Map<String, String> env;

    /** The listener as the JUnit launcher loads it, reading the process environment. */
    public SkippedTestsReport() {
        this(System.getenv());
    }

    /** A listener that decides what is allowed from {@code env}. */
    public SkippedTestsReport(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /**
     * One test that did not run.
     *
     * @param test the test's display path (class and method)
     * @param reason why it did not run
     */
    public record Skip(String test, String reason) {
        /** Whether the reason is a missing Docker engine, the one skip allowed where tools are required. */
        public boolean dockerOnly() {
            return reason != null && reason.contains("Docker");
        }
    }

    @Override
    public void executionSkipped(TestIdentifier testIdentifier, String reason) {
        skips.add(new Skip(describe(testIdentifier), reason));
    }

    @Override
    public void executionFinished(TestIdentifier testIdentifier, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            String reason = result.getThrowable().map(Throwable::getMessage).orElse("aborted");
            skips.add(new Skip(describe(testIdentifier), reason));
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        summary().ifPresent(System.out::println);
    }

    /** The skips seen so far. */
    public List<Skip> skips() {
        return List.copyOf(skips);
    }

    /** The summary line (with one indented line per skip), or empty when nothing was skipped. */
    public Optional<String> summary() {
        List<Skip> all = skips();
        if (all.isEmpty()) {
            return Optional.empty();
        }
        long docker = all.stream().filter(Skip::dockerOnly).count();
        boolean strict = RequiredTool.required(env);
        StringBuilder text = new StringBuilder("[skipped] ")
                .append(all.size())
                .append(" test(s) did not run (")
                .append(docker)
                .append(" for want of Docker")
                .append(
                        strict && docker < all.size()
                                ? "; the others should have failed under " + RequiredTool.REQUIRE_TOOLS
                                : "")
                .append("):");
        for (Skip skip : all) {
            text.append(System.lineSeparator())
                    .append("[skipped]   ")
                    .append(skip.test())
                    .append(": ")
                    .append(skip.reason());
        }
        return Optional.of(text.toString());
    }

    private static String describe(TestIdentifier id) {
        return id.getSource()
                .map(source -> switch (source) {
                    case MethodSource method -> method.getClassName() + "#" + method.getMethodName();
                    case ClassSource type -> type.getClassName();
                    default -> id.getDisplayName();
                })
                .orElse(id.getDisplayName());
    }
}
