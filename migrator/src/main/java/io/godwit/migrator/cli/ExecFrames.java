package io.godwit.migrator.cli;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * The frames of an attached exec ({@code POST /1.0/containers/NAME/exec?attach=true} upgraded to
 * {@value #PROTOCOL}): one byte of kind, four of length (big-endian), then the payload.
 * Client to daemon: STDIN bytes, STDIN_EOF, RESIZE (columns and rows, two bytes each), SIGNAL (one
 * byte). Daemon to client: STDOUT and STDERR bytes, and last EXIT (exit code, four bytes; then one
 * byte, 1 when the command was killed at its time limit). The daemon and the CLI share this class.
 */
public final class ExecFrames {
    public static final String PROTOCOL = "godwit-exec/1";

    public static final byte STDIN = 0;
    public static final byte STDIN_EOF = 1;
    public static final byte RESIZE = 2;
    public static final byte SIGNAL = 3;
    public static final byte STDOUT = 10;
    public static final byte STDERR = 11;
    public static final byte EXIT = 12;

    /** Larger frames are refused: nobody types or writes 1 MiB in one go. */
    public static final int MAX_PAYLOAD = 1 << 20;

    /** One frame as read. */
    public record Frame(byte kind, byte[] payload) {
        public int exitCode() {
            return ByteBuffer.wrap(payload).getInt();
        }

        public boolean timedOut() {
            return payload.length > 4 && payload[4] == 1;
        }

        public int columns() {
            return ByteBuffer.wrap(payload).getShort(0) & 0xffff;
        }

        public int rows() {
            return ByteBuffer.wrap(payload).getShort(2) & 0xffff;
        }
    }

    private ExecFrames() {
    }

    /** Writes one frame and flushes; callers that write from several threads hold one lock around it. */
    public static void write(OutputStream out, byte kind, byte[] payload, int off, int len) throws IOException {
        byte[] head = ByteBuffer.allocate(5).put(kind).putInt(len).array();
        out.write(head);
        out.write(payload, off, len);
        out.flush();
    }

    public static void write(OutputStream out, byte kind, byte[] payload) throws IOException {
        write(out, kind, payload, 0, payload.length);
    }

    public static byte[] exit(int code, boolean timedOut) {
        return ByteBuffer.allocate(5).putInt(code).put((byte) (timedOut ? 1 : 0)).array();
    }

    public static byte[] resize(int columns, int rows) {
        return ByteBuffer.allocate(4).putShort((short) columns).putShort((short) rows).array();
    }

    /** The next frame, or null at a clean end of the stream (between frames). */
    public static Frame read(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int kind = d.read();
        if (kind < 0) {
            return null;
        }
        int len;
        try {
            len = d.readInt();
        } catch (EOFException e) {
            throw new IOException("exec stream cut inside a frame header");
        }
        if (len < 0 || len > MAX_PAYLOAD) {
            throw new IOException("exec frame of " + len + " bytes (at most " + MAX_PAYLOAD + ")");
        }
        byte[] payload = new byte[len];
        d.readFully(payload);
        return new Frame((byte) kind, payload);
    }
}
