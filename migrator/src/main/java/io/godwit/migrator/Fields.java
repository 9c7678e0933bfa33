package io.godwit.migrator;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.api.ApiException;

/** Checks of single request fields that answer 400 in words a user knows. */
final class Fields {
    /** SIGRTMAX on Linux. */
    static final int MAX_SIGNAL = 64;

    private Fields() {
    }

    /** A required string field: a number or anything else is refused, not turned into text. */
    static String text(JsonNode body, String field, String example) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            throw ApiException.badRequest("'" + field + "' is required: " + example);
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest("field '" + field + "': expected a string (" + example + "), got " + v);
        }
        return v.asText();
    }

    /** A whole-number field that fits an int. */
    static int whole(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw ApiException.badRequest("field '" + field + "': expected a whole number, got " + v);
        }
        return v.asInt();
    }

    /** An optional number within [min, max]. */
    static void range(String field, Integer value, int min, int max) {
        if (value != null && (value < min || value > max)) {
            throw ApiException.badRequest("field '" + field + "': " + value + " is out of range, it takes "
                    + min + " to " + max);
        }
    }
}
