package io.godwit.migrator.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A reply that turns the connection into a two-way byte stream (HTTP/1.1 101 Switching Protocols,
 * as the Docker API does for an attached exec): after the 101 the session owns the connection,
 * reading what the client sends and writing what it gets, on a worker thread, until it returns.
 * The client must wait for the 101 before it sends anything of the new protocol.
 */
public record UpgradeReply(String protocol, Session session) {
    /** Header a request carries to ask for the upgrade (with {@code Connection: Upgrade}). */
    public static final String HEADER = "upgrade";

    @FunctionalInterface
    public interface Session {
        void run(InputStream fromClient, OutputStream toClient) throws IOException, InterruptedException;

        /** The session will not run (the client did not ask for the upgrade, or left first): free what it holds. */
        default void abandon() {
        }
    }
}
