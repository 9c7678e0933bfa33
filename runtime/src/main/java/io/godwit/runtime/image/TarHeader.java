package io.godwit.runtime.image;

import java.nio.charset.StandardCharsets;

/** Fields of a 512-byte tar header block, shared by the checks of rootfs tarballs and the reader of image layers. */
final class TarHeader {
    private TarHeader() {
    }

    /** The member's name: ustar's prefix joined to its name field. */
    static String name(byte[] h) {
        String name = field(h, 0, 100);
        boolean ustar = new String(h, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        String prefix = ustar ? field(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    /** A NUL-terminated text field. */
    static String field(byte[] h, int offset, int length) {
        int end = offset;
        while (end < offset + length && h[end] != 0) {
            end++;
        }
        return new String(h, offset, end - offset, StandardCharsets.UTF_8);
    }

    /** A number field: octal text, or GNU base-256 for large values; NumberFormatException when it is neither. */
    static long number(byte[] h, int offset, int length) {
        if ((h[offset] & 0x80) != 0) {
            long v = h[offset] & 0x7f;
            for (int i = 1; i < length; i++) {
                v = (v << 8) | (h[offset + i] & 0xff);
            }
            return v;
        }
        String s = field(h, offset, length).trim();
        return s.isEmpty() ? 0 : Long.parseLong(s, 8);
    }
}
