package io.godwit.runtime.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Writes small images for tests, as the tools people use do: an OCI image layout directory, an OCI
 * archive (tar of the layout) and a docker-archive (podman save's manifest.json, config and layer
 * files), from layers given as tar bytes.
 */
final class TestImages {

    enum Compression { NONE, GZIP, ZSTD }

    record Layer(byte[] tar, Compression compression) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Layer> layers = new ArrayList<>();
    private final ObjectNode config = JSON.createObjectNode();

    TestImages layer(TestTar tar, Compression compression) {
        layers.add(new Layer(tar.bytes(), compression));
        return this;
    }

    TestImages config(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir, String user) {
        ObjectNode c = config.putObject("config");
        entrypoint.forEach(c.putArray("Entrypoint")::add);
        cmd.forEach(c.putArray("Cmd")::add);
        env.forEach(c.putArray("Env")::add);
        c.put("WorkingDir", workingDir);
        c.put("User", user);
        return this;
    }

    /** An OCI image layout in {@code dir}; returns dir. */
    Path ociLayout(Path dir) throws IOException {
        Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
        ArrayNode layerDescs = JSON.createArrayNode();
        ArrayNode diffIds = JSON.createArrayNode();
        for (Layer l : layers) {
            byte[] stored = compress(l);
            layerDescs.add(blob(blobs, stored, switch (l.compression()) {
                case NONE -> "application/vnd.oci.image.layer.v1.tar";
                case GZIP -> "application/vnd.oci.image.layer.v1.tar+gzip";
                case ZSTD -> "application/vnd.oci.image.layer.v1.tar+zstd";
            }));
            diffIds.add("sha256:" + LayerStreams.sha256Hex(l.tar()));
        }
        ObjectNode cfg = config.deepCopy();
        cfg.put("os", "linux").put("architecture", "amd64");
        cfg.putObject("rootfs").put("type", "layers").set("diff_ids", diffIds);
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2).put("mediaType", OciExport.MANIFEST_TYPE);
        manifest.set("config", blob(blobs, JSON.writeValueAsBytes(cfg), "application/vnd.oci.image.config.v1+json"));
        manifest.set("layers", layerDescs);
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        ObjectNode desc = blob(blobs, JSON.writeValueAsBytes(manifest), OciExport.MANIFEST_TYPE);
        desc.putObject("platform").put("os", "linux").put("architecture", "amd64");
        index.putArray("manifests").add(desc);
        Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(index));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        return dir;
    }

    /** A docker-archive as {@code podman save} writes it, unpacked in {@code dir}; returns dir. */
    Path dockerArchiveDir(Path dir) throws IOException {
        Files.createDirectories(dir);
        ArrayNode files = JSON.createArrayNode();
        ArrayNode diffIds = JSON.createArrayNode();
        for (Layer l : layers) {
            String hex = LayerStreams.sha256Hex(l.tar());
            Files.write(dir.resolve(hex + ".tar"), l.tar());
            files.add(hex + ".tar");
            diffIds.add("sha256:" + hex);
        }
        ObjectNode cfg = config.deepCopy();
        cfg.putObject("rootfs").put("type", "layers").set("diff_ids", diffIds);
        byte[] cfgBytes = JSON.writeValueAsBytes(cfg);
        String cfgName = LayerStreams.sha256Hex(cfgBytes) + ".json";
        Files.write(dir.resolve(cfgName), cfgBytes);
        ArrayNode manifest = JSON.createArrayNode();
        ObjectNode entry = manifest.addObject();
        entry.put("Config", cfgName);
        entry.putArray("RepoTags").add("localhost/test:latest");
        entry.set("Layers", files);
        Files.write(dir.resolve("manifest.json"), JSON.writeValueAsBytes(manifest));
        return dir;
    }

    /** A tar of the directory's top-level files (and blobs/ below), as an image archive. */
    static Path archive(Path dir, Path file) throws IOException {
        io.godwit.runtime.HostCommand.run(List.of("tar", "-c", "-f", file.toString(), "-C", dir.toString(), "."));
        return file;
    }

    private static byte[] compress(Layer l) throws IOException {
        return switch (l.compression()) {
            case NONE -> l.tar();
            case ZSTD -> Zstd.compress(l.tar());
            case GZIP -> {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                try (GZIPOutputStream gz = new GZIPOutputStream(b)) {
                    gz.write(l.tar());
                }
                yield b.toByteArray();
            }
        };
    }

    private static ObjectNode blob(Path blobs, byte[] bytes, String mediaType) throws IOException {
        String hex = LayerStreams.sha256Hex(bytes);
        Files.write(blobs.resolve(hex), bytes);
        ObjectNode d = JSON.createObjectNode();
        d.put("mediaType", mediaType).put("digest", "sha256:" + hex).put("size", bytes.length);
        return d;
    }
}
