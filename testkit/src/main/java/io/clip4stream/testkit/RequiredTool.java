package io.clip4stream.testkit;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A tool outside the JVM that a test needs (a browser, a command, Python with torch): where it is absent the test
 * aborts (shown as skipped) on a developer's machine, and fails where the environment requires every tool
 * ({@value #REQUIRE_TOOLS}{@code =1}, set by {@code .ci/run}), so that CI never goes green on a skipped test.
 *
 * @param name what the tool is, as a message names it
 * @param installHint how to install it
 */
public record RequiredTool(String name, String installHint) {
    /** The environment variable that turns every missing tool into a test failure. */
    public static final String REQUIRE_TOOLS = "CLIP4S_REQUIRE_TOOLS";

    /** Headless Chromium (the search page's browser test). */
    public static final RequiredTool CHROMIUM =
            new RequiredTool("Chromium", "apt-get install chromium, or set $CHROMIUM to its binary");

    /** The ffmpeg command with libx264 (writes the H.264 video the browser test plays). */
    public static final RequiredTool FFMPEG =
            new RequiredTool("the ffmpeg command with libx264", "apt-get install ffmpeg");

    /** The kcat Kafka client (the interoperability test). */
    public static final RequiredTool KCAT = new RequiredTool("kcat at /usr/bin/kcat", "apt-get install kcat");

    /** A Python that can import torch (checkpoint converter test, PyTorch eager baselines). */
    public static final RequiredTool PYTHON_TORCH =
            new RequiredTool("a Python interpreter that can import torch", "apt-get install python3-torch");

    /** What a test does about one tool. */
    public enum Verdict {
        /** The tool is there: run everything. */
        RUN,
        /** The tool is missing and not required: abort (skip) what needs it. */
        ABORT,
        /** The tool is missing and required: fail. */
        FAIL
    }

    /**
     * Whether {@code env} requires every tool: {@value #REQUIRE_TOOLS} set to {@code 1}/{@code true}, or, when it is
     * unset, {@code CI=true} (so a CI that does not go through {@code .ci/run} is strict too); {@code 0} opts out.
     */
    public static boolean required(Map<String, String> env) {
        String value = env.get(REQUIRE_TOOLS);
        if (value == null || value.isBlank()) {
            return "true".equalsIgnoreCase(env.getOrDefault("CI", ""));
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes" -> true;
            case "0", "false", "no" -> false;
            default -> throw new IllegalArgumentException(REQUIRE_TOOLS + " must be 1 or 0, was '" + value + "'");
        };
    }

    /** The decision for a tool that is {@code present} or not, when tools are {@code required} or not. */
    public static Verdict verdict(boolean present, boolean required) {
        if (present) {
            return Verdict.RUN;
        }
        return required ? Verdict.FAIL : Verdict.ABORT;
    }

    /** Returns the found tool; when absent, aborts the test, or fails it where tools are required. */
    public <T> T require(Optional<T> found) {
        return require(found, System.getenv());
    }

    /** {@link #require(Optional)} against an explicit environment. */
    public <T> T require(Optional<T> found, Map<String, String> env) {
        switch (verdict(found.isPresent(), required(env))) {
            case RUN -> {
                return found.get();
            }
            case ABORT -> {
                Assumptions.abort(missing() + " (" + REQUIRE_TOOLS + "=1 makes this a failure)");
                throw new IllegalStateException("unreachable: Assumptions.abort returned");
            }
            default -> {
                return Assertions.fail(missing() + " and " + REQUIRE_TOOLS + "=1 (or CI=true) requires it");
            }
        }
    }

    /** Aborts or fails as {@link #require(Optional)} unless {@code present}. */
    public void require(boolean present) {
        require(present ? Optional.of(name) : Optional.empty());
    }

    /**
     * For a test that checks less without the tool: true when present; when absent, false with a line on stderr
     * where tools are not required, and a failure where they are.
     */
    public boolean optional(boolean present, String whatIsNotChecked) {
        return optional(present, whatIsNotChecked, System.getenv());
    }

    /** {@link #optional(boolean, String)} against an explicit environment. */
    public boolean optional(boolean present, String whatIsNotChecked, Map<String, String> env) {
        return switch (verdict(present, required(env))) {
            case RUN -> true;
            case ABORT -> {
                System.err.println("[tools] " + missing() + ": " + whatIsNotChecked + " not checked");
                yield false;
            }
            case FAIL ->
                Assertions.fail(missing() + " and " + REQUIRE_TOOLS + "=1 (or CI=true) requires it: " + whatIsNotChecked
                        + " would go unchecked");
        };
    }

    private String missing() {
        return "missing " + name + " (" + installHint + ")";
    }
}
