package io.godwit.runtime.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads a tar archive member by member (ustar, GNU long names and links, pax path, linkpath, size,
 * uid, gid and mtime), without extracting anything: the caller decides what each member becomes.
 * {@link #body()} is the current member's content; whatever the caller leaves unread is skipped by
 * the next {@link #next()}.
 */
final class TarStream {

    private static final int BLOCK = 512;
    private static final int MAX_EXTENDED_HEADER = 1 << 20;

    private final InputStream in;
    private final String what;
    private long remaining;   // unread bytes of the current member's body
    private long padding;     // zero bytes after it, up to the next block

    TarStream(InputStream in, String what) {
        this.in = in;
        this.what = what;
    }

    /** The next member, or null at the end of the archive. */
    TarEntry next() throws IOException {
        in.skipNBytes(remaining + padding);
        remaining = 0;
        padding = 0;
        String longName = null;
        String longLink = null;
        Long paxSize = null;
        Long paxUid = null;
        Long paxGid = null;
        Long paxMtime = null;
        byte[] header = new byte[BLOCK];
        while (true) {
            int n = in.readNBytes(header, 0, BLOCK);
            if (n == 0 || (n == BLOCK && isZero(header))) {
                return null;
            }
            if (n < BLOCK) {
                throw new InvalidImageException(what + ": truncated tar archive (a header of " + n + " bytes)");
            }
            checkChecksum(header);
            char type = (char) header[156];
            long size = number(header, 124, 12);
            if (type == 'L' || type == 'K' || type == 'x' || type == 'g') {
                if (size > MAX_EXTENDED_HEADER) {
                    throw new InvalidImageException(what + ": tar extended header of " + size + " bytes is too large");
                }
                byte[] body = in.readNBytes((int) size);
                in.skipNBytes(pad(size));
                String text = new String(body, StandardCharsets.UTF_8);
                if (type == 'L') {
                    longName = trimNul(text);
                } else if (type == 'K') {
                    longLink = trimNul(text);
                } else if (type == 'x') { // 'g' (global) records are ignored: nothing we use lives there
                    for (String record : text.split("\n")) {
                        int space = record.indexOf(' ');
                        int eq = record.indexOf('=');
                        if (space <= 0 || eq <= space) {
                            continue;
                        }
                        String key = record.substring(space + 1, eq);
                        String value = record.substring(eq + 1);
                        switch (key) {
                            case "path" -> longName = value;
                            case "linkpath" -> longLink = value;
                            case "size" -> paxSize = parseLong(key, value);
                            case "uid" -> paxUid = parseLong(key, value);
                            case "gid" -> paxGid = parseLong(key, value);
                            case "mtime" -> paxMtime = parseLong(key, value.contains(".")
                                    ? value.substring(0, value.indexOf('.')) : value);
                            default -> { }
                        }
                    }
                }
                continue;
            }
            String name = longName != null ? longName : TarHeader.name(header);
            String link = longLink != null ? longLink : TarHeader.field(header, 157, 100);
            long realSize = paxSize != null ? paxSize : size;
            TarEntry entry = new TarEntry(name, type, (int) number(header, 100, 8) & 07777,
                    paxUid != null ? paxUid : number(header, 108, 8), paxGid != null ? paxGid : number(header, 116, 8),
                    realSize, paxMtime != null ? paxMtime : number(header, 136, 12), link);
            boolean hasBody = entry.isFile() || !(type == '1' || type == '2' || type == '3' || type == '4'
                    || type == '5' || type == '6');
            remaining = hasBody ? realSize : 0;
            padding = hasBody ? pad(realSize) : 0;
            return entry;
        }
    }

    /** The current member's content; reading past its end gives end of stream. */
    InputStream body() {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                if (remaining <= 0) {
                    return -1;
                }
                int b = in.read();
                if (b < 0) {
                    throw truncated();
                }
                remaining--;
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                if (remaining <= 0) {
                    return -1;
                }
                int n = in.read(buf, off, (int) Math.min(len, remaining));
                if (n < 0) {
                    throw truncated();
                }
                remaining -= n;
                return n;
            }

            @Override
            public void close() {
                // the archive stays open: the member's rest is skipped by next()
            }
        };
    }

    private InvalidImageException truncated() {
        return new InvalidImageException(what + ": truncated tar archive (a member's content ends early)");
    }

    private void checkChecksum(byte[] h) throws IOException {
        long stored = number(h, 148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
        }
        if (sum != stored) {
            throw new InvalidImageException(what + ": not a tar archive, or a damaged one (header checksum mismatch)");
        }
    }

    private static long pad(long size) {
        return (BLOCK - size % BLOCK) % BLOCK;
    }

    private long parseLong(String key, String value) throws IOException {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidImageException(what + ": bad pax " + key + " '" + value + "'", e);
        }
    }

    private long number(byte[] h, int offset, int length) throws IOException {
        try {
            return TarHeader.number(h, offset, length);
        } catch (NumberFormatException e) {
            throw new InvalidImageException(what + ": not a tar archive (bad number field '"
                    + TarHeader.field(h, offset, length).trim() + "')", e);
        }
    }

    private static String trimNul(String s) {
        int nul = s.indexOf('\0');
        return nul < 0 ? s : s.substring(0, nul);
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
