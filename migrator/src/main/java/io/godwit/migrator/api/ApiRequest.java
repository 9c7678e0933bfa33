package io.godwit.migrator.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/** One API request after routing: method, path parameters, query parameters and the JSON body. */
public record ApiRequest(String method, String path, Map<String, String> pathParams,
        Map<String, String> query, byte[] body, String clientIdentity) {

    public String param(String name) {
        String v = pathParams.get(name);
        if (v == null) {
            throw new IllegalStateException("route has no parameter " + name);
        }
        return v;
    }

    public String queryOr(String name, String fallback) {
        return query.getOrDefault(name, fallback);
    }

    public boolean queryFlag(String name) {
        String v = query.get(name);
        return v != null && (v.isEmpty() || v.equals("true") || v.equals("1"));
    }

    /** The body as JSON; an empty body reads as an empty object. Malformed JSON is a 400. */
    public JsonNode json(ObjectMapper mapper) {
        if (body == null || body.length == 0) {
            return mapper.createObjectNode();
        }
        try {
            JsonNode node = mapper.readTree(body);
            if (node == null || !node.isObject()) {
                throw ApiException.badRequest("request body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("malformed JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("unreadable request body: " + e.getMessage());
        }
    }

    /** The body bound to a record or class; unknown fields and type errors are 400s naming the field. */
    public <T> T bind(ObjectMapper mapper, Class<T> type) {
        JsonNode node = json(mapper);
        try {
            return mapper.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("invalid request: " + Json.describe(e));
        }
    }
}
