package io.godwit.migrator.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.godwit.migrator.api.ApiException;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ContainerClaimsTest {

    @Test
    void oneClaimPerContainerAndASecondIsAConflictSayingWhy() {
        ContainerClaims claims = new ContainerClaims();
        ContainerClaims.Claim first = claims.claim("c1", "checkpoint");
        ApiException e = assertThrows(ApiException.class, () -> claims.claim("c1", "restore"));
        assertEquals(409, e.status());
        assertTrue(e.getMessage().contains("c1") && e.getMessage().contains("checkpoint"), e.getMessage());
        claims.claim("c2", "restore").close(); // another container is free

        first.close();
        ContainerClaims.Claim second = claims.claim("c1", "restore");
        first.close(); // closing an old claim again must not free the new one
        assertEquals("restore", claims.holder("c1"));
        second.close();
        assertNull(claims.holder("c1"));
    }

    @Test
    void anOperationReleasesItsClaimWhenItEndsOrCannotStart() throws Exception {
        ContainerClaims claims = new ContainerClaims();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        OperationManager ops = new OperationManager(pool, null, new EventBus());
        Operation op = ops.start("checkpoint", "c1", claims.claim("c1", "checkpoint"), o -> {
            throw new IllegalStateException("dump failed");
        });
        assertTrue(op.await(5000));
        for (int i = 0; i < 100 && claims.holder("c1") != null; i++) {
            Thread.sleep(10);
        }
        assertNull(claims.holder("c1"), "a failed operation keeps its container claimed");

        pool.shutdown();
        assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS));
        assertThrows(java.util.concurrent.RejectedExecutionException.class,
                () -> ops.start("checkpoint", "c1", claims.claim("c1", "checkpoint"), o -> Map.of()));
        assertNull(claims.holder("c1"), "an operation that never started keeps its container claimed");
    }
}
