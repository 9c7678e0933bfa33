package io.godwit.migrator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One daemon per root: an exclusive lock on ROOT/godwitd.lock, held for the daemon's life and
 * released by the kernel when it dies, however it dies. A second daemon on the same root (another
 * socket, say) would reconcile the first one's work in progress away: it must stop before it
 * touches anything. The file holds the holder's pid, for the message.
 */
final class RootLock implements AutoCloseable {
    static final String FILE = "godwitd.lock";

    /** Another daemon holds the root. */
    static final class HeldException extends IOException {
        HeldException(String message) {
            super(message);
        }
    }

    private final FileChannel channel;
    private final FileLock lock;

    private RootLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static RootLock acquire(Path root) throws IOException {
        Path file = root.resolve(FILE);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            String holder = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).strip();
            ch.close();
            throw new HeldException("another godwitd" + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                    + " already uses the root " + root + ": refusing to start; nothing was changed."
                    + " One root, one daemon: give this one its own --root.");
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        return new RootLock(ch, lock);
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
