package io.godwit.migrator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.godwit.runtime.image.ImageConfig;
import io.godwit.runtime.image.ImageInfo;
import io.godwit.runtime.image.ImageStore;
import java.io.IOException;

/**
 * Fills a container request's spec from its image's OCI config where the request leaves a field
 * out, as Docker and Podman do: no command runs Entrypoint + Cmd; the image's Env under the
 * request's (the request wins a key both set); WorkingDir as cwd; User as the security user. A
 * command given replaces Entrypoint and Cmd both. Images imported from a plain root filesystem
 * have no config: their requests are left as they are (a command stays required).
 */
final class ImageDefaults {

    private ImageDefaults() {
    }

    static JsonNode applyTo(JsonNode spec, ImageStore images) throws IOException {
        if (spec == null || !spec.isObject() || !spec.path("image").isTextual()) {
            return spec;
        }
        ImageConfig config = images.find(spec.path("image").asText()).map(ImageInfo::config).orElse(null);
        if (config == null) {
            return spec;
        }
        ObjectNode out = (ObjectNode) spec.deepCopy();
        JsonNode command = out.path("command");
        if ((command.isMissingNode() || command.isNull() || (command.isArray() && command.isEmpty()))
                && !config.command().isEmpty()) {
            ArrayNode c = out.putArray("command");
            config.command().forEach(c::add);
        }
        if (!config.env().isEmpty()) {
            JsonNode given = out.path("env");
            if (given.isMissingNode() || given.isNull()) {
                given = out.putObject("env");
            }
            if (given.isObject()) {
                ObjectNode env = (ObjectNode) given;
                for (String kv : config.env()) {
                    int eq = kv.indexOf('=');
                    if (eq > 0 && !env.has(kv.substring(0, eq))) {
                        env.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                }
            }
        }
        if (config.workingDir() != null && (!out.has("cwd") || out.get("cwd").isNull())) {
            out.put("cwd", config.workingDir());
        }
        if (config.user() != null) {
            JsonNode security = out.path("security");
            if (security.isMissingNode() || security.isNull()) {
                security = out.putObject("security");
            }
            if (security.isObject() && (!security.has("user") || security.get("user").isNull())) {
                ((ObjectNode) security).put("user", config.user());
            }
        }
        return out;
    }
}
