package io.godwit.migrator.cli;

import io.godwit.transfer.TlsContexts;
import java.io.IOException;

/**
 * {@code godwit --remote NAME ...}: the same API on a remote daemon, over HTTPS with mutual TLS,
 * as this user's own client certificate (see ClientCredentials), which the remote trusts as a
 * client after {@code godwit remote login}. A daemon's certificate is not used: a daemon paired for
 * moves may not use the other's API.
 */
final class RemoteClient {
    private RemoteClient() {
    }

    static DaemonClient of(DaemonClient local, String remote) throws IOException {
        ClientCredentials mine = ClientCredentials.ofUser();
        ClientCredentials.Remote r;
        try {
            r = mine.remote(remote).orElse(null);
        } catch (IllegalArgumentException badName) {
            throw new IllegalArgumentException("unknown remote '" + remote + "': " + badName.getMessage());
        }
        if (r == null) {
            throw new IllegalArgumentException("unknown remote '" + remote + "': not logged in to it as a client ("
                    + mine.dir() + "): run 'godwit trust token --client' on it, then here 'godwit remote login "
                    + remote + " [ADDRESS] --token T'");
        }
        return DaemonClient.overTls(r.address(), TlsContexts.httpsClientContext(mine.identity(), r.fingerprint()));
    }
}
