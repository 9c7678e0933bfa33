package io.godwit.migrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.api.Json;
import io.godwit.runtime.image.ContainerRootfs;
import io.godwit.runtime.image.ImageConfig;
import io.godwit.runtime.image.ImageInfo;
import io.godwit.runtime.image.ImageStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A request's spec filled from its image's OCI config only where the request leaves a field out. */
class ImageDefaultsTest {

    private static final ImageConfig CONFIG = new ImageConfig(List.of("/bin/app"), List.of("--serve"),
            List.of("MODE=prod", "PATH=/app/bin"), "/srv", "1000:1000");

    /** Two images: "oci" with a config, "plain" without. */
    private static final ImageStore IMAGES = new ImageStore() {
        @Override
        public ImageInfo importImage(String alias, Path source) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<ImageInfo> list() {
            return List.of(new ImageInfo("a".repeat(64), "oci", 1, Instant.EPOCH, null, CONFIG),
                    new ImageInfo("b".repeat(64), "plain", 1, Instant.EPOCH));
        }

        @Override
        public Optional<ImageInfo> find(String name) {
            return list().stream().filter(i -> i.aliases().contains(name)).findFirst();
        }

        @Override
        public Optional<Path> content(String name) {
            return Optional.empty();
        }

        @Override
        public void delete(String name) {
        }

        @Override
        public ContainerRootfs createRootfs(String image, Path dir, Path changes) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ContainerRootfs openRootfs(Path dir) {
            throw new UnsupportedOperationException();
        }
    };

    private static JsonNode apply(String spec) throws Exception {
        return ImageDefaults.applyTo(Json.MAPPER.readTree(spec), IMAGES);
    }

    @Test
    void aRequestWithoutCommandGetsEveryDefault() throws Exception {
        JsonNode s = apply("{\"image\": \"oci\"}");
        assertEquals("[\"/bin/app\",\"--serve\"]", s.get("command").toString());
        assertEquals("{\"MODE\":\"prod\",\"PATH\":\"/app/bin\"}", s.get("env").toString());
        assertEquals("/srv", s.get("cwd").asText());
        assertEquals("1000:1000", s.get("security").get("user").asText());
    }

    @Test
    void whatTheRequestGivesWins() throws Exception {
        JsonNode s = apply("{\"image\": \"oci\", \"command\": [\"/bin/sh\"], \"env\": {\"MODE\": \"dev\"},"
                + " \"cwd\": \"/\", \"security\": {\"user\": \"0\"}}");
        assertEquals("[\"/bin/sh\"]", s.get("command").toString(), "a command replaces Entrypoint and Cmd");
        assertEquals("{\"MODE\":\"dev\",\"PATH\":\"/app/bin\"}", s.get("env").toString());
        assertEquals("/", s.get("cwd").asText());
        assertEquals("0", s.get("security").get("user").asText());
    }

    @Test
    void aPlainRootfsImageLeavesTheRequestAsItIs() throws Exception {
        JsonNode spec = Json.MAPPER.readTree("{\"image\": \"plain\"}");
        assertSame(spec, ImageDefaults.applyTo(spec, IMAGES));
        JsonNode unknown = Json.MAPPER.readTree("{\"image\": \"nope\"}");
        assertSame(unknown, ImageDefaults.applyTo(unknown, IMAGES));
    }
}
