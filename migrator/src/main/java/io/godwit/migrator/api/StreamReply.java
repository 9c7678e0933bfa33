package io.godwit.migrator.api;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A reply whose body is written as it is produced (logs -f, events), as chunks. The writer runs
 * on a worker thread and returns when it is done or when the client went away (write fails).
 */
public record StreamReply(String contentType, Writer writer) {
    @FunctionalInterface
    public interface Writer {
        void writeTo(OutputStream out) throws IOException, InterruptedException;
    }
}
