package io.godwit.migrator.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The OpenAPI 3 document of the REST API (resource openapi.json), checked against the router by OpenApiTest. */
public final class OpenApi {
    public static final String RESOURCE = "openapi.json";
    private static volatile byte[] document;

    private OpenApi() {
    }

    public static byte[] document() {
        byte[] d = document;
        if (d == null) {
            try (InputStream in = OpenApi.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("the OpenAPI document " + RESOURCE + " is missing from the daemon's jar");
                }
                d = in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the OpenAPI document", e);
            }
            document = d;
        }
        return d;
    }

    /** GET /1.0/openapi. */
    public static TextReply reply() {
        return new TextReply("application/json", document());
    }
}
