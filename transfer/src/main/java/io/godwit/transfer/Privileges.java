package io.godwit.transfer;

/** Whether this JVM runs as root, which decides if owners and device nodes can be restored. */
final class Privileges {
    static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private Privileges() {}
}
