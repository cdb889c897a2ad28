package io.clip4stream.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class RequiredToolTest {
    private static final Map<String, String> LOCAL = Map.of();
    private static final Map<String, String> STRICT = Map.of("CLIP4S_REQUIRE_TOOLS", "1");
    private static final RequiredTool TOOL = new RequiredTool("frobnicator", "apt-get install frobnicator");

    @Test
    void runsWhenPresentAbortsWhenMissingLocallyAndFailsWhenMissingAndRequired() {
        assertEquals(RequiredTool.Verdict.RUN, RequiredTool.verdict(true, false));
        assertEquals(RequiredTool.Verdict.RUN, RequiredTool.verdict(true, true));
        assertEquals(RequiredTool.Verdict.ABORT, RequiredTool.verdict(false, false));
        assertEquals(RequiredTool.Verdict.FAIL, RequiredTool.verdict(false, true));
    }

    @Test
    void readsTheRequirementFromTheEnvironmentWithCiAsTheFallback() {
        assertFalse(RequiredTool.required(LOCAL));
        assertTrue(RequiredTool.required(STRICT));
        assertTrue(RequiredTool.required(Map.of("CLIP4S_REQUIRE_TOOLS", "true")));
        assertFalse(RequiredTool.required(Map.of("CLIP4S_REQUIRE_TOOLS", "0")));
        assertTrue(RequiredTool.required(Map.of("CI", "true")));
        assertFalse(RequiredTool.required(Map.of("CI", "true", "CLIP4S_REQUIRE_TOOLS", "0")), "an explicit 0 wins");
        IllegalArgumentException wrong = assertThrows(
                IllegalArgumentException.class, () -> RequiredTool.required(Map.of("CLIP4S_REQUIRE_TOOLS", "maybe")));
        assertTrue(wrong.getMessage().contains("maybe"), wrong.getMessage());
    }

    @Test
    void requireReturnsTheToolOrAbortsOrFailsNamingItAndHowToInstallIt() {
        assertEquals("/usr/bin/frob", TOOL.require(Optional.of("/usr/bin/frob"), STRICT));
        TestAbortedException aborted =
                assertThrows(TestAbortedException.class, () -> TOOL.require(Optional.empty(), LOCAL));
        assertTrue(aborted.getMessage().contains("frobnicator (apt-get install frobnicator)"), aborted.getMessage());
        AssertionFailedError failed =
                assertThrows(AssertionFailedError.class, () -> TOOL.require(Optional.empty(), STRICT));
        assertTrue(failed.getMessage().contains("CLIP4S_REQUIRE_TOOLS=1"), failed.getMessage());
    }

    @Test
    void optionalLetsATestCheckLessLocallyButNotWhereToolsAreRequired() {
        assertTrue(TOOL.optional(true, "playback", STRICT));
        assertFalse(TOOL.optional(false, "playback", LOCAL));
        AssertionFailedError failed =
                assertThrows(AssertionFailedError.class, () -> TOOL.optional(false, "playback", STRICT));
        assertTrue(failed.getMessage().contains("playback would go unchecked"), failed.getMessage());
    }
}
