package io.godwit.migrator.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.Collection;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The daemon's one JSON configuration: strict on input (no number taken for a string, no string
 * for a number: {@code "name": 123} is an error, not "123"), ISO times on output.
 */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    private static final Pattern TOKEN = Pattern.compile("token `JsonToken\\.([A-Z_]+)`");

    private static final Pattern FROM = Pattern.compile("from (String|Integer|Boolean|Floating-point|Object|Array) value");
    private static final Map<String, String> FROM_WORDS = Map.of("String", "a string", "Integer", "a whole number",
            "Boolean", "true or false", "Floating-point", "a number with a fraction", "Object", "an object",
            "Array", "a list");

    private Json() {
    }

    /**
     * "field 'spec.command': expected a list, got a string" from a Jackson error: the
     * field and what was wrong in words, without Jackson's class names and source locations.
     */
    public static String describe(com.fasterxml.jackson.core.JsonProcessingException e) {
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            String field = m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            if (e instanceof UnrecognizedPropertyException u) {
                return "unknown field '" + field + "'";
            }
            return "field '" + field + "': " + what(e);
        }
        return what(e);
    }

    private static String what(com.fasterxml.jackson.core.JsonProcessingException e) {
        if (e instanceof InvalidFormatException f) {
            return "expected " + kind(f.getTargetType()) + ", got " + shown(f.getValue());
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            String got = e.getProcessor() instanceof JsonParser p ? token(p.currentToken()) : null;
            if (got == null) { // a parser closed by readValue forgot its token; Jackson's message still names it
                String msg = String.valueOf(e.getOriginalMessage());
                Matcher t = TOKEN.matcher(msg);
                Matcher from = FROM.matcher(msg);
                got = t.find() ? token(JsonToken.valueOf(t.group(1)))
                        : from.find() ? FROM_WORDS.get(from.group(1)) : null;
            }
            return "expected " + kind(m.getTargetType()) + (got == null ? "" : ", got " + got);
        }
        return e.getOriginalMessage();
    }

    static String kind(Class<?> type) {
        if (type == String.class || type == Character.class || type == char.class) {
            return "a string";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "an object of names and values";
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.toString(type.getEnumConstants());
        }
        return "an object";
    }

    private static String token(JsonToken t) {
        if (t == null) {
            return null;
        }
        return switch (t) {
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "a whole number";
            case VALUE_NUMBER_FLOAT -> "a number with a fraction";
            case VALUE_TRUE, VALUE_FALSE -> "true or false";
            case VALUE_NULL -> "null";
            case START_ARRAY, END_ARRAY -> "a list";
            case START_OBJECT, END_OBJECT, FIELD_NAME -> "an object";
            default -> null;
        };
    }

    private static String shown(Object value) {
        String s = String.valueOf(value);
        return value instanceof String ? "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"" : s;
    }
}
