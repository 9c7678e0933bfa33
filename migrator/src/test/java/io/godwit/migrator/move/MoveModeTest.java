package io.godwit.migrator.move;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.godwit.migrator.api.ApiException;
import org.junit.jupiter.api.Test;

class MoveModeTest {
    @Test
    void parsesNamesAndDefaultsToAuto() {
        assertEquals(MoveMode.AUTO, MoveMode.parse(null));
        assertEquals(MoveMode.AUTO, MoveMode.parse(""));
        assertEquals(MoveMode.LAZY, MoveMode.parse("lazy"));
        assertEquals(MoveMode.COLD, MoveMode.parse("COLD"));
        ApiException e = assertThrows(ApiException.class, () -> MoveMode.parse("warp"));
        assertEquals(400, e.status());
    }

    @Test
    void autoTakesLazyOnlyWhereBothKernelsHaveUserfaultfd() {
        assertEquals(MoveMode.LAZY, MoveMode.AUTO.resolve(true, false, true));
        assertEquals(MoveMode.COLD, MoveMode.AUTO.resolve(false, false, true));
        assertEquals(MoveMode.COLD, MoveMode.AUTO.resolve(true, true, false));
        assertEquals(MoveMode.COLD, MoveMode.COLD.resolve(true, true, true));
    }

    @Test
    void lazyWithoutUserfaultfdAndPrecopyWithoutDirtyTrackingAreRefusedWithTheReason() {
        ApiException lazy = assertThrows(ApiException.class, () -> MoveMode.LAZY.resolve(false, true, true));
        assertEquals(409, lazy.status());
        assertTrue(lazy.getMessage().contains("userfaultfd"), lazy.getMessage());
        ApiException precopy = assertThrows(ApiException.class, () -> MoveMode.PRECOPY.resolve(true, false, true));
        assertEquals(409, precopy.status());
        assertTrue(precopy.getMessage().contains("dirty memory"), precopy.getMessage());
    }
}
