package io.godwit.migrator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTailTest {
    @TempDir
    Path dir;

    private String tail(String content, int lines) throws Exception {
        Path f = dir.resolve("console.log");
        Files.writeString(f, content);
        return content.substring((int) LogTail.startOfLastLines(f, lines));
    }

    @Test
    void theLastLinesWithOrWithoutAFinalNewline() throws Exception {
        assertEquals("c\nd\n", tail("a\nb\nc\nd\n", 2));
        assertEquals("c\nd", tail("a\nb\nc\nd", 2));
        assertEquals("a\nb\n", tail("a\nb\n", 5), "fewer lines than asked: all of them");
        assertEquals("", tail("a\nb\n", 0));
        assertEquals("", tail("", 3));
        assertEquals("\n", tail("a\n\n", 1), "an empty last line is a line");
    }

    @Test
    void linesAcrossReadBlocks() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 50_000; i++) {
            sb.append("line ").append(i).append('\n');
        }
        assertEquals("line 49998\nline 49999\n", tail(sb.toString(), 2));
        String last = tail(sb.toString(), 20_000);
        assertEquals(20_000, last.lines().count());
        assertEquals("line 30000", last.lines().findFirst().orElseThrow());
    }
}
