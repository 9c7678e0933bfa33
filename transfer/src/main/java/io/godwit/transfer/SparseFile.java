package io.godwit.transfer;

import io.godwit.proto.peer.Extent;
import io.godwit.transfer.internal.FileCalls;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A regular file opened read-only (never through a link) to learn where its data is: the
 * kernel's SEEK_DATA/SEEK_HOLE name the allocated ranges, so a 64 MiB file holding one byte is
 * sent as that byte and a hole, not as 64 MiB of zeros. File systems without hole support
 * answer with one range covering the whole file. The ranges and the bytes read come from the
 * same open file, so they describe one inode even if the name is replaced meanwhile.
 */
final class SparseFile implements AutoCloseable {
    private final int fd;
    private final String path;
    private final long size;
    private final List<Extent> data;

    private SparseFile(int fd, String path) throws IOException {
        this.fd = fd;
        this.path = path;
        this.size = seek(0, FileCalls.SEEK_END);
        this.data = scan();
    }

    /** Opens p; NoSuchFileException when it is gone (a running container deleted it). */
    static SparseFile open(Path p) throws IOException {
        String path = p.toString();
        // O_NONBLOCK: should a FIFO have taken the name since the scan, open must not wait for a writer
        int fd = FileCalls.INSTANCE.open(path, FileCalls.O_RDONLY | FileCalls.O_NOFOLLOW | FileCalls.O_NONBLOCK
                | FileCalls.O_CLOEXEC, 0);
        if (fd < 0) {
            int err = FileCalls.errno();
            if (err == FileCalls.ENOENT) throw new NoSuchFileException(path);
            throw new TransferException("cannot open '" + path + "': " + FileCalls.describe(err));
        }
        try {
            return new SparseFile(fd, path);
        } catch (IOException | RuntimeException e) {
            FileCalls.INSTANCE.close(fd);
            throw e;
        }
    }

    long size() {
        return size;
    }

    /** The allocated ranges, in order, within size. */
    List<Extent> dataRanges() {
        return data;
    }

    /** Whether some of the size is a hole (else the file is sent as one plain run of bytes). */
    boolean hasHoles() {
        return dataBytes(data) < size;
    }

    static long dataBytes(List<Extent> ranges) {
        long n = 0;
        for (Extent e : ranges) n += e.getLength();
        return n;
    }

    /**
     * Reads len bytes at offset into the start of buf. A regular file's pread returns less only at
     * its end: fewer bytes mean the file shrank since its ranges were taken.
     */
    void read(long offset, byte[] buf, int len) throws IOException {
        long n = FileCalls.INSTANCE.pread(fd, buf, len, offset);
        if (n < 0) throw new TransferException("cannot read '" + path + "': " + FileCalls.describe(FileCalls.errno()));
        if (n < len) throw new TransferException("'" + path + "' shrank while it was being sent");
    }

    private List<Extent> scan() throws IOException {
        List<Extent> out = new ArrayList<>();
        long pos = 0;
        while (pos < size) {
            long start = FileCalls.INSTANCE.lseek(fd, pos, FileCalls.SEEK_DATA);
            if (start < 0) {
                if (FileCalls.errno() == FileCalls.ENXIO) break; // only a hole from pos to the end
                throw new TransferException("cannot find the data of '" + path + "': " + FileCalls.describe(FileCalls.errno()));
            }
            if (start >= size) break;
            long end = Math.min(size, seek(start, FileCalls.SEEK_HOLE));
            out.add(Extent.newBuilder().setOffset(start).setLength(end - start).build());
            pos = end;
        }
        return out;
    }

    private long seek(long offset, int whence) throws IOException {
        long r = FileCalls.INSTANCE.lseek(fd, offset, whence);
        if (r < 0) throw new TransferException("cannot seek in '" + path + "': " + FileCalls.describe(FileCalls.errno()));
        return r;
    }

    @Override
    public void close() {
        FileCalls.INSTANCE.close(fd);
    }
}
