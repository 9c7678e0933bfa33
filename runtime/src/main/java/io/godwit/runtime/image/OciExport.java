package io.godwit.runtime.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.godwit.runtime.HostCommand;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * Writes an image as an OCI archive (a tar of an OCI image layout: oci-layout, index.json,
 * blobs/sha256/...) with one gzip layer holding its whole tree and a config carrying its defaults,
 * which {@link OciImport}, skopeo ({@code oci-archive:FILE}) and podman ({@code podman load}) read.
 */
final class OciExport {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";

    private OciExport() {
    }

    static long write(Path rootfs, ImageInfo image, Path file, Path scratch) throws IOException {
        Path layout = scratch.resolve("layout");
        Path blobs = layout.resolve("blobs/sha256");
        Files.createDirectories(blobs);
        Path layer = scratch.resolve("layer.tar.gz");
        // GNU tar writes owners as numbers, hard links as links, and the tree's root as "./".
        HostCommand.run(List.of("tar", "-c", "-z", "-f", layer.toString(), "--numeric-owner", "--sort=name",
                "-C", rootfs.toString(), "."));
        String diffId = digestOf(LayerStreams.openTar(layer));
        ObjectNode layerDesc = store(blobs, layer, "application/vnd.oci.image.layer.v1.tar+gzip");

        ObjectNode config = JSON.createObjectNode();
        config.put("architecture", "amd64");
        config.put("os", "linux");
        config.put("created", image.importedAt().toString());
        ObjectNode c = config.putObject("config");
        ImageConfig defaults = image.config();
        if (defaults != null) {
            strings(c.putArray("Entrypoint"), defaults.entrypoint());
            strings(c.putArray("Cmd"), defaults.cmd());
            strings(c.putArray("Env"), defaults.env());
            c.put("WorkingDir", defaults.workingDir() == null ? "" : defaults.workingDir());
            c.put("User", defaults.user() == null ? "" : defaults.user());
        }
        ObjectNode rootfsNode = config.putObject("rootfs");
        rootfsNode.put("type", "layers");
        rootfsNode.putArray("diff_ids").add(diffId);
        ObjectNode configDesc = storeBytes(blobs, JSON.writeValueAsBytes(config),
                "application/vnd.oci.image.config.v1+json");

        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MANIFEST_TYPE);
        manifest.set("config", configDesc);
        manifest.putArray("layers").add(layerDesc);
        ObjectNode manifestDesc = storeBytes(blobs, JSON.writeValueAsBytes(manifest), MANIFEST_TYPE);
        if (image.alias() != null) {
            manifestDesc.putObject("annotations").put("org.opencontainers.image.ref.name", image.alias());
        }
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", "application/vnd.oci.image.index.v1+json");
        index.putArray("manifests").add(manifestDesc);
        Files.write(layout.resolve("index.json"), JSON.writeValueAsBytes(index));
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");

        Path temp = file.resolveSibling("." + file.getFileName() + ".part");
        try {
            HostCommand.run(List.of("tar", "-c", "-f", temp.toString(), "--numeric-owner", "--owner=0", "--group=0",
                    "-C", layout.toString(), "oci-layout", "index.json", "blobs"));
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        return Files.size(file);
    }

    private static ObjectNode store(Path blobs, Path file, String mediaType) throws IOException {
        String digest;
        try (InputStream in = Files.newInputStream(file)) {
            digest = digestOf(in);
        }
        Files.move(file, blobs.resolve(digest.substring("sha256:".length())));
        return descriptor(mediaType, digest, Files.size(blobs.resolve(digest.substring("sha256:".length()))));
    }

    private static ObjectNode storeBytes(Path blobs, byte[] bytes, String mediaType) throws IOException {
        String hex = LayerStreams.sha256Hex(bytes);
        Files.write(blobs.resolve(hex), bytes);
        return descriptor(mediaType, "sha256:" + hex, bytes.length);
    }

    private static ObjectNode descriptor(String mediaType, String digest, long size) {
        ObjectNode d = JSON.createObjectNode();
        d.put("mediaType", mediaType);
        d.put("digest", digest);
        d.put("size", size);
        return d;
    }

    private static String digestOf(InputStream in) throws IOException {
        MessageDigest sha = LayerStreams.sha256();
        try (DigestInputStream d = new DigestInputStream(in, sha)) {
            d.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
