package io.godwit.migrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.api.Json;
import io.godwit.transfer.NodeIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The CLI user's own credentials for remote daemons, apart from any daemon's: a client key and
 * certificate (made on first use), and per remote its address and the certificate it is pinned
 * to. A remote daemon trusts this certificate as a client (the API) once a client token from it
 * was redeemed with {@code godwit remote login}; a daemon paired for moves does not get it.
 *
 * <p>Kept in {@code $GODWIT_CONFIG_DIR}, else {@code $XDG_CONFIG_HOME/godwit}, else
 * {@code ~/.config/godwit}; the directory and the key are the user's alone (0700, 0600).
 */
final class ClientCredentials {
    /** Where a remote is and which certificate it must show. */
    record Remote(String name, String address, String fingerprint) {
    }

    private final Path dir;

    private ClientCredentials(Path dir) {
        this.dir = dir;
    }

    static ClientCredentials ofUser() {
        return new ClientCredentials(defaultDir());
    }

    static Path defaultDir() {
        String explicit = System.getenv("GODWIT_CONFIG_DIR");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("godwit");
    }

    Path dir() {
        return dir;
    }

    /** This user's client identity, created on first use. */
    NodeIdentity identity() throws IOException {
        ensureDir();
        String user = System.getProperty("user.name", "user");
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return NodeIdentity.loadOrCreate(dir.resolve("client"), "godwit client " + user + "@" + host);
    }

    Optional<Remote> remote(String name) throws IOException {
        Path file = remoteFile(name);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        JsonNode n = Json.MAPPER.readTree(file.toFile());
        return Optional.of(new Remote(name, n.path("address").asText(), n.path("fingerprint").asText()));
    }

    void save(Remote r) throws IOException {
        ensureDir();
        Path remotes = Files.createDirectories(dir.resolve("remotes"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("address", r.address());
        m.put("fingerprint", r.fingerprint());
        Path tmp = Files.createTempFile(remotes, "." + r.name(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(tmp, Json.MAPPER.writeValueAsBytes(m));
            Files.move(tmp, remoteFile(r.name()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private Path remoteFile(String name) {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("bad remote name '" + name + "': letters, digits, '.', '_' and '-'");
        }
        return dir.resolve("remotes").resolve(name + ".json");
    }

    private void ensureDir() throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir.getParent());
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
    }
}
