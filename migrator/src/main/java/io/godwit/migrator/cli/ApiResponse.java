package io.godwit.migrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.Map;

/**
 * One HTTP answer from the daemon.
 *
 * @param status      the HTTP status code
 * @param headers     header names in lower case (HTTP header names are case-insensitive)
 * @param body        the body as UTF-8 text (the API only sends JSON and plain text)
 * @param json        the body parsed as JSON, or a MissingNode when it is empty or not JSON
 */
public record ApiResponse(int status, Map<String, String> headers, String body, JsonNode json) {

    public ApiResponse {
        headers = Map.copyOf(headers);
        json = json == null ? MissingNode.getInstance() : json;
    }

    public boolean ok() {
        return status >= 200 && status < 300;
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
}
