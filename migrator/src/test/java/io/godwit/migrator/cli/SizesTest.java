package io.godwit.migrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;
import org.junit.jupiter.api.Test;

class SizesTest {
    @ParameterizedTest
    @CsvSource({
            "64M, 67108864",
            "64m, 67108864",
            "1G, 1073741824",
            "512k, 524288",
            "512K, 524288",
            "100, 100",
            "1.5G, 1610612736",
            "64MiB, 67108864",
            "64MB, 67108864",
            "2t, 2199023255552",
    })
    void parsesSizes(String text, long bytes) {
        assertEquals(bytes, Sizes.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "M", "lots", "64X", "-1M", "1.2.3G", "64 M B"})
    void rejectsNonsense(String text) {
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse(text));
    }

    @Test
    void converterRejectsZero() {
        assertThrows(TypeConversionException.class, () -> new Sizes.Converter().convert("0"));
        assertEquals(1024L, new Sizes.Converter().convert("1k"));
    }

    @Test
    void printsHumanSizes() {
        assertEquals("512B", Sizes.human(512));
        assertEquals("1.5KiB", Sizes.human(1536));
        assertEquals("64.0MiB", Sizes.human(64L << 20));
        assertEquals("512MiB", Sizes.human(512L << 20));
        assertEquals("1.0GiB", Sizes.human(1L << 30));
    }
}
