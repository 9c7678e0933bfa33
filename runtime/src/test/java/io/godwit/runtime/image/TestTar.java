package io.godwit.runtime.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds small ustar archives in memory for tests: files, directories, links, devices, any names. */
final class TestTar {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    TestTar dir(String name) {
        return member(name, '5', 0755, new byte[0], "", 0);
    }

    TestTar file(String name, String content) {
        return file(name, content, 0644);
    }

    TestTar file(String name, String content, int mode) {
        return member(name, '0', mode, content.getBytes(StandardCharsets.UTF_8), "", 0);
    }

    TestTar file(String name, byte[] content) {
        return member(name, '0', 0644, content, "", 0);
    }

    TestTar symlink(String name, String target) {
        return member(name, '2', 0777, new byte[0], target, 0);
    }

    TestTar hardlink(String name, String target) {
        return member(name, '1', 0644, new byte[0], target, 0);
    }

    TestTar charDevice(String name) {
        return member(name, '3', 0666, new byte[0], "", 0);
    }

    TestTar owned(String name, String content, int uid) {
        return member(name, '0', 0600, content.getBytes(StandardCharsets.UTF_8), "", uid);
    }

    byte[] bytes() {
        byte[] end = new byte[1024];
        out.writeBytes(end);
        return out.toByteArray();
    }

    private TestTar member(String name, char type, int mode, byte[] body, String link, int uid) {
        byte[] h = new byte[512];
        put(h, 0, 100, name);
        put(h, 100, 8, String.format("%07o", mode));
        put(h, 108, 8, String.format("%07o", uid));
        put(h, 116, 8, String.format("%07o", uid));
        put(h, 124, 12, String.format("%011o", body.length));
        put(h, 136, 12, String.format("%011o", 1_700_000_000L));
        h[156] = (byte) type;
        put(h, 157, 100, link);
        put(h, 257, 6, "ustar");
        put(h, 263, 2, "00");
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, 8, String.format("%06o", sum) + "\0 ");
        out.writeBytes(h);
        out.writeBytes(body);
        out.writeBytes(new byte[(512 - body.length % 512) % 512]);
        return this;
    }

    private static void put(byte[] h, int offset, int length, String value) {
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(v, 0, h, offset, Math.min(v.length, length));
    }
}
