package io.godwit.migrator.api;

/**
 * Who is on the other end of a connection, as the access log names them: a local process by the
 * uid (and pid) the kernel reports for the Unix socket, or a remote by its pinned TLS certificate.
 *
 * @param transport "unix" or "tls"
 * @param who       "uid 0 pid 4711" or "cert alice sha256:ab12..."
 */
public record Caller(String transport, String who) {

    /** A local client; uid and pid come from SO_PEERCRED, so they cannot be forged by the client. */
    public static Caller unix(int uid, int pid) {
        return new Caller("unix", "uid " + uid + " pid " + pid);
    }

    /** A local client whose credentials could not be read (should not happen on Linux). */
    public static Caller unixUnknown() {
        return new Caller("unix", "uid ?");
    }

    /** A remote client by its certificate: the name it was trusted under, if any, and the fingerprint. */
    public static Caller tls(String fingerprint, String trustedName) {
        String name = trustedName == null || trustedName.isBlank() ? "" : trustedName + " ";
        return new Caller("tls", "cert " + name + fingerprint);
    }

    @Override
    public String toString() {
        return transport + " " + who;
    }
}
