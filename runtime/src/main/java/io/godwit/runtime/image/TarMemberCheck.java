package io.godwit.runtime.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Reads a tarball's headers (plain or gzip; ustar, GNU long names, pax paths) before tar extracts
 * it, and refuses any member that could land outside the target directory: absolute names, ".."
 * components, hard links pointing outside, and members under a path that the same archive made a
 * symlink (x -> /etc, then x/passwd). Symlink targets themselves may point anywhere: they are
 * resolved inside the container's root, never followed on the host.
 */
public final class TarMemberCheck {

    private static final int BLOCK = 512;

    private TarMemberCheck() {
    }

    public static void check(Path tarball) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(tarball));
                InputStream in = isGzip(raw) ? new BufferedInputStream(new GZIPInputStream(raw)) : raw) {
            scan(tarball, in);
        }
    }

    private static boolean isGzip(InputStream in) throws IOException {
        in.mark(2);
        int a = in.read();
        int b = in.read();
        in.reset();
        return a == 0x1f && b == 0x8b;
    }

    private static void scan(Path tarball, InputStream in) throws IOException {
        Set<String> symlinks = new HashSet<>();
        String longName = null;
        String longLink = null;
        byte[] header = new byte[BLOCK];
        while (true) {
            if (in.readNBytes(header, 0, BLOCK) < BLOCK) {
                return; // truncated archives are tar's to report
            }
            if (isZero(header)) {
                return;
            }
            char type = (char) header[156];
            long size = parseOctal(header, 124, 12, tarball);
            if (type == 'L' || type == 'K' || type == 'x') {
                String body = new String(readBody(in, size), StandardCharsets.UTF_8);
                if (type == 'L') {
                    longName = trimNul(body);
                } else if (type == 'K') {
                    longLink = trimNul(body);
                } else {
                    longName = paxValue(body, "path", longName);
                    longLink = paxValue(body, "linkpath", longLink);
                }
                continue;
            }
            String name = longName != null ? longName : TarHeader.name(header);
            String link = longLink != null ? longLink : TarHeader.field(header, 157, 100);
            longName = null;
            longLink = null;
            String normal = normalise(tarball, name);
            for (String parent = parentOf(normal); parent != null; parent = parentOf(parent)) {
                if (symlinks.contains(parent)) {
                    throw refuse(tarball, name, "lies under the symlink " + parent + " made by the same archive");
                }
            }
            if (type == '2') {
                symlinks.add(normal);
            } else if (type == '1') {
                normalise(tarball, link);
            }
            in.skipNBytes(padded(type == '1' || type == '2' || type == '5' ? 0 : size));
        }
    }

    private static String normalise(Path tarball, String name) throws IOException {
        if (name.startsWith("/")) {
            throw refuse(tarball, name, "is absolute");
        }
        StringBuilder out = new StringBuilder();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw refuse(tarball, name, "has a '..' component");
            }
            if (!out.isEmpty()) {
                out.append('/');
            }
            out.append(part);
        }
        return out.toString();
    }

    private static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? null : path.substring(0, slash);
    }

    private static IOException refuse(Path tarball, String member, String why) {
        return new IOException("refusing " + tarball + ": member '" + member + "' " + why);
    }

    private static byte[] readBody(InputStream in, long size) throws IOException {
        if (size > 1 << 20) {
            throw new IOException("tar extended header of " + size + " bytes is too large");
        }
        byte[] body = in.readNBytes((int) size);
        in.skipNBytes(padded(size) - size);
        return body;
    }

    private static long padded(long size) {
        return (size + BLOCK - 1) / BLOCK * BLOCK;
    }

    private static long parseOctal(byte[] h, int offset, int length, Path tarball) throws IOException {
        try {
            return TarHeader.number(h, offset, length);
        } catch (NumberFormatException e) {
            throw new IOException("not a tar archive (bad size field '" + TarHeader.field(h, offset, length).trim()
                    + "'): " + tarball, e);
        }
    }

    private static String paxValue(String body, String key, String current) {
        // records are "LEN key=value\n"
        for (String record : body.split("\n")) {
            int space = record.indexOf(' ');
            int eq = record.indexOf('=');
            if (space > 0 && eq > space && record.substring(space + 1, eq).equals(key)) {
                return record.substring(eq + 1);
            }
        }
        return current;
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
