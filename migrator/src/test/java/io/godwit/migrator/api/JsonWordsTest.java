package io.godwit.migrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Type errors in request bodies answer 400 in words, not Jackson's Java class names, and nothing is coerced. */
class JsonWordsTest {
    record Named(String name, Integer signal, List<String> command) {
    }

    private static ApiException refusal(String json) {
        ApiRequest r = new ApiRequest("POST", "/x", Map.of(), Map.of(), json.getBytes(StandardCharsets.UTF_8), "test");
        return assertThrows(ApiException.class, () -> r.bind(Json.MAPPER, Named.class));
    }

    @Test
    void aNumberIsNotTakenForAString() {
        ApiException e = refusal("{\"name\": 123}");
        assertEquals(400, e.status());
        assertEquals("invalid request: field 'name': expected a string, got 123", e.getMessage());
    }

    @Test
    void aStringIsNotTakenForAList() {
        assertEquals("invalid request: field 'command': expected a list, got a string",
                refusal("{\"command\": \"/bin/true\"}").getMessage());
    }

    @Test
    void aStringIsNotTakenForANumber() {
        assertEquals("invalid request: field 'signal': expected a whole number, got a string",
                refusal("{\"signal\": \"9\"}").getMessage());
    }

    @Test
    void anUnknownFieldIsNamed() {
        assertEquals("invalid request: unknown field 'colour'", refusal("{\"colour\": 1}").getMessage());
    }

    @Test
    void aNumberTooLargeIsSaidSo() {
        String m = refusal("{\"signal\": 99999999999999}").getMessage();
        assertEquals(true, m.startsWith("invalid request: field 'signal': ") && m.contains("out of range"), m);
    }

    @Test
    void aParserThatReadValueClosedStillNamesWhatItGot() {
        // as ContainerSpec.fromJson reads: readValue closes its parser before the error is described
        var e = assertThrows(com.fasterxml.jackson.core.JsonProcessingException.class,
                () -> Json.MAPPER.readValue("{\"command\": \"/bin/true\"}", Named.class));
        assertEquals("field 'command': expected a list, got a string", Json.describe(e));
    }
}
