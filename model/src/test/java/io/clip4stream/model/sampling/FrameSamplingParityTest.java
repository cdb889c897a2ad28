package io.clip4stream.model.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Replays the original loader's decoder interaction: read planned positions until one is not readable. */
class FrameSamplingParityTest {

    static JsonNode fixture() throws IOException {
        try (InputStream in =
                FrameSamplingParityTest.class.getResourceAsStream("/parity/sampling/sampling_cases.json")) {
            return JsonMapper.builder().build().readTree(in);
        }
    }

    static Stream<Arguments> cases() throws IOException {
        return arguments(fixture().get("cases"));
    }

    static Stream<Arguments> windowCases() throws IOException {
        return arguments(fixture().get("window_cases"));
    }

    private static Stream<Arguments> arguments(JsonNode cases) {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode node : cases) {
            out.add(Arguments.of(node.toString(), node));
        }
        return out.stream();
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).longValue();
        }
        return out;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).intValue();
        }
        return out;
    }

    /** The seeks a decoder sees: every planned position up to and including the first unreadable one. */
    private static long[] seeks(LongStream planned, long readableFrames) {
        List<Long> seeks = new ArrayList<>();
        for (long position : (Iterable<Long>) planned::iterator) {
            seeks.add(position);
            if (position >= readableFrames) {
                break;
            }
        }
        return seeks.stream().mapToLong(Long::longValue).toArray();
    }

    private static long[] read(long[] seeks, long readableFrames) {
        return LongStream.of(seeks)
                .filter(position -> position < readableFrames)
                .toArray();
    }

    @Test
    void shouldCoverAllFixtureCases() throws IOException {
        assertEquals(31, fixture().get("cases").size());
        assertEquals(3, fixture().get("window_cases").size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldReadAndKeepTheSameFramesAsTheOriginalLoader(String description, JsonNode expected) {
        long frameCount = expected.get("frame_count").longValue();
        double fps = expected.get("fps").doubleValue();
        long readable = expected.get("readable_frames").longValue();
        FrameSchedule schedule =
                new FrameSchedule(expected.get("feature_framerate").intValue());
        FrameSelection selection = new FrameSelection(
                expected.get("max_frames").intValue(),
                SlicePosition.fromFlag(expected.get("slice_framepos").intValue()));

        long[] seeks = seeks(schedule.positions(frameCount, fps), readable);
        assertArrayEquals(longs(expected.get("seeks")), seeks);
        long[] framesRead = read(seeks, readable);
        assertArrayEquals(longs(expected.get("frames_read")), framesRead);
        assertArrayEquals(ints(expected.get("kept_positions")), selection.keptPositions(framesRead.length));
        assertArrayEquals(longs(expected.get("kept_frames")), selection.keptFrames(framesRead));
        assertArrayEquals(ints(expected.get("video_mask")), selection.videoMask(framesRead.length));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("windowCases")
    void shouldReadTheSameFramesInATimeWindow(String description, JsonNode expected) {
        long frameCount = expected.get("frame_count").longValue();
        FrameSchedule schedule =
                new FrameSchedule(expected.get("feature_framerate").intValue());
        LongStream planned = schedule.positions(
                frameCount,
                expected.get("fps").doubleValue(),
                expected.get("start_time").intValue(),
                expected.get("end_time").intValue());
        // The original first seeks to the window start once before its loop; that seek reads nothing.
        long[] allSeeks = longs(expected.get("seeks"));
        long[] loopSeeks = java.util.Arrays.copyOfRange(allSeeks, 1, allSeeks.length);
        long[] seeks = seeks(planned, frameCount);
        assertArrayEquals(loopSeeks, seeks);
        assertArrayEquals(longs(expected.get("frames_read")), read(seeks, frameCount));
    }
}
