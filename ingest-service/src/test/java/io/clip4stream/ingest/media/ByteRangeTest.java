package io.clip4stream.ingest.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ByteRangeTest {
    private static ByteRange range(String header, long size) throws ByteRange.UnsatisfiableException {
        return ByteRange.parse(header, size).orElseThrow();
    }

    @Test
    void closedOpenAndSuffixRanges() throws Exception {
        assertEquals(new ByteRange(0, 99, 1000), range("bytes=0-99", 1000));
        assertEquals(new ByteRange(500, 999, 1000), range("bytes=500-", 1000));
        assertEquals(new ByteRange(900, 999, 1000), range("bytes=-100", 1000));
        assertEquals(new ByteRange(0, 0, 1000), range("bytes=0-0", 1000));
        assertEquals(new ByteRange(999, 999, 1000), range(" Bytes = 999-999 ", 1000));
        assertEquals("bytes 500-999/1000", range("bytes=500-", 1000).contentRange());
        assertEquals(500, range("bytes=500-", 1000).length());
    }

    @Test
    void rangesPastTheEndAreCutToTheFile() throws Exception {
        assertEquals(new ByteRange(990, 999, 1000), range("bytes=990-5000", 1000));
        assertEquals(new ByteRange(0, 999, 1000), range("bytes=-5000", 1000), "a suffix longer than the file");
    }

    @Test
    void noHeaderAnotherUnitOrSeveralRangesMeanTheWholeFile() throws Exception {
        assertEquals(Optional.empty(), ByteRange.parse(null, 1000));
        assertEquals(Optional.empty(), ByteRange.parse("  ", 1000));
        assertEquals(Optional.empty(), ByteRange.parse("items=0-5", 1000));
        assertEquals(Optional.empty(), ByteRange.parse("bytes=0-5,10-20", 1000));
    }

    @Test
    void unsatisfiableAndMalformedRangesAreRefused() {
        for (String header : new String[] {
            "bytes=1000-", // starts at the end
            "bytes=2000-3000", // entirely past the end
            "bytes=50-10", // ends before it starts
            "bytes=-0", // an empty suffix
            "bytes=-", // no bounds
            "bytes=abc-def",
            "bytes=1-2-3",
            "bytes=-5-",
            "bytes 0-5", // no '='
            "bytes=99999999999999999999-" // beyond a long
        }) {
            assertThrows(ByteRange.UnsatisfiableException.class, () -> ByteRange.parse(header, 1000), header);
        }
        assertThrows(ByteRange.UnsatisfiableException.class, () -> ByteRange.parse("bytes=0-", 0), "empty file");
        assertThrows(ByteRange.UnsatisfiableException.class, () -> ByteRange.parse("bytes=-1", 0), "empty file");
        assertEquals("bytes */1000", ByteRange.unsatisfiedContentRange(1000));
    }
}
