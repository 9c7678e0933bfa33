package io.godwit.migrator.move;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Joins two loopback connections, bytes flowing both ways, until either side ends: how CRIU's
 * page server and lazy-pages daemon, which only speak TCP, are joined to the daemons' TLS tunnel.
 */
final class SocketRelay implements AutoCloseable {
    private final Socket left;
    private final Socket right;
    private final AtomicLong leftToRight = new AtomicLong();
    private final AtomicLong rightToLeft = new AtomicLong();
    private final CountDownLatch done = new CountDownLatch(2);

    private SocketRelay(Socket left, Socket right) {
        this.left = left;
        this.right = right;
    }

    static SocketRelay join(Socket left, Socket right, String name) throws java.net.SocketException {
        // Page requests are small and answered at once: Nagle plus delayed ACKs would add 40 ms to each.
        left.setTcpNoDelay(true);
        right.setTcpNoDelay(true);
        SocketRelay r = new SocketRelay(left, right);
        Thread.ofVirtual().name(name + "-l2r").start(() -> r.pump(left, right, r.leftToRight));
        Thread.ofVirtual().name(name + "-r2l").start(() -> r.pump(right, left, r.rightToLeft));
        return r;
    }

    private void pump(Socket from, Socket to, AtomicLong counter) {
        byte[] buf = new byte[256 << 10];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                counter.addAndGet(n);
            }
            to.shutdownOutput(); // pass the end on, so the other side sees it as its peer's
        } catch (IOException e) {
            close(); // one side broke: the conversation is over for both
        } finally {
            done.countDown();
        }
    }

    /** Bytes that went from the left connection to the right one. */
    long leftToRightBytes() {
        return leftToRight.get();
    }

    /** Bytes that went from the right connection to the left one (the pages, for a page server on the right). */
    long rightToLeftBytes() {
        return rightToLeft.get();
    }

    boolean finished() {
        return done.getCount() == 0;
    }

    @Override
    public void close() {
        try {
            left.close();
        } catch (IOException ignored) {
            // closing: nothing left to do with it
        }
        try {
            right.close();
        } catch (IOException ignored) {
            // as above
        }
    }
}
