package io.godwit.migrator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where the last lines of a log start, found by reading backwards from its end in blocks: a
 * console log can be large (it is capped, not small), and `logs --tail 20` must not read all of it.
 */
final class LogTail {
    private static final int BLOCK = 64 * 1024;

    private LogTail() {
    }

    /** The byte offset at which the last {@code lines} lines of file begin (0 when it has fewer). */
    static long startOfLastLines(Path file, int lines) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long end = ch.size();
            if (lines <= 0) {
                return end;
            }
            // a last line without its newline is a line too; a final newline ends the last line
            int newlinesWanted = lines;
            long pos = end;
            ByteBuffer buf = ByteBuffer.allocate(BLOCK);
            boolean lastByte = true;
            while (pos > 0) {
                int len = (int) Math.min(BLOCK, pos);
                pos -= len;
                buf.clear().limit(len);
                while (buf.hasRemaining() && ch.read(buf, pos + buf.position()) >= 0) {
                    // fill the block
                }
                for (int i = len - 1; i >= 0; i--) {
                    if (buf.get(i) == '\n') {
                        if (lastByte && pos + i == end - 1) {
                            lastByte = false;
                            continue; // the newline that ends the last line
                        }
                        if (--newlinesWanted == 0) {
                            return pos + i + 1;
                        }
                    }
                    lastByte = false;
                }
            }
            return 0;
        }
    }
}
