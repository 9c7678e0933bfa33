package io.godwit.runtime.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An image in a directory, as an OCI image layout (oci-layout, index.json, blobs/sha256/HEX: what
 * {@code skopeo copy ... oci:DIR} and {@code podman save --format oci-dir} write) or as an unpacked
 * docker-archive (manifest.json naming a config and layer files: {@code podman save} or
 * {@code docker save}): the layers in the order to apply them and the image config.
 *
 * <p>Every blob is checked against its digest before it is used: the OCI descriptors' digests; for
 * a docker-archive, the config against its file name when that is a digest, and each layer against
 * the config's rootfs.diff_ids (SHA-256 of the uncompressed tar).
 */
record ImageLayout(List<Layer> layers, ImageConfig config, String format) {

    /** One layer: its file, and what to call it in errors. */
    record Layer(Path blob, String name) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

    /** Whether the directory holds an image layout of either kind (not a root filesystem). */
    static boolean isLayout(Path dir) {
        return Files.isRegularFile(dir.resolve("oci-layout"), LinkOption.NOFOLLOW_LINKS)
                || Files.isRegularFile(dir.resolve("manifest.json"), LinkOption.NOFOLLOW_LINKS)
                && !Files.isDirectory(dir.resolve("etc"));
    }

    /** Reads and checks the layout in {@code dir}; {@code source} names it in errors. */
    static ImageLayout read(Path dir, String source) throws IOException {
        if (Files.isRegularFile(dir.resolve("oci-layout"), LinkOption.NOFOLLOW_LINKS)
                && Files.isRegularFile(dir.resolve("index.json"), LinkOption.NOFOLLOW_LINKS)) {
            return readOci(dir, source);
        }
        return readDockerArchive(dir, source);
    }

    private static ImageLayout readOci(Path dir, String source) throws IOException {
        JsonNode index = json(dir.resolve("index.json"), source + ": index.json");
        JsonNode manifest = pickManifest(dir, index, source, 0);
        JsonNode configDesc = manifest.path("config");
        JsonNode config = json(blob(dir, configDesc, source + ": image config"), source + ": image config");
        List<Layer> layers = new ArrayList<>();
        int i = 1;
        for (JsonNode d : manifest.path("layers")) {
            String what = source + ": layer " + i++ + " (" + d.path("digest").asText() + ")";
            layers.add(new Layer(blob(dir, d, what), what));
        }
        return new ImageLayout(layers, ImageConfig.fromImageConfig(config), "oci");
    }

    /** The image manifest for linux/amd64 (or the only one), following nested indexes. */
    private static JsonNode pickManifest(Path dir, JsonNode index, String source, int depth) throws IOException {
        if (depth > 4) {
            throw new InvalidImageException(source + ": image indexes nested too deep");
        }
        JsonNode chosen = null;
        for (JsonNode d : index.path("manifests")) {
            JsonNode p = d.path("platform");
            boolean fits = p.isMissingNode() || ("linux".equals(p.path("os").asText("linux"))
                    && "amd64".equals(p.path("architecture").asText("amd64")));
            if (fits && chosen == null) {
                chosen = d;
            }
        }
        if (chosen == null) {
            throw new InvalidImageException(source + ": no image for linux/amd64 in its index");
        }
        JsonNode doc = json(blob(dir, chosen, source + ": manifest " + chosen.path("digest").asText()),
                source + ": manifest");
        String type = doc.path("mediaType").asText(chosen.path("mediaType").asText(""));
        if (type.equals(OCI_INDEX) || type.equals(DOCKER_LIST) || doc.has("manifests")) {
            return pickManifest(dir, doc, source, depth + 1);
        }
        return doc;
    }

    private static ImageLayout readDockerArchive(Path dir, String source) throws IOException {
        JsonNode manifest = json(dir.resolve("manifest.json"), source + ": manifest.json");
        if (!manifest.isArray() || manifest.isEmpty() || !manifest.get(0).has("Layers")) {
            throw new InvalidImageException(source + ": manifest.json is not a docker-archive manifest (an array of "
                    + "{Config, RepoTags, Layers})");
        }
        JsonNode entry = manifest.get(0);
        Path configFile = inside(dir, entry.path("Config").asText(), source);
        String stem = configFile.getFileName().toString().replaceFirst("\\.json$", "");
        if (HEX64.matcher(stem).matches()) {
            LayerStreams.verify(configFile, "sha256:" + stem, false, source + ": image config " + stem);
        }
        JsonNode config = json(configFile, source + ": image config");
        JsonNode diffIds = config.path("rootfs").path("diff_ids");
        JsonNode files = entry.path("Layers");
        if (diffIds.size() != files.size()) {
            throw new InvalidImageException(source + ": manifest.json names " + files.size() + " layers, its config "
                    + diffIds.size() + " diff_ids");
        }
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Path file = inside(dir, files.get(i).asText(), source);
            String what = source + ": layer " + (i + 1) + " (" + files.get(i).asText() + ")";
            LayerStreams.verify(file, diffIds.get(i).asText(), true, what);
            layers.add(new Layer(file, what));
        }
        return new ImageLayout(layers, ImageConfig.fromImageConfig(config), "docker-archive");
    }

    /** blobs/ALG/HEX of a descriptor, checked against its digest and size. */
    private static Path blob(Path dir, JsonNode descriptor, String what) throws IOException {
        String digest = descriptor.path("digest").asText("");
        int colon = digest.indexOf(':');
        if (!digest.startsWith("sha256:") || !HEX64.matcher(digest.substring(colon + 1)).matches()) {
            throw new InvalidImageException(what + ": descriptor digest '" + digest + "' is not sha256:HEX");
        }
        Path file = dir.resolve("blobs").resolve("sha256").resolve(digest.substring(colon + 1));
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidImageException(what + ": blob " + digest + " is missing from the layout");
        }
        long size = descriptor.path("size").asLong(-1);
        if (size >= 0 && Files.size(file) != size) {
            throw new InvalidImageException(what + ": blob " + digest + " has " + Files.size(file)
                    + " bytes, its descriptor says " + size);
        }
        LayerStreams.verify(file, digest, false, what + ": blob " + digest);
        return file;
    }

    /** A file named by manifest.json, refused if the name leaves the archive or is not a plain file. */
    private static Path inside(Path dir, String name, String source) throws IOException {
        Path file = dir.resolve(name).normalize();
        if (name.isEmpty() || name.startsWith("/") || !file.startsWith(dir) || Files.isSymbolicLink(file)
                || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidImageException(source + ": manifest.json names '" + name + "', which is no file of the archive");
        }
        return file;
    }

    private static JsonNode json(Path file, String what) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidImageException(what + " is missing");
        }
        if (Files.size(file) > 16 << 20) {
            throw new InvalidImageException(what + " is larger than 16 MiB: not an image document");
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new InvalidImageException(what + " is not valid JSON: " + e.getMessage(), e);
        }
    }
}
