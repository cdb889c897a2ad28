package io.clip4stream.model.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Checks the tokenizer against ids produced by the original CLIP4Clip code. */
class ClipTokenizerParityTest {

    private static final ClipTokenizer TOKENIZER = ClipTokenizer.withBundledVocabulary();

    static JsonNode fixture() throws IOException {
        try (InputStream in =
                ClipTokenizerParityTest.class.getResourceAsStream("/parity/tokenizer/tokenizer_cases.json")) {
            return JsonMapper.builder().build().readTree(in);
        }
    }

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        int index = 0;
        for (JsonNode node : fixture().get("cases")) {
            cases.add(Arguments.of(index++, node.get("caption").textValue(), node));
        }
        return cases.stream();
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).intValue();
        }
        return out;
    }

    @Test
    void shouldCoverAllThirtyFixtureCasesWithMaxWords32() throws IOException {
        JsonNode fixture = fixture();
        assertEquals(30, fixture.get("cases").size());
        assertEquals(32, fixture.get("max_words").intValue());
        assertEquals(TOKENIZER.startOfTextId(), fixture.get("sot_id").intValue());
        assertEquals(TOKENIZER.endOfTextId(), fixture.get("eot_id").intValue());
    }

    @ParameterizedTest(name = "case {0}: {1}")
    @MethodSource("cases")
    void shouldProduceTheOriginalBpeTokens(int index, String caption, JsonNode expected) {
        List<String> tokens = new ArrayList<>();
        expected.get("bpe_tokens").forEach(token -> tokens.add(token.textValue()));
        assertEquals(tokens, TOKENIZER.bpeTokens(caption));
        assertArrayEquals(ints(expected.get("bpe_ids")), TOKENIZER.encode(caption));
    }

    @ParameterizedTest(name = "case {0}: {1}")
    @MethodSource("cases")
    void shouldProduceTheOriginalInputIdsAndMask(int index, String caption, JsonNode expected) {
        TokenizedText tokenized = TOKENIZER.tokenize(caption, 32);
        assertArrayEquals(ints(expected.get("input_ids")), tokenized.inputIds());
        assertArrayEquals(ints(expected.get("input_mask")), tokenized.inputMask());
    }
}
