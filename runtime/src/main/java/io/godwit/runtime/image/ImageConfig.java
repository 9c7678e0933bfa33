package io.godwit.runtime.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What an OCI or Docker image's config says a container of it runs by default: Entrypoint, Cmd,
 * Env (K=V), WorkingDir and User, as the image config's "config" object has them. A plain rootfs
 * import has none (null). {@link #command()} is what runs when a launch gives no command.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ImageConfig(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir,
        String user) {

    public ImageConfig {
        entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        env = env == null ? List.of() : List.copyOf(env);
        workingDir = workingDir == null || workingDir.isEmpty() ? null : workingDir;
        user = user == null || user.isEmpty() ? null : user;
    }

    /** Entrypoint followed by Cmd, as Docker and Podman run them; empty when the image names neither. */
    public List<String> command() {
        List<String> c = new ArrayList<>(entrypoint);
        c.addAll(cmd);
        return c;
    }

    /** From an image config document ({"config": {"Entrypoint": [...], ...}}); absent fields stay empty. */
    static ImageConfig fromImageConfig(JsonNode doc) {
        JsonNode c = doc.path("config");
        return new ImageConfig(strings(c.path("Entrypoint")), strings(c.path("Cmd")), strings(c.path("Env")),
                c.path("WorkingDir").asText(null), c.path("User").asText(null));
    }

    /** The same user with names looked up in the image's own /etc/passwd and /etc/group. */
    ImageConfig withUser(String numericUser) {
        return new ImageConfig(entrypoint, cmd, env, workingDir, numericUser);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array.isArray()) {
            array.forEach(n -> out.add(n.asText()));
        }
        return out;
    }
}
