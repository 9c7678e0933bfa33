package io.godwit.migrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.transfer.NodeIdentity;
import io.godwit.transfer.TlsContexts;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code godwit --remote NAME ...}: the same API on a paired remote daemon, over HTTPS with
 * mutual TLS. The local daemon says where the remote is and which certificate to pin; the client
 * presents the local daemon's own certificate, which the remote trusts since the pairing (so it
 * needs to read the daemon's key, as root does).
 */
final class RemoteClient {
    private RemoteClient() {
    }

    static DaemonClient of(DaemonClient local, String remote) throws IOException {
        JsonNode r = null;
        for (JsonNode each : local.get("/1.0/remotes").json()) {
            if (each.path("name").asText().equals(remote)) {
                r = each;
            }
        }
        if (r == null) {
            throw new IllegalArgumentException("unknown remote '" + remote + "': see 'godwit remote list'");
        }
        Path identityDir = Path.of(local.get("/1.0").json().path("root").asText()).resolve("peer").resolve("identity");
        NodeIdentity id = NodeIdentity.loadExisting(identityDir);
        return DaemonClient.overTls(r.path("address").asText(),
                TlsContexts.httpsClientContext(id, r.path("fingerprint").asText()));
    }
}
