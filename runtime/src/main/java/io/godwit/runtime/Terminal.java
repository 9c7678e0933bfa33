package io.godwit.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A pseudo-terminal for an exec with {@code -t}: the daemon keeps the master (what the client types
 * goes in, what the command writes comes out), the command gets the slave as stdin, stdout, stderr
 * and controlling terminal (the monitor's exec --tty). The master is read and written with plain
 * read(2)/write(2): the JDK cannot wrap a descriptor it did not open.
 */
public final class Terminal implements AutoCloseable {
    private static final int EINTR = 4;
    private static final int EIO = 5;

    private final int master;
    private final Path slave;
    private volatile int heldSlave = -1; // open until the command has the slave: before, the master reads EIO
    private volatile boolean closed;

    private Terminal(int master, Path slave) {
        this.master = master;
        this.slave = slave;
    }

    /**
     * The command holds the slave now: our own hold goes, so that its end is the terminal's end. Called
     * when the first output arrived (the command has it open then) or when the terminal closes.
     */
    public void commandStarted() {
        int fd = heldSlave;
        heldSlave = -1;
        if (fd >= 0) {
            TerminalCalls.INSTANCE.close(fd);
        }
    }

    /** A new terminal of columns x rows (0: the kernel's default of 0 x 0, programs then assume 80 x 24). */
    public static Terminal open(int columns, int rows) throws IOException {
        TerminalCalls c = TerminalCalls.INSTANCE;
        int fd = c.posix_openpt(TerminalCalls.O_RDWR | TerminalCalls.O_NOCTTY | TerminalCalls.O_CLOEXEC);
        if (fd < 0) {
            throw new IOException("cannot open a pseudo-terminal: " + c.strerror(TerminalCalls.errno()));
        }
        try {
            byte[] name = new byte[128];
            if (c.grantpt(fd) != 0 || c.unlockpt(fd) != 0 || c.ptsname_r(fd, name, name.length) != 0) {
                throw new IOException("cannot set up the pseudo-terminal: " + c.strerror(TerminalCalls.errno()));
            }
            int len = 0;
            while (len < name.length && name[len] != 0) {
                len++;
            }
            Terminal t = new Terminal(fd, Path.of(new String(name, 0, len, StandardCharsets.US_ASCII)));
            t.heldSlave = c.open(t.slave.toString(), TerminalCalls.O_RDWR | TerminalCalls.O_NOCTTY | TerminalCalls.O_CLOEXEC);
            if (columns > 0 && rows > 0) {
                t.resize(columns, rows);
            }
            return t;
        } catch (IOException | RuntimeException e) {
            c.close(fd);
            throw e;
        }
    }

    /** The slave's path (on the host's devpts), for the command's three standard streams. */
    public Path slave() {
        return slave;
    }

    /** Tells the terminal (and so the command, by SIGWINCH) its new size. */
    public void resize(int columns, int rows) throws IOException {
        short[] ws = {(short) rows, (short) columns, 0, 0};
        if (TerminalCalls.INSTANCE.ioctl(master, TerminalCalls.TIOCSWINSZ, ws) != 0) {
            throw new IOException("cannot resize the terminal: " + TerminalCalls.INSTANCE.strerror(TerminalCalls.errno()));
        }
    }

    /** What the command writes; ends (-1) once no process holds the slave any more (read gives EIO). */
    public InputStream output() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                byte[] buf = off == 0 ? b : new byte[len];
                while (true) {
                    if (closed) return -1;
                    long n = TerminalCalls.INSTANCE.read(master, buf, Math.min(len, buf.length));
                    if (n > 0) {
                        commandStarted(); // output: the command has the slave open
                        if (buf != b) System.arraycopy(buf, 0, b, off, (int) n);
                        return (int) n;
                    }
                    int err = n < 0 ? TerminalCalls.errno() : 0;
                    if (n == 0 || err == EIO) return -1;
                    if (err != EINTR) throw new IOException("terminal: " + TerminalCalls.INSTANCE.strerror(err));
                }
            }
        };
    }

    /** What goes to the command as typed input. */
    public OutputStream input() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                byte[] buf = off == 0 ? b : java.util.Arrays.copyOfRange(b, off, off + len);
                int done = 0;
                while (done < len) {
                    byte[] rest = done == 0 ? buf : java.util.Arrays.copyOfRange(buf, done, len);
                    long n = TerminalCalls.INSTANCE.write(master, rest, len - done);
                    if (n < 0) {
                        int err = TerminalCalls.errno();
                        if (err == EINTR) continue;
                        throw new IOException("terminal: " + TerminalCalls.INSTANCE.strerror(err));
                    }
                    done += (int) n;
                }
            }
        };
    }

    @Override
    public void close() {
        commandStarted();
        if (!closed) {
            closed = true;
            TerminalCalls.INSTANCE.close(master);
        }
    }
}
